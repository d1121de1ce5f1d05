// The ticket page follows its ticket: polls the live part with If-None-Match (304 while nothing changed),
// alerts when the ticket is called (vibration, a tone where the browser allows) and keeps the screen awake.
(function () {
  "use strict";
  var box = document.getElementById("queue-live");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-queue-live-url");
  var seconds = parseInt(box.getAttribute("data-queue-poll-seconds"), 10) || 5;
  var etag = null;
  var lastCall = callKey();
  var refresh = document.querySelector(".queue-refresh");
  if (refresh) { refresh.hidden = true; }

  function callKey() {
    var call = box.querySelector("[data-queue-call]");
    return call ? call.getAttribute("data-queue-call") : "";
  }

  // Browsers play sound only after a tap on the page: the test button gives that tap and keeps the audio ready.
  var audio = null;
  function tone() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") { audio.resume(); }
      [0, 0.35].forEach(function (start) {
        var oscillator = audio.createOscillator();
        var gain = audio.createGain();
        oscillator.frequency.value = 880;
        gain.gain.value = 0.2;
        oscillator.connect(gain);
        gain.connect(audio.destination);
        oscillator.start(audio.currentTime + start);
        oscillator.stop(audio.currentTime + start + 0.25);
      });
    } catch (error) { /* no sound allowed yet: the words and the vibration remain */ }
  }

  var sound = document.querySelector(".queue-sound");
  if (sound) {
    sound.hidden = false;
    sound.querySelector("button").addEventListener("click", tone);
  }

  function alertCall() {
    if (navigator.vibrate) { navigator.vibrate([400, 150, 400, 150, 400]); }
    tone();
  }

  function poll() {
    var headers = { "Accept": "text/html" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" }).then(function (response) {
      if (response.status !== 200) { return null; }
      etag = response.headers.get("ETag");
      return response.text().then(function (html) {
        box.innerHTML = html;
        var key = callKey();
        if (key && key !== lastCall) { alertCall(); }
        lastCall = key;
      });
    }).catch(function () { /* offline for a moment: the next poll tries again */ }).then(function () {
      window.setTimeout(poll, seconds * 1000);
    });
  }

  var wakeLock = null;
  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") { return; }
    navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; }).catch(function () {});
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && (!wakeLock || wakeLock.released)) { keepAwake(); }
  });
  keepAwake();
  window.setTimeout(poll, seconds * 1000);
}());
