// The dashboard: sign-in, the funnel's numbers, the EventLog browser's filters, a lead's
// timeline, and data from the database shown as text (never as HTML).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { adminApi, BASE, launch, newPage, postPayment, screenshot, signIn, sql, waitFor } from "./helpers.mjs";

let browser;
let leadId;
const stamp = Date.now();

before(async () => {
  browser = await launch();
  // A known lead with a payment (which carries an XSS attempt), plus a payment for a lead this
  // service has never seen.
  const res = await fetch(`${BASE}/api/leads`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "Evil <b>Corp</b>", email: `xss.${stamp}@example.com`,
      company: "<img src=x onerror=\"window.__xss='company'\">", anonymous_id: `xss-${stamp}` }),
  });
  leadId = (await res.json()).id;
  await postPayment(`pay_xss_${stamp}`, {
    lead_id: leadId, amount: 4900,
    note: "<script>window.__xss='script';alert('xss')</script>",
    html: "<img src=x onerror=\"window.__xss='img';alert('img')\">",
  });
  await postPayment(`pay_unknown_${stamp}`, { lead_id: `lead_never_seen_${stamp}` });
});
after(async () => { await browser?.close(); });

test("sign-in refuses a wrong token and accepts the right one", async () => {
  const { context, page } = await newPage(browser);
  await page.goto(`${BASE}/admin`);
  await page.waitForSelector("#signin-view:not([hidden])");
  await screenshot(page, "admin-signin");
  await page.fill("#admin-token", "not-the-token");
  await page.click("#signin-submit");
  await page.waitForSelector("#signin-error:not([hidden])");
  assert.match(await page.textContent("#signin-error"), /not accepted/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("hookline_admin_token")), null);

  await page.fill("#admin-token", process.env.ADMIN_TOKEN);
  await page.click("#signin-submit");
  await page.waitForSelector("#shell:not([hidden])");
  assert.equal(new URL(page.url()).search, "", "the token never goes into the URL");
  assert.ok(!page.url().includes(process.env.ADMIN_TOKEN));
  // The refused attempt makes chromium log "Failed to load resource: ... 401"; nothing else.
  assert.deepEqual(page.problems.filter((p) => !/401/.test(p)), []);
  await context.close();
});

test("the funnel page shows the server's counts and a chart", async () => {
  const { context, page } = await newPage(browser);
  await signIn(page);
  await page.goto(`${BASE}/admin#/funnel`);
  await page.waitForSelector("#stat-visitors");
  await page.waitForSelector("#funnel-chart canvas");
  const today = new Date().toISOString().slice(0, 10);
  const since = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86400000).toISOString();
  const until = new Date(Date.parse(`${today}T00:00:00Z`) + 86400000).toISOString();
  const api = await adminApi(`/api/stats/funnel?since=${since}&until=${until}&bucket=day`);
  assert.ok(api.leads >= 1 && api.payments >= 2 && api.paying_leads >= 1);
  // The API's numbers are the database's: leads created in the window.
  const dbLeads = sql(`SELECT count(*) AS n FROM Lead WHERE createdAt >= '${since}' AND createdAt < '${until}'`)[0].n;
  assert.equal(api.leads, dbLeads);
  for (const [id, key] of [["#stat-visitors", "visitors"], ["#stat-form-starts", "form_starts"],
    ["#stat-leads", "leads"], ["#stat-paying-leads", "paying_leads"]]) {
    assert.equal(await page.textContent(id), String(api[key]), key);
  }
  await screenshot(page, "admin-funnel");
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("the event log filters by type, source and lead", async () => {
  const { context, page } = await newPage(browser);
  await signIn(page);
  await page.goto(`${BASE}/admin#/events`);
  await page.waitForSelector("#events-table tbody tr");
  await screenshot(page, "admin-events");

  await page.fill("#filter-type", "payment.succeeded");
  await page.click("#events-apply");
  await waitFor(async () => {
    const types = await page.$$eval("#events-table tbody tr td:nth-child(2)", (tds) => tds.map((t) => t.textContent));
    return types.length > 0 && types.every((t) => t === "payment.succeeded");
  });
  const shown = await page.$$eval("#events-table tbody tr", (rows) => rows.map((r) => r.dataset.eventId));
  const expected = sql("SELECT id FROM EventLog WHERE type = 'payment.succeeded' ORDER BY createdAt DESC, id DESC").map((r) => r.id);
  assert.deepEqual(shown, expected.slice(0, 50));
  assert.match(page.url(), /type=payment\.succeeded/);

  await page.fill("#filter-type", "");
  await page.fill("#filter-source", "landing");
  await page.fill("#filter-lead", leadId);
  await page.click("#events-apply");
  await waitFor(async () => {
    const leads = await page.$$eval("#events-table tbody tr td:nth-child(4)", (tds) => tds.map((t) => t.textContent));
    return leads.length > 0 && leads.every((t) => t === leadId);
  });
  const types = await page.$$eval("#events-table tbody tr td:nth-child(2)", (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(types, ["lead.created"]);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("the event log pages with its cursor: older pages append, nothing repeats, the end is said", async () => {
  const type = `paging.test.${stamp}`;
  for (let i = 0; i < 63; i++) await postPayment(`page_${stamp}_${String(i).padStart(2, "0")}`, { i }, type);
  const { context, page } = await newPage(browser);
  await signIn(page);
  await page.goto(`${BASE}/admin#/events?type=${encodeURIComponent(type)}`);
  await waitFor(async () => (await page.$$("#events-table tbody tr")).length === 50);
  assert.match(await page.textContent("#events-status"), /Showing 50 events, newest first\.$/);
  assert.ok(await page.isVisible("#events-next"));
  await page.click("#events-next");
  await waitFor(async () => (await page.$$("#events-table tbody tr")).length === 63);
  const shown = await page.$$eval("#events-table tbody tr", (rows) => rows.map((r) => r.dataset.eventId));
  const expected = sql(`SELECT id FROM EventLog WHERE type = '${type}' ORDER BY createdAt DESC, id DESC`).map((r) => r.id);
  assert.deepEqual(shown, expected);
  assert.equal(new Set(shown).size, 63);
  assert.ok(await page.isHidden("#events-next"));
  assert.match(await page.textContent("#events-status"), /Showing 63 events, newest first — that is all of them\./);
  await context.close();
});

test("payloads, names and companies with HTML show as text: no script runs, no element is made", async () => {
  const { context, page } = await newPage(browser);
  await signIn(page);
  await page.goto(`${BASE}/admin#/events?type=payment.succeeded`);
  await page.waitForSelector(`tr[data-event-id="pay_xss_${stamp}"]`);
  const row = page.locator(`tr[data-event-id="pay_xss_${stamp}"]`);
  await row.locator("details.json summary").click();
  const pre = await row.locator("details.json pre").textContent();
  assert.ok(pre.includes("<script>window.__xss='script';alert('xss')</script>"), "the script is shown as text");
  assert.ok(pre.includes("<img src=x onerror="), "the img tag is shown as text");
  await screenshot(page, "admin-events-xss");

  await page.goto(`${BASE}/admin#/leads/${encodeURIComponent(leadId)}`);
  await page.waitForSelector("#lead-timeline tbody tr");
  assert.equal(await page.textContent("#lead-title"), "Evil <b>Corp</b>");
  const timeline = await page.$$eval("#lead-timeline tbody tr", (rows) => rows.map((r) => r.dataset.eventId));
  assert.deepEqual(timeline, [`lead.created:${leadId}`, `pay_xss_${stamp}`]);
  await screenshot(page, "admin-lead");

  await page.goto(`${BASE}/admin#/leads`);
  await page.waitForSelector("#leads-table tbody tr");
  await screenshot(page, "admin-leads");

  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss), undefined, "no injected code ran");
  assert.equal(await page.locator("img[src=x]").count(), 0, "no injected element exists");
  assert.equal(await page.locator("#view script, #view b").count(), 0);
  assert.deepEqual(page.dialogs, [], "no dialog was opened");
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("signing out forgets the token", async () => {
  const { context, page } = await newPage(browser);
  await signIn(page);
  await page.click("#signout");
  await page.waitForSelector("#signin-view:not([hidden])");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("hookline_admin_token")), null);
  await context.close();
});
