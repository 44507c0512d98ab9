// The request form: validates on the client for quick feedback, posts JSON to /api/leads, and
// shows the server's answer. The server is the authority: its 422 field messages replace ours.

import { anonymousId, rememberLead, track, utmParams } from "./track.js";

const FIELDS = ["name", "email", "company", "phone", "message"];
const MAX_LENGTH = { name: 200, email: 254, company: 200, phone: 50, message: 2000 };
const REQUIRED = new Set(["name", "email", "company"]);
const LABELS = { name: "your name", email: "your email", company: "your company" };
// The shape only (something@something.tld); whether it exists is for the server and for us.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
const REQUEST_TIMEOUT_MS = 15000;

function validate(values) {
  const errors = {};
  for (const field of FIELDS) {
    const value = values[field];
    if (REQUIRED.has(field) && value === "") {
      errors[field] = `Please enter ${LABELS[field]}.`;
    } else if (value.length > MAX_LENGTH[field]) {
      errors[field] = `Please keep this under ${MAX_LENGTH[field]} characters.`;
    }
  }
  if (!errors.email && !EMAIL_SHAPE.test(values.email)) {
    errors.email = "Please enter a valid email address, like name@company.com.";
  }
  return errors;
}

function generalMessage(status, retryAfter) {
  if (status === 429) {
    const seconds = Number.parseInt(retryAfter ?? "", 10);
    const wait = Number.isFinite(seconds) && seconds > 0 && seconds < 3600
      ? `in ${seconds} second${seconds === 1 ? "" : "s"}`
      : "in a minute";
    return `Too many requests from your network. Please try again ${wait}.`;
  }
  if (status === 413) return "Your message is too long to send. Please shorten it and try again.";
  if (status === 400 || status === 415 || status === 422) {
    return "We could not read the form. Please check your details and try again.";
  }
  return "Something went wrong on our side and your request was not sent. Please try again in a moment.";
}

export function setupLeadForm(form) {
  const inputs = Object.fromEntries(FIELDS.map((f) => [f, form.elements.namedItem(f)]));
  const fieldErrors = Object.fromEntries(FIELDS.map((f) => [f, document.getElementById(`error-${f}`)]));
  const formError = document.getElementById("form-error");
  const submit = document.getElementById("lead-submit");
  const success = document.getElementById("lead-success");
  const successEmail = document.getElementById("lead-success-email");
  const label = submit.querySelector(".button-label");
  const idleLabel = label.textContent;
  const utm = utmParams();
  const referrer = document.referrer;
  let started = false;
  let sending = false;

  function readValues() {
    const values = {};
    // Names and companies are trimmed; the message keeps its line breaks but not edge blanks.
    for (const field of FIELDS) values[field] = inputs[field].value.trim();
    return values;
  }

  function setFieldError(field, message) {
    const input = inputs[field];
    fieldErrors[field].textContent = message ?? "";
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function showGeneralError(message) {
    formError.textContent = message ?? "";
    formError.hidden = !message;
  }

  function showErrors(errors) {
    let first = null;
    const unknown = [];
    for (const [field, message] of Object.entries(errors)) {
      if (field in inputs) {
        setFieldError(field, String(message));
        first ??= inputs[field];
      } else {
        unknown.push(String(message));
      }
    }
    if (unknown.length > 0) showGeneralError(unknown.join(" "));
    first?.focus();
  }

  function clearErrors() {
    for (const field of FIELDS) setFieldError(field, null);
    showGeneralError(null);
  }

  function setSending(on) {
    sending = on;
    submit.disabled = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
    label.textContent = on ? "Sending…" : idleLabel;
    submit.querySelector(".spinner")?.remove();
    if (on) {
      const spinner = document.createElement("span");
      spinner.className = "spinner";
      spinner.setAttribute("aria-hidden", "true");
      submit.prepend(spinner);
    }
  }

  function showSuccess(email) {
    successEmail.textContent = email;
    form.hidden = true;
    success.hidden = false;
    success.focus();
  }

  function markStarted() {
    if (started) return;
    started = true;
    track("form_start");
  }

  form.addEventListener("focusin", markStarted);
  form.addEventListener("input", (event) => {
    markStarted();
    // An error stays until the person changes that field; then it is theirs to fix again.
    const field = event.target?.name;
    if (field in inputs && inputs[field].hasAttribute("aria-invalid")) setFieldError(field, null);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    markStarted();
    clearErrors();
    const values = readValues();
    track("form_submit");

    const errors = validate(values);
    if (Object.keys(errors).length > 0) {
      showErrors(errors);
      track("form_error", { fields: Object.keys(errors).join(","), stage: "client" });
      return;
    }

    const body = { name: values.name, email: values.email, company: values.company };
    if (values.phone) body.phone = values.phone;
    if (values.message) body.message = values.message;
    body.anonymous_id = anonymousId();
    Object.assign(body, utm);
    if (referrer) body.referrer = referrer.slice(0, 2000);

    setSending(true);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    let res;
    let data = null;
    try {
      res = await fetch("/api/leads", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
        signal: controller.signal,
      });
      data = await res.json().catch(() => null);
    } catch {
      res = null;
    } finally {
      clearTimeout(timer);
      setSending(false);
    }

    if (!res) {
      showGeneralError("We could not reach our server. Please check your connection and try again.");
      track("form_error", { fields: "", stage: "network" });
      return;
    }
    if ((res.status === 200 || res.status === 201) && data && data.id != null) {
      const leadId = String(data.id);
      rememberLead(leadId);
      track("lead_created", { existing: res.status === 200 }, leadId);
      showSuccess(values.email);
      return;
    }
    if (res.status === 422 && data?.fields && typeof data.fields === "object") {
      showErrors(data.fields);
      track("form_error", { fields: Object.keys(data.fields).join(","), stage: "server" });
      return;
    }
    // Whatever went wrong, what the person typed stays in the form.
    showGeneralError(generalMessage(res.status, res.headers.get("Retry-After")));
    track("form_error", { fields: "", stage: "server", status: res.status });
  });
}
