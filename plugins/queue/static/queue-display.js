// The call display follows its location's board (the core's live.js), and on a new call blinks it, chimes once and
// announces it. When polls fail it keeps the last board, says since when it is not current, and on return shows
// what it missed, chiming once for all. Delays are read from data attributes at each use, so a test can shorten them.
(function () {
  "use strict";
  var root = document.getElementById("queue-display");
  if (!root) { return; }
  if (!window.fetch || !window.portalLive) {
    // A browser that cannot follow the board loads the page anew, as one without scripts does.
    window.setTimeout(function () { window.location.reload(); }, seconds("data-queue-display-reload-seconds", 30) * 1000);
    return;
  }
  var board = root.querySelector("[data-queue-display-board]");
  var stale = root.querySelector("[data-queue-display-stale]");
  var staleTime = root.querySelector("[data-queue-display-stale-time]");
  var announcer = root.querySelector("[data-queue-display-announcer]");
  var signal = root.querySelector("[data-queue-display-signal]");
  var chime = root.querySelector("[data-queue-display-chime]");
  var sound = root.querySelector("[data-queue-display-sound]");
  var NEW_MS = 10 * 1000;
  var KEYS_KEPT = 200;
  var chimes = 0;
  var signalTimer = null;
  var seen = callKeys(board);

  function seconds(name, fallback) {
    var value = parseFloat(root.getAttribute(name));
    return value > 0 ? value : fallback;
  }

  function calls(container) {
    return Array.prototype.slice.call(container.querySelectorAll("[data-queue-display-call]"));
  }

  function callKeys(container) {
    return calls(container).map(function (call) { return call.getAttribute("data-queue-display-call"); });
  }

  function ring() {
    if (!chime) { return; }
    // A chime still sounding starts again for the new call.
    chime.pause();
    try { chime.currentTime = 0; } catch (error) { /* not loaded yet: it plays from the start anyway */ }
    var playing = chime.play();
    if (playing && playing.catch) {
      playing.catch(function (error) {
        // A browser that blocks sound until someone touches the page: offer the button that allows it.
        if (error && error.name === "NotAllowedError" && sound) { sound.hidden = false; }
      });
    }
  }

  function showSignal() {
    if (!signal) { return; }
    signal.hidden = false;
    window.clearTimeout(signalTimer);
    signalTimer = window.setTimeout(function () { signal.hidden = true; }, NEW_MS);
  }

  function show(html) {
    var fresh = document.createElement("div");
    fresh.innerHTML = html;
    var added = calls(fresh).filter(function (call) {
      return seen.indexOf(call.getAttribute("data-queue-display-call")) < 0;
    });
    board.innerHTML = "";
    while (fresh.firstChild) { board.appendChild(fresh.firstChild); }
    if (!added.length) { return; }
    seen = seen.concat(added.map(function (call) { return call.getAttribute("data-queue-display-call"); }))
      .slice(-KEYS_KEPT);
    // Oldest first, as they were called: one announcement and one chime however many were missed.
    announcer.textContent = added.slice().reverse().map(function (call) {
      return call.getAttribute("data-queue-display-announce");
    }).join(" ");
    added.forEach(function (call) { call.classList.add("queue-display-call--new"); });
    window.setTimeout(function () {
      added.forEach(function (call) { call.classList.remove("queue-display-call--new"); });
    }, NEW_MS);
    showSignal();
    ring();
  }

  function showStale(late, since) {
    if (late && stale.hidden) {
      var options = { hour: "2-digit", minute: "2-digit" };
      var zone = root.getAttribute("data-queue-display-zone");
      if (zone) { options.timeZone = zone; }
      try {
        staleTime.textContent = new Date(since).toLocaleTimeString(document.documentElement.lang, options);
      } catch (error) {
        staleTime.textContent = new Date(since).toLocaleTimeString();
      }
    }
    stale.hidden = !late;
  }

  function rotateTips() {
    var tips = Array.prototype.slice.call(root.querySelectorAll("[data-queue-display-tip]"));
    if (tips.length > 1) {
      var shown = tips.findIndex(function (tip) { return !tip.hidden; });
      tips[shown].hidden = true;
      tips[(shown + 1) % tips.length].hidden = false;
    }
    window.setTimeout(rotateTips, seconds("data-queue-display-tip-seconds", 8) * 1000);
  }

  if (chime) {
    chime.addEventListener("play", function () {
      chimes += 1;
      root.setAttribute("data-queue-display-chimes", String(chimes));
    });
  }
  if (sound) {
    sound.querySelector("button").addEventListener("click", function () {
      sound.hidden = true;
      ring();
    });
  }

  window.portalLive.follow({
    url: root.getAttribute("data-queue-display-url"),
    accept: "text/html",
    credentials: "omit",
    every: function () { return seconds("data-queue-display-poll-seconds", 5); },
    staleSeconds: function () { return seconds("data-queue-display-stale-seconds", 15); },
    // The board also changes when the office's day does, without a call: ask without the tag now and then.
    fresh: 10 * 60 * 1000,
    answer: function (response) { return response.text().then(show); },
    stale: showStale
  });
  // The screen stays on while the page is shown.
  window.portalLive.keepAwake();
  window.setTimeout(rotateTips, seconds("data-queue-display-tip-seconds", 8) * 1000);
}());
