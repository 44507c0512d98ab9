// The dashboard's outbound pages: an endpoint added through the form (its secret shown once),
// a Founding Review that completes, and the signed delivery it makes, followed from the
// deliveries list to the attempt that a real receiver answered.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { ADMIN_TOKEN, BASE, launch, newPage, screenshot, signIn, sql, waitFor } from "./helpers.mjs";

let browser;
let receiver;
const received = [];

before(async () => {
  browser = await launch();
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { "Content-Type": "text/plain" }).end("thanks");
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});
after(async () => {
  await browser?.close();
  receiver?.close();
});

test("an endpoint added in the dashboard receives a signed render.completed, shown under Deliveries", async () => {
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/hooks/crm`;
  const { context, page } = await newPage(browser);
  await signIn(page);
  await page.goto(`${BASE}/admin#/endpoints`);
  await page.fill("#endpoint-url", hookUrl);
  await page.fill("#endpoint-description", "CRM sync (browser test)");
  await page.click("#endpoint-submit");
  await page.waitForSelector("#endpoint-secret-panel:not([hidden])");
  const secret = (await page.textContent("#endpoint-secret")).trim();
  assert.ok(secret.length >= 32, "the new endpoint's secret is shown once");
  await waitFor(async () => (await page.textContent("#endpoints-table")).includes(hookUrl));
  await screenshot(page, "admin-endpoints");

  const questions = (await (await fetch(`${BASE}/api/assessments/questions`)).json()).questions;
  const res = await fetch(`${BASE}/api/assessments`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ company: "Browser Test GmbH", answers: { [questions[0].id]: 4, [questions[1].id]: 2 } }),
  });
  assert.equal(res.status, 202);
  const assessmentId = (await res.json()).assessment_id;

  // The receiver got exactly one webhook, signed with the secret the dashboard showed.
  await waitFor(() => received.length >= 1, { timeout: 20000 });
  const hook = received[0];
  assert.equal(hook.headers["x-webhook-signature"], createHmac("sha256", secret).update(hook.body).digest("hex"));
  assert.equal(hook.headers["x-webhook-attempt"], "1");
  const payload = JSON.parse(hook.body.toString("utf8"));
  assert.equal(payload.assessment_id, assessmentId);

  await page.goto(`${BASE}/admin#/deliveries?assessment_id=${encodeURIComponent(assessmentId)}`);
  await waitFor(async () => {
    const cells = await page.$$eval("#deliveries-table tbody tr td:nth-child(5)", (tds) => tds.map((t) => t.textContent));
    return cells.length === 1 && cells[0] === "delivered";
  }, { timeout: 20000 });
  await screenshot(page, "admin-deliveries");
  const deliveryId = sql(`SELECT id FROM Delivery WHERE assessmentId = '${assessmentId}'`)[0].id;
  await page.click(`#deliveries-table tr[data-delivery-id="${deliveryId}"] td:nth-child(2)`);
  await page.waitForSelector("#delivery-body");
  // The exact bytes that were signed and sent.
  assert.equal(await page.textContent("#delivery-body"), hook.body.toString("utf8"));
  assert.match(await page.textContent("main"), /200/);
  await screenshot(page, "admin-delivery");
  assert.equal(received.length, 1, "delivered once");
  await context.close();
});
