// Leads list: search by name, email or company; newest first; a row opens the lead.

import { api, withQuery } from "./api.js";
import { emptyRow, h, loadError, orDash, pageHeader, replaceHashQuery, time } from "./dom.js";

const PAGE_SIZE = 50;
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
  let cursor = null;
  let loaded = 0;
  let generation = 0;

  const tbody = h("tbody");
  const table = h("table", { id: "leads-table", class: "table" },
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col", text: c })))),
    tbody);
  const status = h("p", { class: "table-status muted", "aria-live": "polite" });
  const older = h("button", { type: "button", class: "btn", id: "leads-next", text: "Older leads", hidden: true });
  const results = h("div", { class: "results" });

  async function load(append) {
    const mine = ++generation;
    older.disabled = true;
    if (!append) {
      cursor = null;
      loaded = 0;
      tbody.replaceChildren();
      results.replaceChildren(h("div", { class: "table-wrap" }, table), h("div", { class: "table-foot" }, status, older));
      status.textContent = "Loading…";
    }
    let data;
    try {
      data = await api(withQuery("/api/leads", { q, limit: PAGE_SIZE, cursor: append ? cursor : null }));
    } catch (err) {
      if (mine !== generation) return;
      if (append) {
        status.textContent = `Could not load older leads: ${err.message}`;
        older.disabled = false;
      } else {
        results.replaceChildren(loadError(err, () => load(false)));
      }
      return;
    }
    if (mine !== generation) return;
    const items = Array.isArray(data?.items) ? data.items : [];
    if (!append && items.length === 0) {
      tbody.append(emptyRow(COLUMNS.length, q ? "No leads match this search." : "No leads yet."));
    }
    for (const lead of items) tbody.append(leadRow(lead));
    loaded += items.length;
    cursor = data?.next_cursor ?? null;
    older.hidden = !cursor;
    older.disabled = false;
    status.textContent = loaded === 0 ? "" : `Showing ${loaded} lead${loaded === 1 ? "" : "s"}, newest first.`;
  }

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
  older.addEventListener("click", () => load(true));

  view.append(pageHeader("Leads", "People who asked for a Founding Review on the landing page."), form, results);
  await load(false);
}
