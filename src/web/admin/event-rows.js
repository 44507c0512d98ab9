// EventLog rows as table rows; shared by the event log browser and a lead's timeline.

import { badge, h, jsonDetails, time } from "./dom.js";

export const EVENT_COLUMNS = ["Time", "Type", "Source", "Lead", "Payload"];

function sourceTone(source) {
  if (source === "landing") return "info";
  if (source === "payment_service") return "good";
  return "neutral";
}

export function eventRow(event, { linkLead = true } = {}) {
  const leadId = event.lead_id === null || event.lead_id === undefined ? null : String(event.lead_id);
  const typeParams = new URLSearchParams({ type: String(event.type ?? "") });
  return h("tr", { dataset: { eventId: String(event.id ?? "") } },
    h("td", { class: "nowrap" }, time(event.created_at)),
    h("td", {},
      h("a", { class: "type-link", href: `#/events?${typeParams}`, title: "Show only this type" },
        h("code", { text: String(event.type ?? "") }))),
    h("td", {}, badge(String(event.source ?? ""), sourceTone(event.source))),
    h("td", { class: "nowrap" },
      leadId
        ? (linkLead
          ? h("a", { href: `#/leads/${encodeURIComponent(leadId)}`, text: leadId, class: "mono" })
          : h("span", { class: "mono", text: leadId }))
        : h("span", { class: "muted", text: "—" })),
    h("td", { class: "payload-cell" },
      jsonDetails(event.payload),
      h("p", { class: "event-id mono", title: "Event id", text: String(event.id ?? "") })));
}

export function eventTable(id) {
  const tbody = h("tbody");
  const table = h("table", { id, class: "table" },
    h("thead", {}, h("tr", {}, EVENT_COLUMNS.map((c) => h("th", { scope: "col", text: c })))),
    tbody);
  return { table, tbody };
}
