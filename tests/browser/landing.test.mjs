// The landing page as a visitor uses it: the form's success and error states, and what lands
// in the database (the lead and the funnel events).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE, launch, newPage, screenshot, sql, waitFor } from "./helpers.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a visitor fills the form, sees success, and the lead and its events are stored", async () => {
  const { context, page } = await newPage(browser);
  const email = `ada.${Date.now()}@example.com`;
  await page.goto(`${BASE}/?utm_source=newsletter&utm_campaign=spring`);
  await screenshot(page, "landing");
  const aid = await page.evaluate(() => localStorage.getItem("hookline_aid"));
  assert.ok(aid, "the page keeps a visitor id");

  await page.fill("#lead-name", "Ada Lovelace");
  await page.fill("#lead-email", email);
  await page.fill("#lead-company", "Analytical Engines Ltd");
  await page.fill("#lead-phone", "+44 20 7946 0958");
  await page.fill("#lead-message", "We raise our seed round in May.\nCan you help?");
  await page.click("#lead-submit");
  await page.waitForSelector("#lead-success:not([hidden])");
  assert.equal(await page.textContent("#lead-success-email"), email);
  assert.equal(await page.isHidden("#lead-form"), true);
  await screenshot(page, "landing-success");

  const [lead] = sql(`SELECT * FROM Lead WHERE email = '${email}'`);
  assert.ok(lead, "the lead is in the Lead table");
  assert.equal(lead.name, "Ada Lovelace");
  assert.equal(lead.company, "Analytical Engines Ltd");
  assert.equal(lead.utm_source, "newsletter");
  assert.equal(lead.utm_campaign, "spring");
  assert.equal(lead.anonymous_id, aid);
  assert.equal(lead.message, "We raise our seed round in May.\nCan you help?");

  const types = await waitFor(() => {
    const rows = sql(`SELECT type FROM EventLog WHERE source = 'landing' AND
      (json_extract(payload, '$.anonymous_id') = '${aid}' OR leadId = '${lead.id}')`);
    const t = new Set(rows.map((r) => r.type));
    return ["page_view", "form_start", "form_submit", "lead_created", "lead.created"].every((x) => t.has(x)) && t;
  });
  assert.ok(types.has("lead.created"));
  const [created] = sql(`SELECT leadId FROM EventLog WHERE type = 'lead_created' AND leadId = '${lead.id}'`);
  assert.equal(created.leadId, lead.id, "lead_created carries the new lead id");
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("the form shows field errors: empty fields and a bad email, checked in the browser", async () => {
  const { context, page } = await newPage(browser);
  await page.goto(BASE);
  const before = sql("SELECT count(*) AS n FROM Lead")[0].n;
  let leadPosts = 0;
  page.on("request", (req) => { if (req.url().endsWith("/api/leads")) leadPosts++; });

  await page.click("#lead-submit");
  await waitFor(async () => (await page.textContent("#error-name")).length > 0);
  assert.match(await page.textContent("#error-name"), /name/i);
  assert.match(await page.textContent("#error-email"), /email/i);
  assert.match(await page.textContent("#error-company"), /company/i);
  assert.equal(await page.getAttribute("#lead-name", "aria-invalid"), "true");

  await page.fill("#lead-name", "Grace");
  await page.fill("#lead-email", "grace-at-navy");
  await page.fill("#lead-company", "Navy");
  await page.click("#lead-submit");
  await waitFor(async () => (await page.textContent("#error-name")) === "");
  assert.match(await page.textContent("#error-email"), /valid email/i);
  await screenshot(page, "landing-errors");
  assert.equal(leadPosts, 0, "nothing is sent while the form is invalid");
  assert.equal(sql("SELECT count(*) AS n FROM Lead")[0].n, before);
  const errors = await waitFor(() => sql("SELECT count(*) AS n FROM EventLog WHERE type = 'form_error'")[0].n >= 2);
  assert.ok(errors);
  await context.close();
});

test("a field the server refuses (422) shows the server's message under that field", async () => {
  const { context, page } = await newPage(browser);
  await page.goto(BASE);
  await page.fill("#lead-name", "Alan");
  await page.fill("#lead-email", `alan.${Date.now()}@example.com`);
  await page.fill("#lead-company", "Bletchley");
  await page.fill("#lead-phone", "call me maybe");  // the browser does not check phone characters
  await page.click("#lead-submit");
  await waitFor(async () => (await page.textContent("#error-phone")).length > 0);
  assert.match(await page.textContent("#error-phone"), /phone/i);
  assert.equal(await page.isVisible("#lead-form"), true);
  assert.equal(await page.inputValue("#lead-name"), "Alan", "what was typed stays");
  await context.close();
});

test("the same email again still shows success and keeps one lead", async () => {
  const { context, page } = await newPage(browser);
  const email = `twice.${Date.now()}@example.com`;
  for (let i = 0; i < 2; i++) {
    await page.goto(BASE);
    await page.fill("#lead-name", "Twice");
    await page.fill("#lead-email", i === 0 ? email : email.toUpperCase());
    await page.fill("#lead-company", "Repeat Inc");
    await page.click("#lead-submit");
    await page.waitForSelector("#lead-success:not([hidden])");
  }
  assert.equal(sql(`SELECT count(*) AS n FROM Lead WHERE lower(email) = '${email}'`)[0].n, 1);
  await context.close();
});

test("the landing page works on a phone-sized screen", async () => {
  const { context, page } = await newPage(browser, { width: 390, height: 844 });
  await page.goto(BASE);
  await screenshot(page, "landing-mobile");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling (overflow ${overflow}px)`);
  assert.deepEqual(page.problems, []);
  await context.close();
});
