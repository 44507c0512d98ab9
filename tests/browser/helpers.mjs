// Shared set-up of the browser tests: chromium via playwright-core, the server run.sh started,
// the SQLite file read with the sqlite3 CLI (what is committed, as an operator would see it).

import { execFileSync } from "node:child_process";
import path from "node:path";
import { chromium } from "playwright-core";

export const BASE = process.env.HOOKLINE_URL;
export const ADMIN_TOKEN = process.env.ADMIN_TOKEN;
export const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET;
const DB = process.env.HOOKLINE_DB;
const SHOTS = process.env.SCREENSHOT_DIR;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// A fresh context (own localStorage/sessionStorage) and page that fails the test on any page
// error or dialog, and records console errors.
export async function newPage(browser, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.problems = [];
  page.dialogs = [];
  page.on("pageerror", (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") page.problems.push(`console: ${msg.text()}`);
  });
  page.on("dialog", async (dialog) => {
    page.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  return { context, page };
}

export async function screenshot(page, name, fullPage = true) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

// Rows of a query against the SQLite file, as objects.
export function sql(query) {
  const out = execFileSync("sqlite3", ["-json", "-cmd", ".timeout 5000", DB, query], { encoding: "utf8" });
  return out.trim() ? JSON.parse(out) : [];
}

// Polls from Node. (page.waitForFunction polls with eval inside the page once its first check
// fails, and the pages' CSP, which has no 'unsafe-eval', refuses that: a flaky test.)
export async function waitFor(fn, { timeout = 10000, interval = 100 } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error("timed out waiting for condition");
    await new Promise((r) => setTimeout(r, interval));
  }
}

export async function adminApi(pathAndQuery) {
  const res = await fetch(BASE + pathAndQuery, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (!res.ok) throw new Error(`${pathAndQuery}: ${res.status}`);
  return res.json();
}

export async function postPayment(eventId, data, eventType = "payment.succeeded") {
  const res = await fetch(`${BASE}/api/webhook/payment`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Webhook-Secret": WEBHOOK_SECRET },
    body: JSON.stringify({ event_id: eventId, event_type: eventType, source: "payment_service", data }),
  });
  if (res.status !== 200) throw new Error(`payment webhook: ${res.status}`);
}

export async function signIn(page) {
  await page.goto(`${BASE}/admin`);
  await page.fill("#admin-token", ADMIN_TOKEN);
  await page.click("#signin-submit");
  await page.waitForSelector("#shell:not([hidden])");
}
