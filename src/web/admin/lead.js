// One lead: contact details, where they came from, and every EventLog row linked to them
// (their visits after signing up, the lead.created row, payments from the payment service).

import { api, encode } from "./api.js";
import { emptyRow, h, keyValueList, loadError, notice, orDash, time } from "./dom.js";
import { EVENT_COLUMNS, eventRow, eventTable } from "./event-rows.js";

const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];

function header(lead) {
  return h("header", { class: "page-header" },
    h("div", {},
      h("a", { class: "back-link", href: "#/leads", text: "← All leads" }),
      h("h1", { id: "lead-title", text: orDash(lead.name) }),
      h("p", { class: "page-sub" }, orDash(lead.company), " · ", h("span", { class: "break", text: orDash(lead.email) }))));
}

function contactCard(lead) {
  return h("section", { class: "card" },
    h("h2", { text: "Contact" }),
    keyValueList([
      ["Name", lead.name],
      ["Email", lead.email],
      ["Company", lead.company],
      ["Phone", lead.phone],
      ["Received", time(lead.created_at)],
    ]),
    h("h3", { class: "card-subhead", text: "Message" }),
    lead.message
      ? h("p", { class: "message", id: "lead-message-text", text: String(lead.message) })
      : h("p", { class: "muted", text: "No message." }));
}

function attributionCard(lead) {
  return h("section", { class: "card" },
    h("h2", { text: "Attribution" }),
    keyValueList([
      ...UTM_KEYS.map((key) => [key, lead[key]]),
      ["referrer", lead.referrer ? h("span", { class: "break", text: String(lead.referrer) }) : null],
      ["visitor id", lead.anonymous_id ? h("span", { class: "mono", text: String(lead.anonymous_id) }) : null],
      ["lead id", h("span", { class: "mono", text: String(lead.id ?? "") })],
    ]));
}

function timelineCard(lead, timeline) {
  const { table, tbody } = eventTable("lead-timeline");
  if (timeline.length === 0) tbody.append(emptyRow(EVENT_COLUMNS.length, "No events for this lead yet."));
  for (const event of timeline) tbody.append(eventRow(event, { linkLead: false }));
  const params = new URLSearchParams({ lead_id: String(lead.id ?? "") });
  return h("section", { class: "card card-flush" },
    h("div", { class: "card-head" },
      h("div", {}, h("h2", { text: "Timeline" }), h("p", { class: "muted", text: "Oldest first" })),
      h("a", { href: `#/events?${params}`, text: "Open in the event log" })),
    h("div", { class: "table-wrap" }, table));
}

export async function render(view, ctx) {
  view.append(h("p", { class: "loading", text: "Loading…" }));
  let data;
  try {
    data = await api(`/api/leads/${encode(ctx.id)}`);
  } catch (err) {
    view.replaceChildren(h("a", { class: "back-link", href: "#/leads", text: "← All leads" }),
      err.status === 404
        ? notice("No such lead", `There is no lead with the id ${ctx.id}.`, "error")
        : loadError(err, ctx.rerender));
    return;
  }
  const lead = data?.lead ?? {};
  // Oldest first: the timeline reads as the story of this lead, from first visit to payment.
  const timeline = (Array.isArray(data?.timeline) ? data.timeline : [])
    .slice()
    .sort((a, b) => (Date.parse(a.created_at) || 0) - (Date.parse(b.created_at) || 0));
  view.replaceChildren(
    header(lead),
    h("div", { class: "two-col" }, contactCard(lead), attributionCard(lead)),
    timelineCard(lead, timeline));
}
