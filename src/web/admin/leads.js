// Leads list: search by name, email or company; newest first; a row opens the lead.

import { api, withQuery } from "./api.js";
import { h, orDash, pageHeader, replaceHashQuery, time } from "./dom.js";
import { PAGE_SIZE, pagedTable, plural } from "./paged.js";

const COLUMNS = ["Received", "Name", "Email", "Company", "Source"];

function attribution(lead) {
  const parts = [lead.utm_source, lead.utm_medium, lead.utm_campaign].filter(Boolean);
  if (parts.length) return parts.join(" / ");
  if (lead.referrer) {
    try {
      return new URL(lead.referrer).host;
    } catch {
      return String(lead.referrer);
    }
  }
  return "direct";
}

function leadRow(lead) {
  const href = `#/leads/${encodeURIComponent(String(lead.id))}`;
  const row = h("tr", { class: "clickable", dataset: { leadId: String(lead.id) } },
    h("td", { class: "nowrap" }, time(lead.created_at)),
    h("td", {}, h("a", { href, class: "strong", text: orDash(lead.name) })),
    h("td", { class: "nowrap" }, orDash(lead.email)),
    h("td", {}, orDash(lead.company)),
    h("td", { class: "muted nowrap" }, attribution(lead)));
  // The whole row is a target for the mouse; keyboard users have the link in it.
  row.addEventListener("click", (event) => {
    if (event.target.closest("a") || window.getSelection()?.toString()) return;
    location.hash = href;
  });
  return row;
}

export async function render(view, ctx) {
  let q = ctx.query.get("q")?.trim() ?? "";
  const tbody = h("tbody");
  const table = h("table", { id: "leads-table", class: "table" },
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col", text: c })))),
    tbody);
  const { results, load } = pagedTable({
    table, tbody, columns: COLUMNS.length,
    fetchPage: (cursor) => api(withQuery("/api/leads", { q, limit: PAGE_SIZE, cursor })),
    row: leadRow,
    emptyText: () => (q ? "No leads match this search." : "No leads yet."),
    olderId: "leads-next", olderText: "Older leads", olderError: "Could not load older leads",
    describe: (n) => `Showing ${plural(n, "lead")}, newest first.`,
  });

  const input = h("input", {
    id: "leads-q", name: "q", type: "search", value: q,
    placeholder: "Name, email or company", autocomplete: "off", "aria-label": "Search leads",
  });
  const form = h("form", { id: "leads-search", class: "filters filters-single", role: "search" },
    input, h("button", { type: "submit", class: "btn btn-small", text: "Search" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    q = input.value.trim();
    replaceHashQuery("/leads", new URLSearchParams(q ? { q } : {}));
    load(false);
  });

  view.append(pageHeader("Leads", "People who asked for a Founding Review on the landing page."), form, results);
  await load(false);
}
