// The admin API client. The token lives in sessionStorage (gone when the tab closes, never in a
// URL or a cookie the server would have to guard) and goes out as a bearer header.

const TOKEN_KEY = "hookline_admin_token";
const TIMEOUT_MS = 20000;

export class ApiError extends Error {
  constructor(status, message, body = null) {
    super(message);
    this.name = "ApiError";
    this.status = status; // 0 when the server could not be reached
    this.body = body;
  }
}

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* nothing stored */
  }
}

// Calls the API and returns the parsed JSON body (null for an empty one).
// A 401 signs the user out everywhere via the "hookline:unauthorized" event, unless
// options.token is given (the sign-in form checks a token it has not stored yet).
export async function api(path, { method = "GET", body, token } = {}) {
  const bearer = token ?? getToken();
  const headers = { Accept: "application/json" };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
      signal: controller.signal,
    });
  } catch {
    throw new ApiError(0, "The server could not be reached. Check that hookline is running.");
  } finally {
    clearTimeout(timer);
  }

  const text = await res.text().catch(() => "");
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (res.status === 401) {
    if (token === undefined) {
      clearToken();
      window.dispatchEvent(new CustomEvent("hookline:unauthorized"));
    }
    throw new ApiError(401, "The admin token was not accepted.", data);
  }
  if (!res.ok) {
    const message = typeof data?.error === "string" ? data.error : `The server answered ${res.status}.`;
    throw new ApiError(res.status, message, data);
  }
  return data;
}

// "/api/events" + {type: "x", lead_id: ""} -> "/api/events?type=x" (empty values left out).
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of params instanceof URLSearchParams ? params : Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export const encode = encodeURIComponent;
