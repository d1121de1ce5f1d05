// The desk page follows its location's waiting list (the core's live.js), with the header Portal-Poll, so the polls do not
// keep an unattended staff session alive (docs/plugins.md). Without an answer for a while, a note says the list may be
// behind.
(function () {
  "use strict";
  var box = document.getElementById("queue-desk-live");
  if (!box || !window.fetch || !window.portalLive) { return; }
  var stale = document.querySelector("[data-queue-stale]");
  var refresh = document.querySelector(".queue-refresh");
  if (refresh) { refresh.hidden = true; }

  function setting(name, fallback) {
    return parseInt(box.getAttribute(name), 10) || fallback;
  }

  window.portalLive.follow({
    url: box.getAttribute("data-queue-live-url"),
    accept: "text/html",
    headers: { "Portal-Poll": "1" },
    every: function () { return setting("data-queue-poll-seconds", 5); },
    staleSeconds: function () { return setting("data-queue-stale-seconds", 15); },
    // The list shows minutes waited: once a minute the poll asks without its tag, to get them anew.
    fresh: 60 * 1000,
    answer: function (response) {
      return response.text().then(function (html) {
        // Never pull a button away from under the keyboard: a list holding the focus waits for the next poll.
        if (box.contains(document.activeElement)) { return false; }
        box.innerHTML = html;
        return true;
      });
    },
    stale: function (late) { if (stale) { stale.hidden = !late; } }
  });
}());
