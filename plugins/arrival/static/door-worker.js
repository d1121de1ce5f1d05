/* The door page's service worker: keeps the page, its files, the public keys and today's list of passes,
 * so the door keeps judging passes when the network drops.
 *
 * Its scope is the door page alone. Requests go to the network first; the answer of an address the page asked
 * to keep refreshes the copy, and the copy answers while the network is gone or the server answers with an error
 * of its own (5xx). Check-ins (POST) are never kept:
 * the page queues them itself.
 */
"use strict";
var CACHE = "arrival-door";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("message", function (event) {
  if (!event.data || !Array.isArray(event.data.cache)) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(event.data.cache.map(function (address) {
      var url = new URL(address, self.location.href);
      if (url.origin !== self.location.origin) return null;
      return fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
        return response.ok ? cache.put(url, response) : null;
      }, function () { return null; });
    })).then(function () {
      // The page says on itself that it can now work offline (and tests wait for it).
      if (event.source) event.source.postMessage({cached: true});
    });
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") {
        var copy = response.clone();
        cache.match(request).then(function (kept) { return kept ? cache.put(request, copy) : null; });
      }
      // A server that cannot answer now (restarting, its database away) leaves the door working from its copy.
      if (response.status >= 500) return cache.match(request).then(function (kept) { return kept || response; });
      return response;
    }, function () {
      return cache.match(request).then(function (kept) { return kept || Response.error(); });
    });
  }));
});
