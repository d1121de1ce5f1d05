/* The door page's script: verdicts without reloading, a camera that reads QR codes, and judging passes offline.
 *
 * Without it the page's form still works. Every text comes from the page (#arrival-door-data), in the staff
 * member's language. Offline, a pass's Ed25519 signature is verified with WebCrypto against the cached public
 * keys, its facts are compared with the cached list of today's passes, and a valid one is queued in IndexedDB
 * until the batch address takes it (idempotently: the server stores each pass once).
 */
(function () {
  "use strict";
  var dataNode = document.getElementById("arrival-door-data");
  if (!dataNode || !window.fetch) return;
  var text = JSON.parse(dataNode.textContent);
  var form = document.getElementById("arrival-door-form");
  var codeField = document.getElementById("code");
  var deviceField = document.getElementById("device");
  var area = document.getElementById("arrival-verdict-area");
  var banner = document.getElementById("arrival-offline");
  var sent = document.getElementById("arrival-sent");
  var sentList = document.getElementById("arrival-sent-list");
  var csrfToken = form.querySelector("input[name=csrf_token]").value;
  var lang = document.documentElement.lang;
  var BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  var SIGNATURE_BYTES = 64;
  var HEAD_BYTES = 26;
  var SHORT_CODE_LENGTH = 12;
  var dayList = null;
  var publicKeys = {};
  var offlineSince = sessionStorage.getItem("arrival-offline-since");
  var waiting = 0;
  // The session ended while check-ins wait: the door is online but may not send them; it must not look offline.
  var signedOut = false;
  var audio = null;
  // The end of the last check, or the last keystroke: a newer release's page is taken only after a quiet minute.
  var lastActivity = Date.now();
  var QUIET_MS = 60000;
  var RETRY_MS = 600000;
  var CAMERA_KEY = "arrival-door-camera";
  var RELOADED_KEY = "arrival-door-reloaded-for";
  var checking = 0;

  function element(name, className, content) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  /* A moment's time of day at the office as the page's language writes it, like the server's verdicts. */
  function clock(moment, zone) {
    return new Intl.DateTimeFormat(lang, {timeStyle: "short", timeZone: zone || text.zone})
      .format(moment);
  }

  /* An office time such as "15:30", written as clock() writes a moment. */
  function wallClock(time) {
    var parts = time.split(":");
    return clock(Date.UTC(2000, 0, 1, Number(parts[0]), Number(parts[1])), "UTC");
  }

  /* Today's date and the minutes since midnight at the office, by the device's clock. */
  function officeNow() {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
      minute: "2-digit", hourCycle: "h23", timeZone: text.zone}).formatToParts(new Date()).forEach(function (part) {
      parts[part.type] = part.value;
    });
    return {day: parts.year + "-" + parts.month + "-" + parts.day,
      minutes: Number(parts.hour) * 60 + Number(parts.minute)};
  }

  function beep(valid) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      // One high tone for "let in", two low ones for everything else.
      (valid ? [[880, 0]] : [[220, 0], [220, 0.2]]).forEach(function (tone) {
        var oscillator = audio.createOscillator();
        var gain = audio.createGain();
        oscillator.type = valid ? "sine" : "square";
        oscillator.frequency.value = tone[0];
        gain.gain.value = 0.2;
        oscillator.connect(gain);
        gain.connect(audio.destination);
        oscillator.start(audio.currentTime + tone[1]);
        oscillator.stop(audio.currentTime + tone[1] + 0.12);
      });
    } catch (error) {
      // A browser without sound still shows the verdict.
    }
  }

  /* The page without script said the field was empty or too long; a verdict or message shown since replaces that. */
  function clearFieldError() {
    var error = document.getElementById("code-error");
    if (!error) return;
    error.remove();
    codeField.removeAttribute("aria-invalid");
    var described = (codeField.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== "code-error";
    });
    if (described.length) codeField.setAttribute("aria-describedby", described.join(" "));
    else codeField.removeAttribute("aria-describedby");
    var field = codeField.closest(".field");
    if (field) field.classList.remove("field--error");
  }

  function show(kind, detail, slotMarkup, note) {
    clearFieldError();
    var section = element("section", "arrival-verdict arrival-verdict--" + kind);
    section.setAttribute("aria-labelledby", "arrival-verdict-title");
    var title = element("p", "arrival-verdict__title");
    title.id = "arrival-verdict-title";
    var icon = element("span", "arrival-verdict__icon", text.icons[kind]);
    icon.setAttribute("aria-hidden", "true");
    title.append(icon, " " + text.titles[kind]);
    section.append(title, element("p", "arrival-verdict__detail", detail));
    if (note) section.append(element("p", "arrival-verdict__note", note));
    area.replaceChildren(section);
    if (slotMarkup) {
      // The slot's markup is rendered by the server for this verdict, like the page without script.
      var slot = element("div", "arrival-door-slot");
      slot.innerHTML = slotMarkup;
      area.append(slot);
    }
    beep(kind === "valid_now");
  }

  function showMessage(message) {
    clearFieldError();
    area.replaceChildren(element("p", "arrival-verdict__note", message));
  }

  /* The pass in a scanned text: the text, or the pass in this portal's own address from the letter's QR code. */
  function passIn(scanned) {
    var own = new RegExp("^\\s*HTTPS?://" + location.host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") +
      "/P/([A-Z2-7 -]+)\\s*$", "i").exec(scanned);
    return own ? own[1] : scanned;
  }

  function updateBanner() {
    banner.classList.toggle("arrival-offline--signed-out", signedOut);
    if (signedOut) {
      banner.textContent = text.signed_out_waiting.replace("%(count)s", String(waiting));
      return;
    }
    if (offlineSince === null && waiting === 0) {
      banner.textContent = "";
      return;
    }
    var since = clock(new Date(Number(offlineSince || Date.now())));
    banner.textContent = text.offline.replace("%(time)s", since).replace("%(count)s", String(waiting));
  }

  function wentOffline() {
    if (offlineSince === null) {
      offlineSince = String(Date.now());
      sessionStorage.setItem("arrival-offline-since", offlineSince);
    }
    updateBanner();
  }

  function cameOnline() {
    offlineSince = null;
    sessionStorage.removeItem("arrival-offline-since");
    updateBanner();
  }

  /* ---- The queue of offline check-ins, in IndexedDB. ---- */
  var database = new Promise(function (resolve, reject) {
    var request = indexedDB.open("arrival-door", 1);
    request.onupgradeneeded = function () { request.result.createObjectStore("check_ins", {keyPath: "id"}); };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });

  function store(mode, work) {
    return database.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("check_ins", mode);
        var result = work(transaction.objectStore("check_ins"));
        transaction.oncomplete = function () { resolve(result && result.result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }

  function queued() {
    return store("readonly", function (checkIns) { return checkIns.getAll(); });
  }

  function countWaiting() {
    return queued().then(function (checkIns) {
      waiting = checkIns.length;
      updateBanner();
      return checkIns;
    });
  }

  var sending = null;
  var BATCH_LIMIT = 200;

  /* Send the queue in batches of at most 200, oldest first, each of one device label (as it read when the pass
   * was checked, even if the page was reloaded from the cache since), until it is empty or the network fails. */
  function sendBatch() {
    return queued().then(function (checkIns) {
      if (!checkIns.length) return null;
      checkIns.sort(function (one, other) { return one.scanned_at < other.scanned_at ? -1 : 1; });
      var device = checkIns[0].device || "";
      var batch = checkIns.filter(function (item) { return (item.device || "") === device; }).slice(0, BATCH_LIMIT);
      return fetch(text.batch_url, {method: "POST", credentials: "same-origin", redirect: "manual",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken},
        body: JSON.stringify({device: device, check_ins: batch.map(
          function (item) { return {id: item.id, code: item.code, scanned_at: item.scanned_at}; })})
      }).then(function (response) {
        // The server or the proxy before it cannot answer now (restarting, its database away): as offline.
        if (response.status >= 500) throw new Error(String(response.status));
        if (!response.ok) {
          // Signed out (a redirect to the sign-in page, or a refused CSRF token): the queue stays on the device.
          signedOut = true;
          return null;
        }
        signedOut = false;
        return response.json().then(function (answer) {
          showSent(answer.results);
          return store("readwrite", function (kept) {
            answer.results.forEach(function (result) { kept.delete(result.id); });
          });
        }).then(function () { return checkIns.length > batch.length ? sendBatch() : null; });
      });
    });
  }

  /* The waiting numbers the uploaded check-ins were given, by the short code on the client's letter. */
  function showSent(results) {
    results.forEach(function (result) {
      var counted = result.kind === "valid_now" || result.kind === "already_checked_in";
      var item = element("li", counted ? "arrival-sent__item" : "arrival-sent__item arrival-sent__item--refused");
      var code = element("span", "arrival-sent__code", result.short_code);
      code.dir = "ltr";
      if (!counted) {
        // Let in offline, but not checked in by the server, which judged the pass by the appointment as it is now
        // (moved or cancelled meanwhile): the door learns it, to send the client to the information desk.
        item.append(code, " · " + result.scanned_at + " · " + result.title);
        sentList.prepend(item);
        return;
      }
      item.append(code, " · " + result.persons + " · " + result.scanned_at);
      if (result.slot.trim()) {
        var slot = element("div", "arrival-door-slot");
        // Rendered by the server for this check-in, like an online verdict's slot.
        slot.innerHTML = result.slot;
        item.append(slot);
      }
      sentList.prepend(item);
    });
    sent.hidden = !sentList.children.length;
  }

  document.getElementById("arrival-sent-clear").addEventListener("click", function () {
    sentList.replaceChildren();
    sent.hidden = true;
    codeField.focus();
  });

  function sendQueued() {
    if (sending) return sending;
    sending = sendBatch().then(function () {
      cameOnline();
      return Promise.all([countWaiting(), loadLists()]);
    }, wentOffline).then(function () { sending = null; }, function () { sending = null; });
    return sending;
  }

  /* ---- Judging offline: the pass's signature and facts, against the cached keys and today's list. ---- */
  function base32Bytes(letters) {
    var bits = 0, value = 0, bytes = [];
    for (var i = 0; i < letters.length; i++) {
      var index = BASE32.indexOf(letters[i]);
      if (index < 0) return null;
      value = (value << 5) | index;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        bytes.push((value >> bits) & 0xff);
      }
    }
    return new Uint8Array(bytes);
  }

  function base32Text(bytes) {
    var bits = 0, value = 0, letters = "";
    bytes.forEach(function (byte) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        letters += BASE32[(value >> bits) & 31];
      }
    });
    return bits ? letters + BASE32[(value << (5 - bits)) & 31] : letters;
  }

  function hhmm(minutes) {
    return String(Math.floor(minutes / 60)).padStart(2, "0") + ":" + String(minutes % 60).padStart(2, "0");
  }

  /* The facts a pass's signed bytes hold (layout in passes.py), or null when they are not exactly one pass.
     A pass of format 1, on a letter printed before format 2, has a service group and a language after the head,
     which are skipped. */
  function facts(data) {
    var view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.length < HEAD_BYTES) return null;
    var length = HEAD_BYTES;
    if (data[0] === 1 && data.length > HEAD_BYTES) {
      var languageAt = HEAD_BYTES + 1 + data[HEAD_BYTES];
      length = languageAt < data.length ? languageAt + 1 + data[languageAt] : 0;
    } else if (data[0] !== 2) {
      return null;
    }
    if (length !== data.length) return null;
    var start = view.getUint16(21), end = view.getUint16(23);
    if (end >= 1440 || end <= start || data[25] < 1) return null;
    var day = new Date(Date.UTC(2020, 0, 1) + view.getUint16(19) * 86400000).toISOString().slice(0, 10);
    return {key_id: view.getUint16(1), public_id: base32Text(data.subarray(3, 19)), day: day,
      window_start: hhmm(start), window_end: hhmm(end), persons: data[25]};
  }

  function genuineFacts(letters) {
    var raw = base32Bytes(letters);
    if (!raw || raw.length < SIGNATURE_BYTES + HEAD_BYTES || !window.crypto || !crypto.subtle) {
      return Promise.resolve(null);
    }
    var data = raw.subarray(0, raw.length - SIGNATURE_BYTES);
    var signature = raw.subarray(raw.length - SIGNATURE_BYTES);
    var said = facts(data);
    var key = said && publicKeys[said.key_id];
    if (!key) return Promise.resolve(null);
    return crypto.subtle.importKey("raw", base64Bytes(key), {name: "Ed25519"}, false, ["verify"]).then(function (k) {
      return crypto.subtle.verify({name: "Ed25519"}, k, signature, data);
    }).then(function (valid) { return valid ? said : null; }, function () { return null; });
  }

  function base64Bytes(base64) {
    return Uint8Array.from(atob(base64), function (letter) { return letter.charCodeAt(0); });
  }

  function judgeOffline(scanned) {
    var typed = scanned.replace(/[\s-]/g, "").toUpperCase();
    var now = officeNow();
    var passes = dayList && dayList.day === now.day ? dayList.passes : [];
    var found;
    if (typed.length === SHORT_CODE_LENGTH) {
      var named = passes.filter(function (entry) { return entry.short_code === typed; });
      found = Promise.resolve(named.length === 1 ? {entry: named[0], pass: named[0]} : null);
    } else {
      found = genuineFacts(typed).then(function (pass) {
        if (!pass) return null;
        var entry = passes.filter(function (item) { return item.public_id === pass.public_id; })[0];
        return {entry: entry, pass: pass};
      });
    }
    return Promise.all([found, queued()]).then(function (results) {
      var match = results[0];
      if (!match) return {kind: "not_genuine"};
      // A pass and its short code name the appointment; both are judged by its current facts on today's list.
      var pass = match.pass, entry = match.entry;
      if (!entry && pass.day !== now.day) return {kind: "another_day"};
      if (!entry || entry.revoked) return {kind: "changed"};
      var local = results[1].filter(function (item) { return item.public_id === entry.public_id; })[0];
      var checkedInAt = entry.checked_in_at || (local && local.scanned_at);
      if (checkedInAt) return {kind: "already_checked_in", time: clock(new Date(checkedInAt))};
      var start = entry.window_start.split(":");
      if (now.minutes < Number(start[0]) * 60 + Number(start[1])) {
        return {kind: "too_early", time: wallClock(entry.window_start)};
      }
      var checkIn = {id: (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()),
        code: typed, scanned_at: new Date().toISOString(), public_id: entry.public_id, device: deviceField.value};
      return store("readwrite", function (checkIns) { checkIns.add(checkIn); }).then(function () {
        return {kind: "valid_now", persons: entry.persons};
      });
    });
  }

  function showOffline(verdict) {
    var detail = verdict.kind === "valid_now"
      ? (dayList.persons_text[String(verdict.persons)] || String(verdict.persons))
      : text.details[verdict.kind].replace("%(time)s", verdict.time || "");
    // Only a check-in waits to be sent; every other verdict is the door's alone.
    show(verdict.kind, detail, "", verdict.kind === "valid_now" ? text.offline_note : text.offline_checked);
  }

  /* ---- Checking a pass: online through the check address, offline here. ----
   * `typed` (from the field) empties the field and focuses it again for the next pass, while a camera read
   * leaves the field alone, so a phone does not open its keyboard after every read. */
  function check(scanned, typed) {
    var code = passIn(scanned);
    checking += 1;
    if (typed) codeField.value = "";
    var judgeHere = function () {
      wentOffline();
      return judgeOffline(code).then(function (verdict) {
        showOffline(verdict);
        return countWaiting();
      });
    };
    // Check-ins judged here while the server could not be reached go first: a pass let in then and shown again now
    // is "already checked in", not let in a second time.
    var sentBefore = waiting ? sendQueued() : Promise.resolve();
    return sentBefore.then(function () {
      if (offlineSince !== null && waiting) throw new Error("still offline");
      return fetch(text.check_url, {method: "POST", credentials: "same-origin", redirect: "manual",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken},
        body: JSON.stringify({code: code, device: deviceField.value})});
    }).then(function (response) {
      // The server or the proxy before it cannot answer now (restarting, its database away): the door judges as
      // offline, instead of telling the guard to sign in again.
      if (response.status >= 500) return judgeHere();
      if (response.ok) {
        return response.json().then(function (verdict) {
          show(verdict.kind, verdict.detail, verdict.slot);
          if (offlineSince !== null || waiting) sendQueued();
        });
      }
      if (response.status === 422) return response.json().then(function (refusal) { showMessage(refusal.error); });
      showMessage(text.signed_out);
      signedOut = waiting > 0;
      updateBanner();
      return null;
    }, judgeHere).then(function () {
      checking -= 1;
      lastActivity = Date.now();
      if (!typed) return;
      codeField.focus();
      // The field on top and the verdict below it in view, whatever the staff menu above takes on a phone.
      form.scrollIntoView({block: "start"});
    });
  }

  /* The device's label outlives a reload from the offline copy, which holds the label of when it was kept. */
  var savedDevice = localStorage.getItem("arrival-door-device");
  if (savedDevice !== null) deviceField.value = savedDevice;
  deviceField.addEventListener("input", function () {
    localStorage.setItem("arrival-door-device", deviceField.value);
  });

  codeField.addEventListener("input", function () { lastActivity = Date.now(); });

  form.addEventListener("submit", function (event) {
    if (!codeField.value.trim()) {
      // Enter after typing the device's label only confirms the label: on to the pass.
      if (document.activeElement === deviceField) {
        event.preventDefault();
        codeField.focus();
      }
      return;  // otherwise the server explains what is missing
    }
    event.preventDefault();
    check(codeField.value, true);
  });

  function loadLists() {
    var get = function (address) {
      return fetch(address, {credentials: "same-origin"}).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      });
    };
    return Promise.all([get(text.day_url), get(text.keys_url)]).then(function (lists) {
      dayList = lists[0];
      publicKeys = {};
      lists[1].keys.forEach(function (key) { publicKeys[key.key_id] = key.public_key; });
      // Tells whoever looks (and the browser tests) which day the device can judge offline.
      form.setAttribute("data-offline-day", dayList.day);
      reloadWhenNewer(dayList.version);
    }, function () { return null; });
  }

  /* A release changed the door's files while this page stayed open: reload at a quiet moment, when nothing is on
   * screen or in the field that the guard still needs and nothing waits to be sent. A reload that brought the
   * earlier page again (its offline copy, a server not yet updated) is tried again only after ten minutes. The
   * camera comes back on. */
  function reloadWhenNewer(version) {
    if (!version || version === text.version) return;
    var tried = JSON.parse(sessionStorage.getItem(RELOADED_KEY) || "{}");
    if (tried.version === version && Date.now() - tried.at < RETRY_MS) return;
    var quiet = Date.now() - lastActivity >= QUIET_MS && !codeField.value && document.activeElement !== deviceField;
    if (!quiet || checking || waiting || offlineSince !== null || signedOut || !sent.hidden) return;
    sessionStorage.setItem(RELOADED_KEY, JSON.stringify({version: version, at: Date.now()}));
    if (stream) sessionStorage.setItem(CAMERA_KEY, "on");
    location.reload();
  }

  /* ---- The camera: BarcodeDetector where the browser has one, otherwise the vendored jsQR. ---- */
  var camera = document.getElementById("arrival-camera");
  var cameraButton = document.getElementById("arrival-camera-button");
  var cameraMessage = document.getElementById("arrival-camera-message");
  var video = document.getElementById("arrival-camera-video");
  var stream = null, detector = null, canvas = null, lastRead = "", lastSeen = 0, reading = false;

  function readFrame() {
    if (detector) {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : ""; });
    }
    if (!window.jsQR) return Promise.resolve("");
    var scale = Math.min(1, 640 / video.videoWidth);
    canvas = canvas || document.createElement("canvas");
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    var context = canvas.getContext("2d", {willReadFrequently: true});
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
    return Promise.resolve(found ? found.data : "");
  }

  function scan() {
    if (!stream) return;
    if (reading || video.readyState < 2 || !video.videoWidth) {
      setTimeout(scan, 100);
      return;
    }
    reading = true;
    readFrame().then(function (read) {
      var now = Date.now();
      // A code held in front of the camera is read once; it counts again after it was out of view for 2 s.
      var fresh = read && (read !== lastRead || now - lastSeen > 2000);
      if (read) {
        lastRead = read;
        lastSeen = now;
      }
      return fresh ? check(read, false) : null;
    }).catch(function () { return null; }).then(function () {
      reading = false;
      setTimeout(scan, 100);
    });
  }

  function stopCamera() {
    stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    cameraButton.textContent = text.start;
  }

  function startCamera() {
    cameraMessage.textContent = "";
    var choose = "BarcodeDetector" in window
      ? window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        detector = formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({formats: ["qr_code"]}) : null;
      }, function () { detector = null; })
      : Promise.resolve();
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      cameraButton.textContent = text.stop;
      return Promise.all([video.play(), choose]);
    }).then(scan, function () {
      cameraMessage.textContent = text.camera_failed;
    });
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    camera.hidden = false;
    cameraButton.addEventListener("click", function () {
      if (stream) stopCamera(); else startCamera();
    });
    if (sessionStorage.getItem(CAMERA_KEY)) {
      sessionStorage.removeItem(CAMERA_KEY);
      startCamera();
    }
  }

  /* ---- Offline: the service worker keeps the page, its files, the keys and today's list. ---- */
  window.addEventListener("offline", wentOffline);
  window.addEventListener("online", sendQueued);
  setInterval(function () {
    if (offlineSince !== null || waiting) sendQueued(); else loadLists();
  }, 30000);
  if (!navigator.onLine) wentOffline();
  loadLists();
  countWaiting().then(function () { if (navigator.onLine && waiting) sendQueued(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.cached) form.setAttribute("data-offline-ready", "true");
    });
    navigator.serviceWorker.register(text.worker_url, {scope: text.scope}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var files = [location.pathname, text.day_url, text.keys_url];
      // Icons come from sprite files (<use href="file#icon">): the file is what the worker fetches and keeps.
      document.querySelectorAll("script[src], link[rel=stylesheet], use[href]").forEach(function (node) {
        var address = (node.getAttribute("src") || node.getAttribute("href")).split("#")[0];
        if (files.indexOf(address) < 0) files.push(address);
      });
      registration.active.postMessage({cache: files});
    }).catch(function () { return null; });
  }
}());
