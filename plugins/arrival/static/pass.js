// A valid or checked-in pass's page follows its own address (the core's live.js): once the door has checked the pass
// in, the appointment changed, or what comes next changed (the waiting number, then the call), it shows the page
// anew. The reload button and its hint give way to a hint that the page changes by itself.
(function () {
  "use strict";
  var form = document.querySelector("[data-arrival-follow]");
  if (!form || !window.fetch || !window.portalLive) { return; }
  var hint = document.querySelector("[data-arrival-follow-hint]");
  var shown = form.getAttribute("data-arrival-etag");
  form.hidden = true;
  if (hint) { hint.hidden = false; }
  window.portalLive.follow({
    url: window.location.pathname,
    accept: "text/html",
    etag: shown,
    every: function () { return parseInt(form.getAttribute("data-arrival-follow-seconds"), 10) || 10; },
    staleSeconds: function () { return Infinity; },
    stale: function () {},
    answer: function (response) {
      // Only a page that says something else is shown anew: a proxy that dropped the tag must not reload it forever.
      var tag = response.headers.get("ETag");
      if (tag && tag !== shown) { window.location.reload(); }
      return false;
    }
  });
}());
