// Webhook endpoints of customers' systems: add, enable/disable, rotate the secret, delete.
//
// A signing secret is shown exactly once, right after it is created or rotated; the server
// never returns it again, so the panel says so plainly and offers a copy button.

import { api, encode } from "./api.js";
import {
  badge, copyText, emptyRow, h, loadError, notice, orDash, pageHeader, selectContents, time,
} from "./dom.js";

const EVENT_TYPES = [{ value: "render.completed", label: "render.completed — a Founding Review PDF is ready" }];
const COLUMNS = ["Endpoint", "Events", "Status", "Created", "Actions"];

function secretPanel() {
  const code = h("code", { id: "endpoint-secret", class: "secret" });
  const copied = h("span", { class: "muted", "aria-live": "polite" });
  const title = h("p", { class: "notice-title" });
  const panel = h("div", { id: "endpoint-secret-panel", class: "notice notice-warn secret-panel", role: "status", hidden: true },
    title,
    h("p", { text: "Copy it now and store it with the receiving system. It will not be shown again; if it is lost, rotate it." }),
    h("div", { class: "secret-row" },
      code,
      h("button", {
        type: "button", class: "btn btn-small", id: "endpoint-secret-copy", text: "Copy",
        on: {
          click: async () => {
            if (await copyText(code.textContent)) copied.textContent = "Copied.";
            else {
              selectContents(code);
              copied.textContent = "Selected — press Ctrl+C (⌘C) to copy.";
            }
          },
        },
      }),
      copied),
    h("button", {
      type: "button", class: "btn btn-small btn-quiet", text: "I have stored it",
      on: { click: () => { panel.hidden = true; code.textContent = ""; copied.textContent = ""; } },
    }));
  return {
    panel,
    show(secret, heading) {
      title.textContent = heading;
      code.textContent = String(secret);
      copied.textContent = "";
      panel.hidden = false;
      panel.scrollIntoView({ block: "nearest" });
    },
  };
}

function createForm(onCreated) {
  const error = h("p", { id: "endpoint-error", class: "form-error", role: "alert", hidden: true });
  const url = h("input", { id: "endpoint-url", name: "url", type: "url", required: true, placeholder: "https://example.com/webhooks/hookline", autocomplete: "off" });
  const description = h("input", { id: "endpoint-description", name: "description", type: "text", maxlength: 200, placeholder: "e.g. CRM sync" });
  const checks = EVENT_TYPES.map((t) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: "events", value: t.value, checked: true, id: `endpoint-event-${t.value.replace(/\W/g, "-")}` }),
    h("span", { text: t.label })));
  const submit = h("button", { type: "submit", class: "btn btn-primary", id: "endpoint-submit", text: "Add endpoint" });
  const form = h("form", { id: "endpoint-form", class: "card form-grid", novalidate: "" },
    h("h2", { text: "Add an endpoint" }),
    h("label", { class: "field" }, h("span", { text: "URL" }), url),
    h("fieldset", { class: "field" }, h("legend", { text: "Events" }), checks),
    h("label", { class: "field" }, h("span", { text: "Description (optional)" }), description),
    error,
    h("div", {}, submit));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const events = [...form.querySelectorAll('input[name="events"]:checked')].map((c) => c.value);
    const problems = [];
    try {
      const parsed = new URL(url.value.trim());
      if (!/^https?:$/.test(parsed.protocol)) problems.push("The URL must start with http:// or https://.");
    } catch {
      problems.push("Enter the full URL of the receiving system, starting with https://.");
    }
    if (events.length === 0) problems.push("Choose at least one event.");
    if (problems.length) {
      error.textContent = problems.join(" ");
      error.hidden = false;
      return;
    }
    error.hidden = true;
    submit.disabled = true;
    try {
      const body = { url: url.value.trim(), events };
      if (description.value.trim()) body.description = description.value.trim();
      const created = await api("/api/endpoints", { method: "POST", body });
      form.reset();
      onCreated(created);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export async function render(view) {
  const secret = secretPanel();
  const tbody = h("tbody");
  const table = h("table", { id: "endpoints-table", class: "table" },
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col", text: c })))), tbody);
  const status = h("p", { class: "table-status muted", "aria-live": "polite" });
  const listCard = h("section", { class: "card card-flush" },
    h("div", { class: "card-head" }, h("h2", { text: "Endpoints" })),
    h("div", { class: "table-wrap" }, table), status);

  async function act(label, fn) {
    status.textContent = `${label}…`;
    try {
      await fn();
      status.textContent = `${label}: done.`;
      await refresh();
    } catch (err) {
      status.textContent = `${label} failed: ${err.message}`;
    }
  }

  function row(ep) {
    const id = String(ep.id);
    const path = `/api/endpoints/${encode(id)}`;
    const enabled = Boolean(ep.enabled);
    return h("tr", { dataset: { endpointId: id } },
      h("td", {}, h("div", { class: "endpoint-cell" },
        h("span", { class: "mono break", text: orDash(ep.url) }),
        ep.description ? h("span", { class: "muted small", text: String(ep.description) }) : null)),
      h("td", {}, (Array.isArray(ep.events) ? ep.events : []).map((e) => h("code", { class: "tag", text: String(e) }))),
      h("td", {}, badge(enabled ? "Enabled" : "Disabled", enabled ? "good" : "neutral")),
      h("td", { class: "nowrap" }, time(ep.created_at)),
      h("td", { class: "actions" },
        h("button", {
          type: "button", class: "btn btn-small btn-quiet", text: enabled ? "Disable" : "Enable",
          on: { click: () => act(enabled ? "Disabling" : "Enabling", () => api(path, { method: "PATCH", body: { enabled: !enabled } })) },
        }),
        h("button", {
          type: "button", class: "btn btn-small btn-quiet", text: "Rotate secret",
          on: {
            click: () => {
              if (!window.confirm("Rotate the signing secret? The receiving system must be updated, or it will reject the next deliveries.")) return;
              act("Rotating the secret", async () => {
                const res = await api(`${path}/secret/rotate`, { method: "POST" });
                secret.show(res?.secret ?? "", `New signing secret for ${ep.url}`);
              });
            },
          },
        }),
        h("button", {
          type: "button", class: "btn btn-small btn-danger", text: "Delete",
          on: {
            click: () => {
              if (!window.confirm(`Delete the endpoint ${ep.url}? Pending deliveries to it stop.`)) return;
              act("Deleting", () => api(path, { method: "DELETE" }));
            },
          },
        })));
  }

  async function refresh() {
    const data = await api("/api/endpoints");
    const items = Array.isArray(data?.items) ? data.items : [];
    tbody.replaceChildren(...(items.length ? items.map(row) : [emptyRow(COLUMNS.length, "No endpoints yet. Add one above.")]));
  }

  view.append(pageHeader("Endpoints", "Customers' systems that receive signed webhooks when a Founding Review report is ready."));
  view.append(h("p", { class: "loading", text: "Loading…" }));
  try {
    await refresh();
  } catch (err) {
    view.lastChild.replaceWith(loadError(err, () => { view.replaceChildren(); render(view); }));
    return;
  }
  view.lastChild.replaceWith(h("div", { class: "stack" },
    secret.panel,
    createForm((created) => {
      secret.show(created?.secret ?? "", `Signing secret for ${created?.url ?? "the new endpoint"}`);
      refresh().catch((err) => { status.textContent = err.message; });
    }),
    listCard,
    notice("How receivers verify a delivery",
      "Each POST carries X-Webhook-Signature: the lowercase hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret. Compare it in constant time; `hookline verify` does the same.")));
}
