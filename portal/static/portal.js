// Progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // After htmx swaps in a result, move focus to it so keyboard and screen reader users land on it; after a whole
  // page (an error page, below), to its main part.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var focus = target === document.body ? document.getElementById("main") :
      target.querySelector("[data-focus-after-swap]") || (target.hasAttribute("data-focus-after-swap") ? target : null);
    if (focus) {
      if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
  });

  // htmx leaves an error answer unswapped, so the page would stay silent. An error page (an outage, an expired
  // form, too many requests) replaces the page instead, as it does without script: it says what happened and
  // offers the input to send again.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.isError || !/^\s*<!doctype html/i.test(detail.serverResponse || "")) return;
    detail.shouldSwap = true;
    detail.isError = false;
    detail.target = document.body;
    detail.swapOverride = "innerHTML";
  });

  // A link of the error summary focuses its field with the field's label, or the legend of its group of choices, in
  // view: followed as a plain link, the field lands at the top of the screen and what it asks for is cut off above.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    var field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    (field.closest("fieldset") || field.closest(".field") || field).scrollIntoView();
    field.focus({preventScroll: true});
    // The address names the field, as after a plain link.
    history.replaceState(history.state, "", link.hash);
  });

  // A request that never reached the server leaves the form as it is, with a note above it, until one goes through.
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt.closest("form");
    var template = document.getElementById("connection-lost");
    if (!form || !template) return;
    var note = form.previousElementSibling;
    if (!note || !note.hasAttribute("data-connection-lost")) {
      note = template.content.firstElementChild.cloneNode(true);
      form.parentNode.insertBefore(note, form);
    }
    note.focus();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) return;
    document.querySelectorAll("[data-connection-lost]").forEach(function (note) { note.remove(); });
  });

  // Another language is another page: before typed input is lost with it, ask. Sending a form needs no warning,
  // and neither does a form sent by GET (a filter, a checklist's questions): its fields live in the address, which a
  // page that keeps them up to date also gives its language links.
  var typed = false;
  document.addEventListener("input", function (event) {
    if (event.target.closest("main form:not([method=get i])")) typed = true;
  });
  document.addEventListener("submit", function () { typed = false; });
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".languages a");
    var list = link && link.closest("[data-leave-warning]");
    if (typed && list && !window.confirm(list.getAttribute("data-leave-warning"))) event.preventDefault();
  });
  // After a form's errors the languages are buttons of a form that carries the fields as they were sent
  // (portal/templating.py); what was typed since goes with them too, so nothing is lost and nothing needs asking.
  document.addEventListener("click", function (event) {
    var carrier = event.target.closest(".languages button") && event.target.closest("form");
    var carried = carrier ? carrier.querySelectorAll("[data-carried-field]") : [];
    var names = Array.prototype.map.call(carried, function (input) { return input.name; });
    var source = Array.prototype.find.call(document.querySelectorAll("main form[method=post i]"), function (form) {
      return names.some(function (name) { return form.elements[name]; });
    });
    if (!source) return;
    carried.forEach(function (input) { input.remove(); });
    new FormData(source).forEach(function (value, name) {
      var field = source.elements[name];
      if (name === "csrf_token" || typeof value !== "string" || (field && field.type === "password")) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      input.setAttribute("data-carried-field", "");
      carrier.appendChild(input);
    });
  });

  // A second tap on a slow phone would send a form again (two emergency requests, two notices): while the answer to
  // one is on its way, the same form is not sent again. Forms a script sends itself (htmx, the door) stop the event
  // first. After a while, or when the page comes back from the browser's history, it may be sent anew.
  var SENDING_SECONDS = 15;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !/^post$/i.test(form.getAttribute("method") || "")) return;
    var since = Number(form.getAttribute("data-sending-since") || 0);
    if (Date.now() - since < SENDING_SECONDS * 1000) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sending-since", String(Date.now()));
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending-since]").forEach(function (form) {
      form.removeAttribute("data-sending-since");
    });
  });

  // Warn staff before the idle timeout; the form beside the warning extends the session.
  function watchSession() {
    var form = document.getElementById("session-status");
    if (!form) return;
    var expires = Date.parse(form.getAttribute("data-expires"));
    var warnBefore = parseInt(form.getAttribute("data-warning-seconds"), 10) * 1000;
    var warning = form.querySelector(".session-status__warning");
    var timer = window.setInterval(function () {
      if (!document.body.contains(form)) { window.clearInterval(timer); return; }
      if (expires - Date.now() <= warnBefore && warning.hidden) {
        warning.hidden = false;
        form.classList.add("session-status--warning");
      }
    }, 15000);
  }
  document.addEventListener("DOMContentLoaded", watchSession);

  // Chromium keeps boxes for some text shaped before a web font (the Ethiopic subset) arrived; shaping every text
  // once more after the font has loaded draws it with the font. Nothing moves, focus and scroll stay.
  if (document.fonts && document.fonts.addEventListener) {
    document.fonts.addEventListener("loadingdone", function () {
      var style = document.documentElement.style;
      style.letterSpacing = "0.001px";
      void document.documentElement.offsetHeight;
      style.letterSpacing = "";
    });
  }
  document.addEventListener("htmx:afterSettle", watchSession);

  // Print buttons are plain buttons marked data-print; without script they stay hidden. Pages htmx puts in place
  // (a swap, Back and Forward through its history) bring theirs hidden too, so each of those shows them again.
  function showPrintButtons() {
    document.querySelectorAll("[data-print][hidden]").forEach(function (button) { button.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", showPrintButtons);
  document.addEventListener("htmx:afterSettle", showPrintButtons);
  document.addEventListener("htmx:historyRestore", showPrintButtons);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
})();
