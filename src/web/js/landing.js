// Entry point of the landing page: records the visit and wires the request form.

import { setupLeadForm } from "./lead-form.js";
import { track, utmParams } from "./track.js";

function trackPageView() {
  const props = { path: location.pathname, ...utmParams() };
  if (document.referrer) props.referrer = document.referrer;
  track("page_view", props);
}

// scroll_50: the visitor scrolled to at least half of the page, once per page view.
function watchScrollDepth() {
  let sent = false;
  const onScroll = () => {
    if (sent) return;
    const doc = document.documentElement;
    const seen = window.scrollY + window.innerHeight;
    if (seen >= doc.scrollHeight * 0.5) {
      sent = true;
      window.removeEventListener("scroll", onScroll);
      track("scroll_50", { path: location.pathname });
    }
  };
  window.addEventListener("scroll", onScroll, { passive: true });
}

trackPageView();
watchScrollDepth();
const form = document.getElementById("lead-form");
if (form) setupLeadForm(form);
