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

  /* Hints about keyboard shortcuts only make sense when this script runs. Their space is
     kept while hidden (app.css, [data-needs-js]), so showing them moves nothing. */
  function revealScriptedHints(root) {
    root.querySelectorAll("[data-needs-js]").forEach(function (el) {
      el.hidden = false;
      el.setAttribute("data-needs-js", "on");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initCounters(document);
    replaceAddress();
    revealScriptedHints(document);
  });
  /* A page shown in place of another (the history block below) fires pageshow again. */
  window.addEventListener("pageshow", function () {
    initCounters(document);
    replaceAddress();
    revealScriptedHints(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) { initCounters(event.target); });
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

/* --- Student pages: the whole visit is one history entry (helper B, issue 8) ----------- */
(function () {
  "use strict";

  /* On student pages (<body data-replace-history>, layouts/student.html), going from one
     page of this site to another replaces the current history entry instead of adding one.
     The quick exit replaces that one entry too, so Back after it never shows this site.

     Why not htmx's hx-boost with hx-replace-url: a boosted request says HX-Request, and our
     views answer that with a fragment, not the page (hsm/htmx.py); boost keeps the old <head>
     (each area has its own stylesheet) and <html lang> (the language links change it). So:
     - a link is followed with location.replace(): a real page load, only without a new entry;
     - a GET form the same way, with its fields in the query;
     - a POST form that htmx does not handle (it calls preventDefault first) is sent with
       fetch(), and its answer, always a whole page (no HX-Request), is shown in place of this
       one, its address set with history.replaceState(). If it cannot be sent, nothing is
       lost: the page stays as it is and says so;
     - htmx's own history updates (hx-push-url) become replacements.
     Code that sets a page up should also run on "pageshow", which fires after such a swap. */
  function replacesHistory() {
    return Boolean(document.body && document.body.hasAttribute("data-replace-history"));
  }

  function sameOrigin(href) {
    var url;
    try { url = new URL(href, window.location.href); } catch (e) { return null; }
    return url.origin === window.location.origin ? url : null;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey || !replacesHistory()) { return; }
    var link = event.target.closest && event.target.closest("a[href]");
    if (!(link instanceof HTMLAnchorElement) || link.hasAttribute("download") ||
        (link.target && link.target !== "_self")) {
      return;  /* (an SVG <a> is not an HTMLAnchorElement: its href is no string) */
    }
    var url = sameOrigin(link.href);
    if (!url) { return; }  /* other sites, tel:, sms:, mailto: behave as usual */
    event.preventDefault();
    window.location.replace(url.href);
  });

  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    if (replacesHistory() && event.detail && event.detail.history) {
      event.detail.history.type = "replace";
    }
  });

  function formData(form, submitter) {
    try { return new FormData(form, submitter || undefined); } catch (e) { /* older browsers */ }
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    return data;
  }

  /* Bring in the new page's stylesheets before it is shown, and drop those it does not use. */
  function useStylesheets(next) {
    var current = {};
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      current[link.href] = link;
    });
    var loading = [];
    next.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var href = new URL(link.getAttribute("href"), window.location.href).href;
      if (current[href]) { delete current[href]; return; }
      var added = document.createElement("link");
      added.rel = "stylesheet";
      added.href = href;
      loading.push(new Promise(function (resolve) {
        added.addEventListener("load", resolve);
        added.addEventListener("error", resolve);
      }));
      document.head.appendChild(added);
    });
    return Promise.all(loading).then(function () {
      Object.keys(current).forEach(function (href) { current[href].remove(); });
    });
  }

  function showPage(html, address) {
    var next = new DOMParser().parseFromString(html, "text/html");
    /* This page's scripts already run (their listeners sit on document and window). */
    next.querySelectorAll("script").forEach(function (script) { script.remove(); });
    return useStylesheets(next).then(function () {
      ["lang", "dir"].forEach(function (name) {
        var value = next.documentElement.getAttribute(name);
        if (value) { document.documentElement.setAttribute(name, value); }
      });
      document.title = next.title;
      window.history.replaceState(null, "", address);
      document.body.replaceWith(document.adoptNode(next.body));
      window.scrollTo(0, 0);
      if (window.htmx) {
        window.htmx.process(document.body);
        window.htmx.trigger(document.body, "htmx:load");
      }
      window.dispatchEvent(new PageTransitionEvent("pageshow", { persisted: false }));
      /* As after a page load: an error summary (autofocus) or the page itself. */
      var focus = document.querySelector("[autofocus]") || document.getElementById("main");
      if (focus) { focus.focus({ preventScroll: true }); }
    });
  }

  /* Say, next to the button used, that the form is on its way, or that it could not be sent
     (#sending and #send-failed in layouts/student.html: the words are in the page's language). */
  function say(form, submitter, id) {
    form.querySelectorAll(".form-sending, .send-failed").forEach(function (old) { old.remove(); });
    var template = document.getElementById(id);
    if (!template) { return; }
    var message = template.content.firstElementChild.cloneNode(true);
    var anchor = submitter && form.contains(submitter) ?
      submitter.closest(".actions") || submitter : null;
    if (anchor) { anchor.after(message); } else { form.prepend(message); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !replacesHistory() || !(form instanceof HTMLFormElement)) {
      return;
    }
    /* Attributes, not form.action or form.method: a field named "action" would hide those. */
    var submitter = event.submitter || null;
    function attribute(name) {
      return (submitter && submitter.getAttribute("form" + name)) || form.getAttribute(name) || "";
    }
    var target = attribute("target");
    var method = (attribute("method") || "get").toLowerCase();
    var enctype = (attribute("enctype") || "application/x-www-form-urlencoded").toLowerCase();
    var action = sameOrigin(attribute("action") || window.location.href);
    if ((target && target !== "_self") || !action || method === "dialog" ||
        enctype === "text/plain") {
      return;
    }
    event.preventDefault();
    var data = formData(form, submitter);
    if (method === "get") {
      action.search = new URLSearchParams(data).toString();
      window.location.replace(action.href);
      return;
    }
    if (form.getAttribute("aria-busy") === "true") { return; }  /* a second tap while sending */
    form.setAttribute("aria-busy", "true");
    say(form, submitter, "sending");
    window.fetch(action.href, {
      method: "POST",
      body: enctype === "multipart/form-data" ? data : new URLSearchParams(data),
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      if ((response.headers.get("Content-Type") || "").indexOf("text/html") !== 0 ||
          !sameOrigin(response.url)) {
        throw new Error("not a page of this site");
      }
      return response.text().then(function (html) { return showPage(html, response.url); });
    }).catch(function () {
      form.removeAttribute("aria-busy");
      say(form, submitter, "send-failed");
    });
  });
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
