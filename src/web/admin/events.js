// EventLog browser: filters by source, type and lead, newest first, "Older" pages backwards
// with the server's cursor (keyset paging, so rows do not shift as new events arrive).

import { api, withQuery } from "./api.js";
import { emptyRow, formParams, h, loadError, pageHeader, replaceHashQuery } from "./dom.js";
import { EVENT_COLUMNS, eventRow, eventTable } from "./event-rows.js";

const PAGE_SIZE = 50;
const FILTERS = [
  { name: "source", id: "filter-source", label: "Source", placeholder: "landing", list: "sources" },
  { name: "type", id: "filter-type", label: "Type", placeholder: "page_view", list: "types" },
  { name: "lead_id", id: "filter-lead", label: "Lead id", placeholder: "any lead" },
];
const KNOWN_SOURCES = ["landing", "payment_service"];
const KNOWN_TYPES = ["page_view", "scroll_50", "form_start", "form_submit", "form_error",
  "lead_created", "lead.created", "payment.succeeded"];

function filterForm(query, onApply) {
  const clear = () => {
    for (const f of FILTERS) form.elements.namedItem(f.name).value = "";
    onApply(new URLSearchParams());
  };
  const form = h("form", { id: "events-filter", class: "filters", role: "search" },
    FILTERS.map((f) => h("label", { class: "field" },
      h("span", { text: f.label }),
      h("input", {
        id: f.id, name: f.name, type: "search", value: query.get(f.name) ?? "",
        placeholder: f.placeholder, list: f.list ? `events-${f.list}` : null,
        autocomplete: "off", spellcheck: "false",
      }))),
    h("datalist", { id: "events-sources" }, KNOWN_SOURCES.map((v) => h("option", { value: v }))),
    h("datalist", { id: "events-types" }, KNOWN_TYPES.map((v) => h("option", { value: v }))),
    h("div", { class: "filter-actions" },
      h("button", { type: "submit", class: "btn btn-small", id: "events-apply", text: "Apply" }),
      h("button", {
        type: "button", class: "btn btn-small btn-quiet", id: "events-clear", text: "Clear",
        on: { click: clear },
      })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onApply(formParams(form, FILTERS.map((f) => f.name)));
  });
  return form;
}

export async function render(view, ctx) {
  let filters = new URLSearchParams();
  for (const f of FILTERS) {
    const value = ctx.query.get(f.name)?.trim();
    if (value) filters.set(f.name, value);
  }
  let cursor = null;
  let loaded = 0;
  let generation = 0; // a newer filter wins over an older page still loading

  const { table, tbody } = eventTable("events-table");
  const status = h("p", { class: "table-status muted", id: "events-status", "aria-live": "polite" });
  const older = h("button", { type: "button", class: "btn", id: "events-next", text: "Older events", hidden: true });
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
    const params = new URLSearchParams(filters);
    params.set("limit", String(PAGE_SIZE));
    if (append && cursor) params.set("cursor", cursor);
    let data;
    try {
      data = await api(withQuery("/api/events", params));
    } catch (err) {
      if (mine !== generation) return;
      if (append) {
        status.textContent = `Could not load older events: ${err.message}`;
        older.disabled = false;
      } else {
        results.replaceChildren(loadError(err, () => load(false)));
      }
      return;
    }
    if (mine !== generation) return;
    const items = Array.isArray(data?.items) ? data.items : [];
    if (!append && items.length === 0) {
      tbody.append(emptyRow(EVENT_COLUMNS.length,
        filters.toString() ? "No events match these filters." : "No events recorded yet."));
    }
    for (const event of items) tbody.append(eventRow(event));
    loaded += items.length;
    cursor = data?.next_cursor ?? null;
    older.hidden = !cursor;
    older.disabled = false;
    status.textContent = loaded === 0 ? "" : `Showing ${loaded} event${loaded === 1 ? "" : "s"}, newest first${cursor ? "" : " — that is all of them"}.`;
  }

  older.addEventListener("click", () => load(true));

  view.append(
    pageHeader("Event log", "Everything hookline has recorded: landing page events, leads and inbound webhooks."),
    filterForm(ctx.query, (next) => {
      filters = next;
      replaceHashQuery("/events", filters);
      load(false);
    }),
    results);
  await load(false);
}
