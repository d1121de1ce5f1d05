// Checklists: filter items by the answers at once, keep ticks in this browser only, mark ticks in the printout.
// Without this file the page still works: the question form reloads the list, ticks are just not kept.
(function () {
  "use strict";

  var STORAGE_PREFIX = "portal.checklists.";

  function readTicks(slug) {
    try {
      var stored = JSON.parse(window.localStorage.getItem(STORAGE_PREFIX + slug));
      return Array.isArray(stored) ? stored : [];
    } catch (error) {
      return [];  // storage blocked or damaged: start with no ticks
    }
  }

  function writeTicks(slug, keys) {
    try {
      window.localStorage.setItem(STORAGE_PREFIX + slug, JSON.stringify(keys));
    } catch (error) {
      // Private mode or full storage: ticking still works for this visit.
    }
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, name) { return String(values[name]); });
  }

  // Give an address (a path or a full one, as written in the page) the query, keeping its form and any fragment.
  function withQuery(address, query) {
    var parts = /^([^?#]*)(?:\?[^#]*)?(#.*)?$/.exec(address);
    return parts[1] + (query ? "?" + query : "") + (parts[2] || "");
  }

  function setUpList(section, form) {
    var slug = section.getAttribute("data-checklist");
    var boxes = Array.prototype.slice.call(section.querySelectorAll("input[data-item]"));
    var groups = Array.prototype.slice.call(section.querySelectorAll("[data-condition]"));
    var status = section.querySelector("[data-checklist-status]");
    var clear = section.querySelector("[data-checklist-clear]");
    var note = section.querySelector("[data-checklist-ticks-note]");
    var ticked = readTicks(slug);

    function showStatus() {
      var shown = boxes.filter(function (box) { return !box.closest("[data-condition]").hidden; });
      var done = shown.filter(function (box) { return box.checked; });
      status.textContent = fill(status.getAttribute("data-template"), {shown: shown.length, done: done.length});
    }

    boxes.forEach(function (box) {
      box.checked = ticked.indexOf(box.getAttribute("data-item")) !== -1;
      box.addEventListener("change", function () {
        writeTicks(slug, boxes.filter(function (b) { return b.checked; })
          .map(function (b) { return b.getAttribute("data-item"); }));
        showStatus();
      });
    });
    clear.hidden = false;
    note.hidden = false;
    clear.addEventListener("click", function () {
      boxes.forEach(function (box) { box.checked = false; });
      writeTicks(slug, []);
      showStatus();
    });

    if (form) {
      form.addEventListener("change", function () {
        var params = new URLSearchParams();
        new FormData(form).forEach(function (value, name) {
          if (value) params.append(name, value);
        });
        groups.forEach(function (group) {
          var condition = group.getAttribute("data-condition");
          if (condition) group.hidden = params.get(condition) === "no";
        });
        var query = params.toString();
        var address = window.location.pathname + (query ? "?" + query : "");
        window.history.replaceState(null, "", address);
        document.querySelectorAll("[data-checklist-keep-query]").forEach(function (link) {
          link.setAttribute("href", withQuery(link.getAttribute("href"), query));
          if (link.hasAttribute("data-checklist-share")) link.textContent = link.href;
        });
        // The header's language switch (and the alternates for search engines) lead to this list with these
        // answers, as they do when the form was sent without JavaScript.
        document.querySelectorAll("#language-list a[href], link[rel=alternate][hreflang]").forEach(function (link) {
          link.setAttribute("href", withQuery(link.getAttribute("href"), query));
        });
        showStatus();
      });
    }
    showStatus();
  }

  function markPrintout(table) {
    var ticked = readTicks(table.getAttribute("data-checklist"));
    table.querySelectorAll("[data-tick]").forEach(function (box) {
      if (ticked.indexOf(box.getAttribute("data-tick")) !== -1) box.classList.add("checklists-print__box--ticked");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.querySelector("section[data-checklist]");
    if (section) setUpList(section, document.querySelector("form[data-checklist-questions]"));
    var table = document.querySelector("table[data-checklist]");
    if (table) markPrintout(table);
  });
})();
