// The desk page follows its location: polls the waiting list with If-None-Match (304 while nothing changed) and
// the header Portal-Poll, so the polls do not keep an unattended staff session alive (docs/plugins.md). Without an
// answer for a while, a note says the list may be behind.
(function () {
  "use strict";
  var box = document.getElementById("queue-desk-live");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-queue-live-url");
  var seconds = parseInt(box.getAttribute("data-queue-poll-seconds"), 10) || 5;
  var staleSeconds = parseInt(box.getAttribute("data-queue-stale-seconds"), 10) || 15;
  var stale = document.querySelector("[data-queue-stale]");
  var lastAnswer = Date.now();
  // The list shows minutes waited: once a minute the poll asks without its tag, to get them anew.
  var fullEvery = Math.max(1, Math.round(60 / seconds));
  var polls = 0;
  var etag = null;
  var refresh = document.querySelector(".queue-refresh");
  if (refresh) { refresh.hidden = true; }

  function poll() {
    polls += 1;
    var headers = { "Accept": "text/html", "Portal-Poll": "1" };
    if (etag && polls % fullEvery !== 0) { headers["If-None-Match"] = etag; }
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) {
        window.location.reload();  // the session ended: the reload leads to the login
        return null;
      }
      if (response.status === 200 || response.status === 304) { lastAnswer = Date.now(); }
      if (response.status !== 200) { return null; }
      return response.text().then(function (html) {
        // Never pull a button away from under the keyboard: a list holding the focus waits for the next poll.
        if (box.contains(document.activeElement)) { return; }
        etag = response.headers.get("ETag");
        box.innerHTML = html;
      });
    }).catch(function () { /* offline for a moment: the next poll tries again */ }).then(function () {
      if (stale) { stale.hidden = Date.now() - lastAnswer <= staleSeconds * 1000; }
      window.setTimeout(poll, seconds * 1000);
    });
  }

  window.setTimeout(poll, seconds * 1000);
}());
