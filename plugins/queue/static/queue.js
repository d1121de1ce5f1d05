// The ticket page follows its ticket through the location's board, one answer shared by every phone there
// (the core's live.js), and derives from it, with the texts the page carries, the ticket's place, expected wait and call
// ("go to room 2.14 now", in the source language and the page's); when the ticket is served, ends or is transferred, it
// fetches the ticket's own live part once. Alerts when called (vibration, a tone where the browser allows), keeps the
// screen awake, and says when it has had no answer for a while.
(function () {
  "use strict";
  var box = document.getElementById("queue-live");
  var config = document.getElementById("queue-follow");
  var texts = document.getElementById("queue-texts");
  if (!box || !config || !texts || !window.fetch || !window.JSON || !window.portalLive) { return; }
  config = JSON.parse(config.textContent);
  texts = JSON.parse(texts.textContent);
  // The server's clock, for an arrival window still to come: a phone's own clock may be minutes off.
  var clockOffset = config.clock - Date.now();
  var ticket = readTicket();
  var lastCall = callKey();
  // The script follows the ticket: the refresh button goes, with its hint, and the page asks to be kept open instead.
  var refresh = document.querySelector(".queue-refresh");
  if (refresh) { refresh.hidden = true; }
  var followHint = document.querySelector("[data-queue-follow-hint]");
  if (followHint) { followHint.hidden = false; }
  // Without an answer for a while (the waiting room's network failed), the page says it may be behind.
  var stale = document.querySelector("[data-queue-stale]");

  function readTicket() {
    var part = box.querySelector(".queue-ticket");
    var windowAt = part.getAttribute("data-queue-window-at");
    return { state: part.getAttribute("data-queue-state"), number: part.getAttribute("data-queue-number"),
             queue: part.getAttribute("data-queue-queue"), windowAt: windowAt ? parseInt(windowAt, 10) : null };
  }

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

  // The ticket's state as the board tells it; the server's live part says the same (service.follow_state).
  function stateOn(board) {
    var called = board.called[ticket.number];
    if (called) { return "called " + called.at; }
    if (board.served.indexOf(ticket.number) >= 0) { return "served"; }
    var queue = board.queues[ticket.queue];
    return queue && queue.waiting.indexOf(ticket.number) >= 0 ? "waiting" : "gone";
  }

  // As service.ahead: the numbers before this one that any desk, or this one's reserved desk, may call.
  function ahead(queue) {
    var reserved = queue.reserved[ticket.number] || "";
    var count = 0;
    for (var index = 0; queue.waiting[index] !== ticket.number; index += 1) {
      var theirs = queue.reserved[queue.waiting[index]] || "";
      if (theirs === "" || theirs === reserved) { count += 1; }
    }
    return count;
  }

  // The form of a counted text for count, as views.follow_texts tabulates it.
  function pluralText(name, count) {
    var forms = texts[name + "_forms"];
    var form = count < forms.length ? forms.charAt(count) : forms.charAt(100 + count % 100);
    return texts[name][parseInt(form, 10)];
  }

  function aheadText(count) {
    if (count === 0) { return texts.next; }
    return pluralText("ahead", count).replace("{num}", count);
  }

  // As service.expected_wait: a range around the estimate, rounded to 5 minutes.
  function waitRange(queue, count) {
    var serving = queue.reserved[ticket.number] ? 1 : queue.desks;
    var estimate = (count + 0.5) * queue.minutes / serving;
    var now = Date.now() + clockOffset;
    if (ticket.windowAt !== null && ticket.windowAt > now) {
      estimate = Math.max(estimate, (ticket.windowAt - now) / 60000);
    }
    var low = Math.floor(estimate * (1 - texts.spread) / 5) * 5;
    return [low, Math.max(low + 5, Math.ceil(estimate * (1 + texts.spread) / 5) * 5)];
  }

  function setText(selector, text) {
    var element = box.querySelector(selector);
    if (element && element.textContent !== text) { element.textContent = text; }
    return element;
  }

  function showPlace(board) {
    var queue = board.queues[ticket.queue];
    var count = ahead(queue);
    var range = waitRange(queue, count);
    setText(".queue-ahead", aheadText(count));
    setText(".queue-wait", pluralText("wait", range[1]).replace("{low}", range[0]).replace("{high}", range[1]));
    var stepOut = setText(".queue-step-out", pluralText("step_out", range[0]).replace("{minutes}", range[0]));
    if (stepOut) { stepOut.hidden = range[0] < texts.step_out_minutes; }
  }

  function fetchTicket() {
    return fetch(config.ticket, { headers: { "Accept": "text/html" }, cache: "no-store",
                                  credentials: "same-origin" }).then(function (response) {
      if (response.status !== 200) { throw new Error("no live part"); }
      return response.text().then(function (html) {
        box.innerHTML = html;
        ticket = readTicket();
        var key = callKey();
        if (key && key !== lastCall) { alertCall(); }
        lastCall = key;
      });
    }).catch(function () {
      // The board did answer, so the page is not behind; not shown, its tag is not kept and the next poll tries again.
      return false;
    });
  }

  function paragraph(className, text) {
    var element = document.createElement("p");
    element.className = className;
    element.textContent = text;
    return element;
  }

  // As the live part shows a called ticket (_ticket_live.html): the number and queue stay, the call replaces the rest.
  function showCall(called, state) {
    var part = box.querySelector(".queue-ticket");
    var keep = [part.querySelector(".queue-number"), part.querySelector(".queue-queue")];
    var call = document.createElement("div");
    call.className = "queue-call";
    call.setAttribute("data-queue-call", state);
    var title = paragraph("queue-call__title", " " + texts.called);
    var arrow = document.createElement("span");
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = "\u279c";
    title.insertBefore(arrow, title.firstChild);
    call.appendChild(title);
    texts.call.forEach(function (language) {
      var translated = language.lang !== texts.source.lang;
      var line = paragraph("queue-call__text", called.room ? language.room.replace("{room}", called.room)
        : translated ? "" : language.place.replace("{place}", called.place));
      if (!called.room && translated) {
        // The desk's name is the office's own: in a translated call it is marked as the source language's.
        var around = language.place.split("{place}");
        var name = document.createElement("span");
        name.textContent = called.place;
        name.setAttribute("lang", texts.source.lang);
        name.setAttribute("dir", texts.source.dir);
        line.append(around[0], name, around.slice(1).join("{place}"));
      }
      line.setAttribute("lang", language.lang);
      line.setAttribute("dir", language.dir);
      call.appendChild(line);
    });
    while (part.firstChild) { part.removeChild(part.firstChild); }
    keep.forEach(function (element) { if (element) { part.appendChild(element); } });
    part.appendChild(call);
    part.setAttribute("data-queue-state", state);
    ticket.state = state;
    if (state !== lastCall) { alertCall(); }
    lastCall = state;
  }

  function follow(board) {
    var state = stateOn(board);
    if (state.indexOf("called ") === 0) {
      if (state !== ticket.state) { showCall(board.called[ticket.number], state); }
      return null;
    }
    if (state !== ticket.state) { return fetchTicket(); }
    if (state === "waiting") { showPlace(board); }
    return null;
  }

  window.portalLive.follow({
    url: config.board,
    accept: "application/json",
    every: function () { return config.poll_seconds || 5; },
    staleSeconds: function () { return config.stale_seconds || 15; },
    answer: function (response) { return response.json().then(follow); },
    stale: function (late) { if (stale) { stale.hidden = !late; } }
  });
  window.portalLive.keepAwake();
}());
