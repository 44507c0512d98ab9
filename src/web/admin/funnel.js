// Funnel page: visitors -> form starts -> leads -> paying leads, as totals and per UTC day.
//
// Dates are whole UTC days because the server buckets by UTC day; "until" is sent as the
// midnight after the chosen day, so the chosen day is included.

import { api, withQuery } from "./api.js";
import { formatRate, h, loadError, pageHeader, replaceHashQuery } from "./dom.js";

const DAY_MS = 86400000;
const SERIES = [
  { key: "visitors", label: "Visitors", color: "#1f5fd6" },
  { key: "form_starts", label: "Form starts", color: "#7a5af8" },
  { key: "leads", label: "Leads", color: "#14915f" },
  { key: "paying_leads", label: "Paying leads", color: "#c47f12" },
];

const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const validDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s ?? "") && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

function defaultRange(days = 30) {
  const today = Date.parse(`${isoDay(Date.now())}T00:00:00Z`);
  return { since: isoDay(today - (days - 1) * DAY_MS), until: isoDay(today) };
}

function readRange(query) {
  const fallback = defaultRange();
  const since = validDay(query.get("since")) ? query.get("since") : fallback.since;
  const until = validDay(query.get("until")) ? query.get("until") : fallback.until;
  return since <= until ? { since, until } : { since: until, until: since };
}

function statCard(id, label, value, foot) {
  return h("div", { class: "stat-card" },
    h("p", { class: "stat-label", text: label }),
    h("p", { class: "stat-value", id, text: String(value ?? 0) }),
    h("p", { class: "stat-foot", text: foot }));
}

function cards(data) {
  const r = data.rates ?? {};
  const payments = typeof data.payments === "number" ? ` · ${data.payments} payments` : "";
  return h("div", { class: "stat-grid" },
    statCard("stat-visitors", "Visitors", data.visitors, "Distinct visitors with a page view"),
    statCard("stat-form-starts", "Form starts", data.form_starts,
      `${formatRate(r.visitor_to_form_start)} of visitors`),
    statCard("stat-leads", "Leads", data.leads, `${formatRate(r.form_start_to_lead)} of form starts`),
    statCard("stat-paying-leads", "Paying leads", data.paying_leads,
      `${formatRate(r.lead_to_paying)} of leads${payments}`));
}

function conversionStrip(data) {
  const r = data.rates ?? {};
  const item = (label, value) => h("div", { class: "conv-item" },
    h("span", { class: "conv-label", text: label }), h("strong", { text: formatRate(value) }));
  return h("div", { class: "conv-strip", "aria-label": "Conversion rates" },
    item("Visitor → form start", r.visitor_to_form_start),
    item("Form start → lead", r.form_start_to_lead),
    item("Visitor → lead", r.visitor_to_lead),
    item("Lead → paying", r.lead_to_paying));
}

function bucketTable(buckets) {
  return h("details", { class: "data-table-toggle" },
    h("summary", { text: "Show the numbers per day" }),
    h("div", { class: "table-wrap" },
      h("table", { class: "table table-compact" },
        h("thead", {}, h("tr", {}, h("th", { text: "Day (UTC)" }),
          SERIES.map((s) => h("th", { class: "num", text: s.label })))),
        h("tbody", {}, buckets.map((b) => h("tr", {},
          h("td", { text: String(b.start ?? "").slice(0, 10) }),
          SERIES.map((s) => h("td", { class: "num", text: String(b[s.key] ?? 0) }))))))));
}

// Draws the chart with uPlot; returns a cleanup function.
function drawChart(target, buckets) {
  if (!window.uPlot) {
    target.append(h("p", { class: "muted", text: "The chart library did not load." }));
    return () => {};
  }
  const xs = buckets.map((b) => Date.parse(b.start) / 1000);
  const data = [xs, ...SERIES.map((s) => buckets.map((b) => Number(b[s.key] ?? 0)))];
  const width = () => Math.max(280, target.clientWidth);
  const opts = {
    width: width(),
    height: 300,
    tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
    axes: [
      { stroke: "#6b768a", grid: { stroke: "#eef1f6" }, ticks: { stroke: "#dde3ec" } },
      { stroke: "#6b768a", grid: { stroke: "#eef1f6" }, ticks: { stroke: "#dde3ec" }, size: 48 },
    ],
    series: [
      { label: "Day", value: (_u, ts) => (ts == null ? "—" : isoDay(ts * 1000)) },
      ...SERIES.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        fill: s.key === "visitors" ? "rgba(31, 95, 214, 0.06)" : undefined,
        points: { size: 5 },
      })),
    ],
  };
  const chart = new window.uPlot(opts, data, target);
  // uPlot has a fixed pixel size; follow the card's width as the window changes.
  const observer = new ResizeObserver(() => {
    const w = width();
    if (Math.abs(w - chart.width) > 1) chart.setSize({ width: w, height: 300 });
  });
  observer.observe(target);
  return () => {
    observer.disconnect();
    chart.destroy();
  };
}

function rangeForm(range, onChange) {
  const since = h("input", { type: "date", id: "funnel-since", name: "since", value: range.since, required: true });
  const until = h("input", { type: "date", id: "funnel-until", name: "until", value: range.until, required: true });
  const preset = (days) => h("button", {
    type: "button",
    class: "btn btn-small btn-quiet",
    text: `${days} days`,
    on: { click: () => onChange(defaultRange(days)) },
  });
  return h("form", {
    id: "funnel-range",
    class: "toolbar",
    on: {
      submit: (event) => {
        event.preventDefault();
        if (validDay(since.value) && validDay(until.value)) onChange(readRange(new URLSearchParams({ since: since.value, until: until.value })));
      },
    },
  },
  h("label", { class: "inline-field" }, h("span", { text: "From" }), since),
  h("label", { class: "inline-field" }, h("span", { text: "To" }), until),
  h("button", { type: "submit", class: "btn btn-small", id: "funnel-apply", text: "Apply" }),
  h("div", { class: "presets" }, preset(7), preset(30), preset(90)));
}

export async function render(view, ctx) {
  let range = readRange(ctx.query);
  let chartCleanup = null;
  const body = h("div", { class: "funnel-body" });

  async function load() {
    chartCleanup?.();
    chartCleanup = null;
    body.replaceChildren(h("p", { class: "loading", text: "Loading…" }));
    const params = {
      since: `${range.since}T00:00:00.000Z`,
      until: new Date(Date.parse(`${range.until}T00:00:00Z`) + DAY_MS).toISOString(),
      bucket: "day",
    };
    let data;
    try {
      data = await api(withQuery("/api/stats/funnel", params));
    } catch (err) {
      body.replaceChildren(loadError(err, load));
      return;
    }
    const buckets = Array.isArray(data?.buckets) ? data.buckets : [];
    const chartTarget = h("div", { id: "funnel-chart", class: "chart" });
    body.replaceChildren(
      cards(data ?? {}),
      conversionStrip(data ?? {}),
      h("section", { class: "card" },
        h("div", { class: "card-head" },
          h("h2", { text: "Over time" }),
          h("p", { class: "muted", text: `${range.since} to ${range.until}, by UTC day` })),
        buckets.length ? chartTarget : h("p", { class: "muted empty", text: "No data in this range." }),
        buckets.length ? bucketTable(buckets) : null),
      h("details", { class: "raw" },
        h("summary", { text: "Raw response" }),
        h("pre", { text: JSON.stringify(data, null, 2) })));
    if (buckets.length) chartCleanup = drawChart(chartTarget, buckets);
  }

  view.append(
    pageHeader("Funnel", "From the first visit to a paying lead."),
    rangeForm(range, (next) => {
      range = next;
      view.querySelector("#funnel-since").value = range.since;
      view.querySelector("#funnel-until").value = range.until;
      replaceHashQuery("/funnel", new URLSearchParams(range));
      load();
    }),
    body);
  await load();
  return () => chartCleanup?.();
}
