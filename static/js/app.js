/* HSM: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";

  /* Quick exit: go straight to the neutral site, replacing this history entry so Back does
     not return here. The link's own address (/leave) also clears this site's cookies and
     storage; it is asked in the background so that leaving never waits for our server. */
  function quickExit(event) {
    var link = document.querySelector("[data-quick-exit]");
    if (!link) { return; }
    if (event) { event.preventDefault(); }
    document.body.hidden = true;
    /* htmx remembers the current path in this tab's sessionStorage: leave nothing behind. */
    try { window.sessionStorage.clear(); } catch (e) { /* storage may be disabled */ }
    try {
      window.fetch(link.href, { keepalive: true, redirect: "manual", credentials: "same-origin" });
    } catch (e) { /* leaving matters more */ }
    window.location.replace(link.getAttribute("data-exit-url") || link.href);
  }

  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !document.querySelector("[data-quick-exit]")) { return; }
    var now = Date.now();
    if (now - lastEscape < 1000) { quickExit(event); }
    lastEscape = now;
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-quick-exit]");
    if (target) { quickExit(event); }
  });

  /* Character counters for long texts: <textarea data-count-to="id-of-output" maxlength=N>. */
  function updateCount(textarea) {
    var output = document.getElementById(textarea.getAttribute("data-count-to"));
    if (!output) { return; }
    var words = textarea.hasAttribute("data-count-words");
    var value = textarea.value;
    var used = words ? (value.trim() ? value.trim().split(/\s+/).length : 0) : value.length;
    var template = output.getAttribute("data-template") || "{used}";
    output.textContent = template.replace("{used}", String(used));
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-count-to]")) {
      updateCount(event.target);
    }
  });

  function initCounters(root) {
    root.querySelectorAll("textarea[data-count-to]").forEach(updateCount);
  }

  /* A page reached through a one-time link names its token-less address: show that one,
     so the token leaves the address bar and this history entry. */
  function replaceAddress() {
    var marked = document.querySelector("[data-replace-url]");
    if (marked && window.history.replaceState) {
      window.history.replaceState(null, "", marked.getAttribute("data-replace-url"));
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    initCounters(document);
    replaceAddress();
    /* Hints about keyboard shortcuts only make sense when this script runs. */
    document.querySelectorAll("[data-needs-js]").forEach(function (el) { el.hidden = false; });
  });
  document.addEventListener("htmx:afterSettle", function (event) { initCounters(event.target); });
})();

/* --- Staff: say plainly when a request fails (helper D, issue 9) ------------------------ */
/* htmx swaps our own error pages in place (errors.py sets HX-Retarget). A request that never
   reached the server (htmx:sendError), or an answer that is not ours (a proxy's 502), would
   otherwise fail in silence. The words are in the page, in its language: JS has no gettext
   (#request-failed in layouts/staff.html). */
(function () {
  "use strict";

  function say(attribute) {
    var region = document.getElementById("request-failed");
    var words = region && region.getAttribute(attribute);
    if (!words || region.textContent === words) { return; }  /* once, not at every poll */
    var message = document.createElement("p");
    message.className = "flash flash--error";
    message.textContent = words;
    region.replaceChildren(message);
  }

  document.addEventListener("htmx:sendError", function () { say("data-send-error"); });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Retarget")) { return; }  /* shown in place already */
    say("data-response-error");
  });
  /* The next thing the person does that works clears the message (a poll does not). */
  document.addEventListener("htmx:afterRequest", function (event) {
    var region = document.getElementById("request-failed");
    var elt = event.detail && event.detail.elt;
    if (region && event.detail.successful && elt && !elt.hasAttribute("data-poll")) {
      region.replaceChildren();
    }
  });
})();
