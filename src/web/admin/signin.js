// Sign-in form. A token is stored only after the server accepted it on a real admin call, so a
// typo never leaves the dashboard half signed in.

import { api, setToken } from "./api.js";

export function setupSignin({ onSignedIn }) {
  const form = document.getElementById("signin-form");
  const input = document.getElementById("admin-token");
  const error = document.getElementById("signin-error");
  const submit = document.getElementById("signin-submit");

  function setError(message) {
    error.textContent = message ?? "";
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  input.addEventListener("input", () => {
    if (!error.hidden) setError(null);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      setError("Enter the admin token.");
      input.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Checking…";
    try {
      await api("/api/stats/funnel", { token });
      setToken(token);
      setError(null);
      input.value = "";
      onSignedIn();
    } catch (err) {
      setError(err.status === 401
        ? "That token was not accepted. Check it and try again."
        : err.message);
      input.focus();
      input.select();
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });

  return {
    // message: why the user is here (signed out, session ended); shown in the error slot.
    show(message) {
      setError(null);
      if (message) {
        error.textContent = message;
        error.hidden = false;
      }
      input.focus();
    },
  };
}
