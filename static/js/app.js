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
   reached the server (htmx:sendError), or a server error that is not ours (a proxy's 502),
   would otherwise fail in silence, or worse. The words are in the page, in its language:
   JS has no gettext (#request-failed in layouts/staff.html). */
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
  /* An error answer that is not ours (no HX-Retarget) is not swapped into the page: it would
     replace a card or a form with a proxy's words. (htmx:responseError comes too late for
     this, and from an element the swap may have removed.) */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr || xhr.status < 500 || !document.getElementById("request-failed")) { return; }
    if (xhr.getResponseHeader("HX-Retarget")) { return; }  /* our own error page, shown in place */
    event.detail.shouldSwap = false;
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

/* --- Report a Concern (helper A): conditional reveal and inline-check messages ---------- */
(function () {
  "use strict";

  /* Conditional parts of a form: <div data-reveal-if="NAME" data-reveal-value="V1 V2">
     shows while a radio NAME with one of those values is checked and hides when another one
     is. With nothing chosen it stays as the server drew it. Only shown or hidden, never
     re-drawn, so nothing typed inside is ever lost. */
  function applyReveal(root) {
    root.querySelectorAll("[data-reveal-if]").forEach(function (box) {
      var scope = box.closest("form") || document;
      var radios = scope.querySelectorAll("input[type=radio]");
      var name = box.getAttribute("data-reveal-if");
      var chosen = null;
      radios.forEach(function (radio) {
        if (radio.name === name && radio.checked) { chosen = radio; }
      });
      if (!chosen) { return; }
      var wanted = (box.getAttribute("data-reveal-value") || "").split(/\s+/);
      box.hidden = wanted.indexOf(chosen.value) < 0;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=radio]")) {
      applyReveal(document);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { applyReveal(document); });
  /* A page restored by Back keeps its choices: show what they call for. */
  window.addEventListener("pageshow", function () { applyReveal(document); });

  /* A group of boxes (a date: day, month, year) is checked once, when focus leaves the
     group after a change, not after each box: its wrapper gets a "group-change" event. */
  var changed = [];
  document.addEventListener("change", function (event) {
    var group = event.target.closest && event.target.closest("[data-group-change]");
    if (group && changed.indexOf(group) < 0) { changed.push(group); }
  });
  document.addEventListener("focusout", function (event) {
    var group = event.target.closest && event.target.closest("[data-group-change]");
    var at = changed.indexOf(group);
    if (!group || at < 0 || group.contains(event.relatedTarget)) { return; }
    changed.splice(at, 1);
    group.dispatchEvent(new CustomEvent("group-change", { bubbles: true }));
  });

  /* An inline check swaps in only a field's message region ([data-message-for]). Keep the
     field's error state in step with it: the field--error class, the message's id in
     aria-describedby of the elements marked data-error-ref, and aria-invalid on the inputs
     the message names (data-invalid). */
  function syncField(region) {
    var name = region.getAttribute("data-message-for");
    var field = document.getElementById("field-" + name);
    if (!field) { return; }
    var error = region.querySelector(".error-message");
    var errorId = name + "-error";
    field.classList.toggle("field--error", Boolean(error));
    field.querySelectorAll("[data-error-ref]").forEach(function (el) {
      var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && id !== errorId;
      });
      if (error) { ids.push(errorId); }
      if (ids.length) { el.setAttribute("aria-describedby", ids.join(" ")); }
      else { el.removeAttribute("aria-describedby"); }
    });
    var invalid = error ? (error.getAttribute("data-invalid") || "").split(/\s+/) : [];
    field.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (invalid.indexOf(el.id) >= 0) { el.setAttribute("aria-invalid", "true"); }
      else { el.removeAttribute("aria-invalid"); }
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var region = event.target;
    if (region.matches && region.matches("[data-message-for]")) { syncField(region); }
  });
})();

