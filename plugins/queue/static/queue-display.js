// The call display follows its location: polls the board with If-None-Match (304 while no desk called), and on a
// new call blinks it, chimes once and announces it. When polls fail it keeps the last board, says since when it
// is not current, tries again less and less often, and on return shows what it missed, chiming once for all.
// Delays are read from data attributes at each use, so a test can shorten them.
(function () {
  "use strict";
  var root = document.getElementById("queue-display");
  if (!root || !window.fetch) { return; }
  var board = root.querySelector("[data-queue-display-board]");
  var stale = root.querySelector("[data-queue-display-stale]");
  var staleTime = root.querySelector("[data-queue-display-stale-time]");
  var announcer = root.querySelector("[data-queue-display-announcer]");
  var signal = root.querySelector("[data-queue-display-signal]");
  var chime = root.querySelector("[data-queue-display-chime]");
  var sound = root.querySelector("[data-queue-display-sound]");
  var url = root.getAttribute("data-queue-display-url");
  // The board also changes when the office's day does, without a call: ask without the tag now and then.
  var FULL_REFRESH_MS = 10 * 60 * 1000;
  var NEW_MS = 10 * 1000;
  var KEYS_KEPT = 200;
  var etag = null;
  var fetchedAt = 0;
  var lastSuccess = Date.now();
  var failures = 0;
  var timer = null;
  var chimes = 0;
  var signalTimer = null;
  var seen = callKeys(board);
  // The page says it does not update without JavaScript; with it, it does.
  root.querySelector("[data-queue-display-static]").hidden = true;

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

  function checkStale() {
    var late = Date.now() - lastSuccess > seconds("data-queue-display-stale-seconds", 15) * 1000;
    if (late && stale.hidden) {
      var options = { hour: "2-digit", minute: "2-digit" };
      var zone = root.getAttribute("data-queue-display-zone");
      if (zone) { options.timeZone = zone; }
      try {
        staleTime.textContent = new Date(lastSuccess).toLocaleTimeString(document.documentElement.lang, options);
      } catch (error) {
        staleTime.textContent = new Date(lastSuccess).toLocaleTimeString();
      }
    }
    stale.hidden = !late;
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, delay * 1000);
  }

  function poll() {
    var every = seconds("data-queue-display-poll-seconds", 5);
    var headers = { "Accept": "text/html" };
    if (etag && Date.now() - fetchedAt < FULL_REFRESH_MS) { headers["If-None-Match"] = etag; }
    fetch(url, { headers: headers, cache: "no-store", credentials: "omit" }).then(function (response) {
      if (response.status === 304) { return null; }
      if (response.status !== 200) { throw new Error("poll answered " + response.status); }
      var tag = response.headers.get("ETag");
      return response.text().then(function (html) {
        show(html);
        etag = tag;
        fetchedAt = Date.now();
      });
    }).then(function () {
      failures = 0;
      lastSuccess = Date.now();
      checkStale();
      schedule(every);
    }, function () {
      // Back off on failures: twice as long each time, at most six intervals.
      failures += 1;
      checkStale();
      schedule(Math.min(every * Math.pow(2, failures), every * 6));
    });
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

  // The screen stays on while the page is shown.
  var wakeLock = null;
  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") { return; }
    navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; }).catch(function () {});
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && (!wakeLock || wakeLock.released)) { keepAwake(); }
  });
  // Back on the network: ask at once rather than at the end of the back-off.
  window.addEventListener("online", function () { schedule(0); });

  keepAwake();
  window.setInterval(checkStale, 1000);
  window.setTimeout(rotateTips, seconds("data-queue-display-tip-seconds", 8) * 1000);
  schedule(seconds("data-queue-display-poll-seconds", 5));
}());
