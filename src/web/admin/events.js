// EventLog browser: filters by source, type and lead, newest first, "Older" pages backwards
// with the server's cursor (keyset paging, so rows do not shift as new events arrive).

import { api, withQuery } from "./api.js";
import { formParams, h, pageHeader, replaceHashQuery } from "./dom.js";
import { EVENT_COLUMNS, eventRow, eventTable } from "./event-rows.js";
import { PAGE_SIZE, pagedTable, plural } from "./paged.js";

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
  const { table, tbody } = eventTable("events-table");
  const { results, load } = pagedTable({
    table, tbody, columns: EVENT_COLUMNS.length,
    fetchPage: (cursor) => {
      const params = new URLSearchParams(filters);
      params.set("limit", String(PAGE_SIZE));
      if (cursor) params.set("cursor", cursor);
      return api(withQuery("/api/events", params));
    },
    row: eventRow,
    emptyText: () => (filters.toString() ? "No events match these filters." : "No events recorded yet."),
    olderId: "events-next", olderText: "Older events", olderError: "Could not load older events",
    statusId: "events-status",
    describe: (n, more) => `Showing ${plural(n, "event")}, newest first${more ? "" : " — that is all of them"}.`,
  });

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
