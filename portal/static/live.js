// What followed pages share (the waiting room's ticket page, desk and call display, the arrival pass): follow an
// address with If-None-Match (304 while nothing changed), wait longer after each failed poll and ask at once when
// the network returns, say when no answer has come for a while, and keep the screen awake. Loaded before each
// page's own script.
window.portalLive = (function () {
  "use strict";

  // Options: url; accept; headers (more request headers); credentials; etag, the tag of what the page shows
  // already (else the first poll fetches it anew); every() and staleSeconds(), read at each use so a test can
  // shorten them; fresh, the milliseconds after which a poll asks without its tag (for what changes with time
  // alone); answer(response), for a 200, may return a promise, and false when it did not show the answer (its tag
  // is then not kept); stale(late, since), every second and after each poll.
  function follow(options) {
    var etag = options.etag || null;
    var fetchedAt = 0;
    var lastAnswer = Date.now();
    var failures = 0;
    var timer = null;
    var stopped = false;

    function checkStale() {
      options.stale(Date.now() - lastAnswer > options.staleSeconds() * 1000, lastAnswer);
    }

    function schedule(delay) {
      window.clearTimeout(timer);
      if (!stopped) { timer = window.setTimeout(poll, delay * 1000); }
    }

    function poll() {
      var headers = { "Accept": options.accept };
      Object.keys(options.headers || {}).forEach(function (name) { headers[name] = options.headers[name]; });
      if (etag && !(options.fresh && Date.now() - fetchedAt >= options.fresh)) { headers["If-None-Match"] = etag; }
      fetch(options.url, { headers: headers, cache: "no-store", credentials: options.credentials || "same-origin" })
        .then(function (response) {
          if (response.status === 401) {
            // A staff session ended: the reload leads to the sign-in page.
            stopped = true;
            window.location.reload();
            return null;
          }
          if (response.status === 304) { return null; }
          if (response.status !== 200) { throw new Error("poll answered " + response.status); }
          var tag = response.headers.get("ETag");
          return Promise.resolve(options.answer(response)).then(function (shown) {
            if (shown !== false) {
              etag = tag;
              fetchedAt = Date.now();
            }
          });
        })
        .then(function () {
          failures = 0;
          lastAnswer = Date.now();
          checkStale();
          schedule(options.every());
        }, function () {
          // Offline or failing: twice as long each time, at most six intervals.
          failures += 1;
          checkStale();
          schedule(Math.min(options.every() * Math.pow(2, failures), options.every() * 6));
        });
    }

    window.addEventListener("online", function () { schedule(0); });
    window.setInterval(checkStale, 1000);
    schedule(options.every());
  }

  function keepAwake() {
    var lock = null;
    function request() {
      if (!("wakeLock" in navigator) || document.visibilityState !== "visible") { return; }
      navigator.wakeLock.request("screen").then(function (granted) { lock = granted; }).catch(function () {});
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && (!lock || lock.released)) { request(); }
    });
    request();
  }

  return { follow: follow, keepAwake: keepAwake };
}());
