// The dashboard shell: sign-in gate, hash router, navigation.
//
// Routes are "#/<page>[/<id>][?query]". Each page module exports render(view, ctx) and may
// return a cleanup function; every navigation gets a fresh view element, so a slow response
// for a page already left writes into a detached node and is simply lost.

import { clearToken, getToken } from "./api.js";
import { h } from "./dom.js";
import * as deliveries from "./deliveries.js";
import * as endpoints from "./endpoints.js";
import * as events from "./events.js";
import * as funnel from "./funnel.js";
import * as lead from "./lead.js";
import * as leads from "./leads.js";
import { setupSignin } from "./signin.js";

const ROUTES = [
  { pattern: /^\/funnel$/, section: "funnel", page: funnel, title: "Funnel" },
  { pattern: /^\/events$/, section: "events", page: events, title: "Event log" },
  { pattern: /^\/leads$/, section: "leads", page: leads, title: "Leads" },
  { pattern: /^\/leads\/(.+)$/, section: "leads", page: lead, title: "Lead" },
  { pattern: /^\/endpoints$/, section: "endpoints", page: endpoints, title: "Endpoints" },
  { pattern: /^\/deliveries$/, section: "deliveries", page: deliveries, title: "Deliveries" },
  { pattern: /^\/deliveries\/(.+)$/, section: "deliveries", page: deliveries, title: "Delivery" },
];
const DEFAULT_HASH = "#/funnel";

const signinView = document.getElementById("signin-view");
const shell = document.getElementById("shell");
const main = document.getElementById("view");
const nav = document.getElementById("nav");
let cleanup = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/funnel";
  const at = raw.indexOf("?");
  const path = at === -1 ? raw : raw.slice(0, at);
  const query = new URLSearchParams(at === -1 ? "" : raw.slice(at + 1));
  return { path, query };
}

// A hand-typed "#/leads/%zz" must not throw out of the router.
function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function runCleanup() {
  try {
    cleanup?.();
  } catch (err) {
    console.error(err);
  }
  cleanup = null;
}

function showSignin(message) {
  runCleanup();
  main.replaceChildren();
  shell.hidden = true;
  signinView.hidden = false;
  document.title = "Sign in · hookline admin";
  signin.show(message);
}

async function route() {
  if (!getToken()) {
    showSignin();
    return;
  }
  const { path, query } = parseHash();
  const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  if (!match) {
    location.replace(DEFAULT_HASH);
    return;
  }
  signinView.hidden = true;
  shell.hidden = false;
  runCleanup();

  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.section === match.r.section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${match.r.title} · hookline admin`;

  const view = h("div", { class: "page" });
  main.replaceChildren(view);
  const ctx = {
    path,
    query,
    id: match.m[1] ? safeDecode(match.m[1]) : null,
    rerender: () => route(),
  };
  try {
    const result = await match.r.page.render(view, ctx);
    if (typeof result === "function") {
      // The user may have moved on while this page was loading.
      if (main.contains(view)) cleanup = result;
      else result();
    }
  } catch (err) {
    console.error(err);
  }
}

const signin = setupSignin({
  onSignedIn() {
    if (!location.hash || location.hash === "#" || location.hash === "#/") {
      location.replace(DEFAULT_HASH);
    }
    route();
    main.focus({ preventScroll: true });
  },
});

document.getElementById("signout").addEventListener("click", () => {
  clearToken();
  showSignin();
});

window.addEventListener("hookline:unauthorized", () => {
  showSignin("Your session has ended or the token was changed. Please sign in again.");
});

window.addEventListener("hashchange", route);
route();
