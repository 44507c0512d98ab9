// Funnel events of the landing page, sent to POST /api/events.
//
// Every event gets its id here, on the client, and keeps it across retries: the server stores
// an id once, so a send that reached the server but whose reply was lost is not counted twice.
// Tracking must never break the page, so every failure here is swallowed.

const VISITOR_KEY = "hookline_aid";
const LEAD_KEY = "hookline_lead_id";
const RETRY_DELAYS_MS = [600, 2000];
const MAX_PROPS = 32;
const MAX_PROP_CHARS = 512;
const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];

export function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // Older browsers (and plain-http origins other than localhost) lack randomUUID.
  const bytes = new Uint8Array(16);
  if (globalThis.crypto?.getRandomValues) {
    crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// localStorage throws in some privacy modes; the visit then just gets a per-page id.
function storageGet(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function storageSet(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* not persisted; fine */
  }
}

let memoryVisitorId = null;

export function anonymousId() {
  let id = storageGet(VISITOR_KEY);
  if (!id) {
    id = memoryVisitorId ?? uuid();
    memoryVisitorId = id;
    storageSet(VISITOR_KEY, id);
  }
  return id;
}

// A visitor who already left contacts is linked to the lead on later visits, so the lead's
// timeline shows them.
export function knownLeadId() {
  return storageGet(LEAD_KEY);
}

export function rememberLead(leadId) {
  if (leadId) storageSet(LEAD_KEY, String(leadId));
}

// UTM parameters of the landing URL, only those present and non-empty.
export function utmParams() {
  const params = new URLSearchParams(location.search);
  const out = {};
  for (const key of UTM_KEYS) {
    const value = params.get(key);
    if (value) out[key] = value.slice(0, 200);
  }
  return out;
}

// The server accepts a flat object of at most 32 string/number/bool values.
function cleanProps(props) {
  const out = {};
  let count = 0;
  for (const [key, value] of Object.entries(props ?? {})) {
    if (count >= MAX_PROPS) break;
    if (typeof value === "string") {
      if (value === "") continue;
      out[key] = value.slice(0, MAX_PROP_CHARS);
    } else if (typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) {
      out[key] = value;
    } else {
      continue;
    }
    count++;
  }
  return out;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(body) {
  const json = JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    let retryable;
    try {
      const res = await fetch("/api/events", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: json,
        keepalive: true, // lets the last events of a page survive navigation away
        credentials: "same-origin",
      });
      if (res.ok) return true;
      // 4xx other than 429 means the event itself is refused: sending it again cannot help.
      retryable = res.status === 429 || res.status >= 500;
    } catch {
      retryable = true; // network error: the server may or may not have stored it
    }
    if (!retryable || attempt >= RETRY_DELAYS_MS.length) return false;
    await sleep(RETRY_DELAYS_MS[attempt]);
  }
}

// Sends one funnel event; resolves to whether the server accepted it. Never rejects.
export function track(type, props = {}, leadId = knownLeadId()) {
  const body = { id: uuid(), type, anonymous_id: anonymousId() };
  if (leadId) body.lead_id = String(leadId);
  const clean = cleanProps(props);
  if (Object.keys(clean).length > 0) body.props = clean;
  return send(body).catch(() => false);
}
