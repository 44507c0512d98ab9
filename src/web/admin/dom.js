// DOM helpers of the dashboard. Everything that came from the server reaches the page through
// these as text nodes or attribute values, never as HTML: a payload holding "<script>" is shown
// as those characters. There is deliberately no helper that takes an HTML string.

// h("a", {href: "#/leads", class: "link", text: "Leads"}, ...children)
// props: class, text, dataset {…}, on {event: handler}; true booleans (hidden, disabled,
// checked, open, required, selected) become attributes, so form.reset() returns to them;
// anything else is set as an attribute; null, undefined and false are left out.
const BOOLEAN_PROPS = new Set(["hidden", "disabled", "checked", "open", "required", "selected"]);

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") {
      el.className = value;
    } else if (key === "text") {
      el.textContent = String(value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (BOOLEAN_PROPS.has(key)) {
      el.toggleAttribute(key, true);
    } else if (key === "style" || key === "innerHTML" || key.startsWith("on")) {
      // Inline styles and handlers are blocked by the CSP anyway; fail loudly in development.
      throw new Error(`h(): "${key}" is not allowed`);
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

// A <time> showing local time; the exact UTC value is in its tooltip.
export function time(iso) {
  if (!iso) return h("span", { class: "muted", text: "—" });
  const date = new Date(iso);
  const text = Number.isNaN(date.getTime()) ? String(iso) : dateTimeFormat.format(date);
  return h("time", { datetime: String(iso), title: String(iso), text });
}

export function formatRate(rate) {
  if (typeof rate !== "number" || !Number.isFinite(rate)) return "—";
  const percent = rate * 100;
  return `${percent >= 10 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

export function orDash(value) {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

export function pageHeader(title, subtitle, ...actions) {
  return h(
    "header",
    { class: "page-header" },
    h("div", {}, h("h1", { text: title }), subtitle ? h("p", { class: "page-sub", text: subtitle }) : null),
    actions.length ? h("div", { class: "page-actions" }, actions) : null,
  );
}

export function badge(text, tone = "neutral") {
  return h("span", { class: `badge badge-${tone}`, text });
}

// Colour of a delivery or payment status, by the words such statuses usually use.
export function statusTone(status) {
  const s = String(status ?? "").toLowerCase();
  if (/(deliver|succe|complete|ok|paid)/.test(s)) return "good";
  if (/(fail|dead|error|reject)/.test(s)) return "bad";
  if (/(pend|retry|schedul|progress|queue|sending)/.test(s)) return "warn";
  return "neutral";
}

export function notice(title, text, tone = "info") {
  return h("div", { class: `notice notice-${tone}`, role: tone === "error" ? "alert" : "status" },
    h("p", { class: "notice-title", text: title }),
    text ? h("p", { text }) : null);
}

// A load error for a page; 404 on a route means this server does not have that feature yet.
export function loadError(err, retry) {
  if (err?.status === 404) {
    return notice("Not available on this server yet",
      "This server does not offer this part of the API. It arrives with a later version of hookline.");
  }
  const box = notice("Could not load this page", err?.message ?? String(err), "error");
  if (retry) box.append(h("button", { class: "btn btn-small", type: "button", text: "Try again", on: { click: retry } }));
  return box;
}

export function emptyRow(colspan, text) {
  return h("tr", { class: "empty-row" }, h("td", { colspan, text }));
}

export function keyValueList(pairs) {
  return h("dl", { class: "kv" },
    pairs.map(([key, value]) => [
      h("dt", { text: key }),
      h("dd", {}, value instanceof Node ? value : orDash(value)),
    ]));
}

export function compactJson(value, max = 120) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// Collapsible pretty-printed JSON; the summary shows a one-line preview.
export function jsonDetails(value, open = false) {
  let pretty;
  try {
    pretty = JSON.stringify(value, null, 2);
  } catch {
    pretty = String(value);
  }
  return h("details", { class: "json", open },
    h("summary", {}, h("code", { text: compactJson(value) })),
    h("pre", { text: pretty ?? String(value) }));
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // clipboard needs a secure context; the caller selects the text instead
  }
}

export function selectContents(el) {
  const range = document.createRange();
  range.selectNodeContents(el);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

// Reads a form's text fields into URLSearchParams, leaving out empty ones.
export function formParams(form, names) {
  const params = new URLSearchParams();
  for (const name of names) {
    const value = String(form.elements.namedItem(name)?.value ?? "").trim();
    if (value) params.set(name, value);
  }
  return params;
}

// Keeps the current page's filters in the address bar without re-rendering the page.
export function replaceHashQuery(path, params) {
  const query = params.toString();
  history.replaceState(null, "", `#${path}${query ? `?${query}` : ""}`);
}
