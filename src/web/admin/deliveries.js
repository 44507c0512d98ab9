// Outbound webhook deliveries: the list with filters (#/deliveries) and one delivery with
// every attempt and the exact body bytes that were signed (#/deliveries/<id>).

import { api, encode, withQuery } from "./api.js";
import {
  badge, emptyRow, formParams, h, keyValueList, loadError, orDash, pageHeader, replaceHashQuery,
  statusTone, time,
} from "./dom.js";
import { PAGE_SIZE, pagedTable, plural } from "./paged.js";

const FILTERS = [
  { name: "status", id: "filter-status", label: "Status", placeholder: "any", list: "delivery-statuses" },
  { name: "endpoint_id", id: "filter-endpoint", label: "Endpoint id", placeholder: "any endpoint" },
  { name: "assessment_id", id: "filter-assessment", label: "Assessment", placeholder: "FR-…" },
];
const KNOWN_STATUSES = ["pending", "delivering", "delivered", "failed"];
const COLUMNS = ["Created", "Event", "Assessment", "Endpoint", "Status", "Attempts", "Next attempt"];

function deliveryRow(d) {
  const href = `#/deliveries/${encode(String(d.id))}`;
  const row = h("tr", { class: "clickable", dataset: { deliveryId: String(d.id) } },
    h("td", { class: "nowrap" }, h("a", { href }, time(d.created_at))),
    h("td", {}, h("code", { text: orDash(d.event) })),
    h("td", { class: "mono nowrap" }, orDash(d.assessment_id)),
    h("td", { class: "mono" }, orDash(d.endpoint_id)),
    h("td", {}, badge(orDash(d.status), statusTone(d.status))),
    h("td", { class: "num" }, orDash(d.attempts)),
    h("td", { class: "nowrap" }, d.next_attempt_at ? time(d.next_attempt_at) : h("span", { class: "muted", text: "—" })));
  row.addEventListener("click", (event) => {
    if (!event.target.closest("a")) location.hash = href;
  });
  return row;
}

async function renderList(view, ctx) {
  let filters = new URLSearchParams();
  for (const f of FILTERS) {
    const value = ctx.query.get(f.name)?.trim();
    if (value) filters.set(f.name, value);
  }
  const tbody = h("tbody");
  const table = h("table", { id: "deliveries-table", class: "table" },
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col", text: c })))), tbody);
  const { results, load } = pagedTable({
    table, tbody, columns: COLUMNS.length,
    fetchPage: (cursor) => {
      const params = new URLSearchParams(filters);
      params.set("limit", String(PAGE_SIZE));
      if (cursor) params.set("cursor", cursor);
      return api(withQuery("/api/deliveries", params));
    },
    row: deliveryRow,
    emptyText: () => (filters.toString() ? "No deliveries match these filters." : "No deliveries yet."),
    olderId: "deliveries-next", olderText: "Older deliveries", olderError: "Could not load older deliveries",
    describe: (n, more) => `Showing ${plural(n, "delivery", "deliveries")}, newest first${more ? "" : " — that is all of them"}.`,
  });

  const form = h("form", { id: "deliveries-filter", class: "filters", role: "search" },
    FILTERS.map((f) => h("label", { class: "field" },
      h("span", { text: f.label }),
      h("input", {
        id: f.id, name: f.name, type: "search", value: filters.get(f.name) ?? "", placeholder: f.placeholder,
        list: f.list ?? null, autocomplete: "off", spellcheck: "false",
      }))),
    h("datalist", { id: "delivery-statuses" }, KNOWN_STATUSES.map((v) => h("option", { value: v }))),
    h("div", { class: "filter-actions" },
      h("button", { type: "submit", class: "btn btn-small", text: "Apply" })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    filters = formParams(form, FILTERS.map((f) => f.name));
    replaceHashQuery("/deliveries", filters);
    load(false);
  });

  view.append(pageHeader("Deliveries", "Signed webhooks sent to endpoints, with every attempt."), form, results);
  await load(false);
}

function attemptsTable(attempts) {
  const cols = ["#", "Started", "Duration", "Result", "Response"];
  const tbody = h("tbody");
  if (attempts.length === 0) tbody.append(emptyRow(cols.length, "No attempts yet."));
  for (const a of attempts) {
    const ok = typeof a.http_status === "number" && a.http_status >= 200 && a.http_status < 300;
    const result = a.http_status != null
      ? badge(`HTTP ${a.http_status}`, ok ? "good" : "bad")
      : badge(orDash(a.error), "bad");
    tbody.append(h("tr", {},
      h("td", { class: "num" }, (a.series ?? 1) > 1 ? `${a.number} (retry ${a.series - 1})` : orDash(a.number)),
      h("td", { class: "nowrap" }, time(a.started_at)),
      h("td", { class: "num nowrap" }, a.duration_ms != null ? `${a.duration_ms} ms` : "—"),
      h("td", {}, result, a.http_status != null && a.error ? h("p", { class: "small muted", text: String(a.error) }) : null),
      h("td", {}, a.response_snippet ? h("pre", { class: "snippet", text: String(a.response_snippet) }) : h("span", { class: "muted", text: "—" }))));
  }
  return h("table", { id: "attempts-table", class: "table" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col", text: c })))), tbody);
}

async function renderOne(view, ctx) {
  const back = h("a", { class: "back-link", href: "#/deliveries", text: "← All deliveries" });
  view.append(back, h("p", { class: "loading", text: "Loading…" }));
  let data;
  try {
    data = await api(`/api/deliveries/${encode(ctx.id)}`);
  } catch (err) {
    view.replaceChildren(back, loadError(err, ctx.rerender));
    return;
  }
  const d = data?.delivery ?? {};
  // A manual retry starts a new series at attempt 1: order by (series, number).
  const attempts = (Array.isArray(data?.attempts) ? data.attempts : []).slice()
    .sort((a, b) => (a.series ?? 1) - (b.series ?? 1) || a.number - b.number);
  const retryStatus = h("span", { class: "muted", "aria-live": "polite" });
  const retry = h("button", { type: "button", class: "btn btn-primary", id: "delivery-retry", text: "Retry now" });
  retry.addEventListener("click", async () => {
    retry.disabled = true;
    retryStatus.textContent = "Scheduling a new attempt…";
    try {
      await api(`/api/deliveries/${encode(ctx.id)}/retry`, { method: "POST" });
      retryStatus.textContent = "Scheduled. Refreshing…";
      setTimeout(ctx.rerender, 800);
    } catch (err) {
      retryStatus.textContent = `Retry refused: ${err.message}`;
      retry.disabled = false;
    }
  });

  view.replaceChildren(
    back,
    pageHeader(`Delivery ${orDash(d.id)}`, `${orDash(d.event)} for ${orDash(d.assessment_id)}`,
      badge(orDash(d.status), statusTone(d.status)), retry, retryStatus),
    h("div", { class: "two-col" },
      h("section", { class: "card" }, h("h2", { text: "Details" }),
        keyValueList([
          ["Status", d.status],
          ["Event", d.event],
          ["Assessment", d.assessment_id],
          ["Endpoint", d.endpoint_id ? h("a", { class: "mono", href: "#/endpoints", text: String(d.endpoint_id) }) : null],
          ["Attempts", d.attempts],
          ["Next attempt", d.next_attempt_at ? time(d.next_attempt_at) : null],
          ["Created", time(d.created_at)],
          ["Updated", time(d.updated_at)],
        ])),
      h("section", { class: "card" }, h("h2", { text: "Body" }),
        h("p", { class: "muted small", text: "The exact bytes sent and signed on every attempt." }),
        h("pre", { id: "delivery-body", class: "code-block", text: String(d.body ?? "") }))),
    h("section", { class: "card card-flush" },
      h("div", { class: "card-head" }, h("h2", { text: "Attempts" })),
      h("div", { class: "table-wrap" }, attemptsTable(attempts))));
}

export function render(view, ctx) {
  return ctx.id ? renderOne(view, ctx) : renderList(view, ctx);
}
