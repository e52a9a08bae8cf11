// Webcam supervision during the exam: a 640x480 JPEG every few seconds (jittered),
// browser events in batches, and a request for fullscreen. Nothing is dropped
// silently: frames wait in IndexedDB and events in localStorage until the server
// has them, across page changes, reloads and lost connections. The server ignores
// resent copies (frames by sequence number, events by id).
(function () {
  "use strict";

  var script = document.getElementById("proctor-script");
  if (!script) { return; }
  var cfg = script.dataset;
  var attempt = cfg.attempt;
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var bar = document.getElementById("exam-bar");
  var offsetMs = bar && bar.dataset.serverNow ? Date.parse(bar.dataset.serverNow) - Date.now() : 0;
  var INTERVAL_MS = Number(cfg.interval) * 1000, JITTER_MS = Number(cfg.jitter) * 1000;
  var WIDTH = 640, HEIGHT = 480, EVENT_FLUSH_MS = 3000;
  var SEQ_KEY = "proctor-seq:" + attempt, EVENTS_KEY = "proctor-events:" + attempt;
  var closed = false, unloading = false;

  function serverNow() { return Date.now() + offsetMs; }
  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ------------------------------------------------------------------ status banner
  var banner = document.createElement("div");
  banner.className = "proctor-banner";
  banner.id = "proctor-banner";
  banner.setAttribute("role", "status");
  var bannerText = document.createElement("span");
  var fullscreenButton = document.createElement("button");
  fullscreenButton.type = "button";
  fullscreenButton.className = "button button-small";
  fullscreenButton.id = "fullscreen-button";
  fullscreenButton.textContent = cfg.textFullscreenButton;
  fullscreenButton.hidden = true;
  var pendingText = document.createElement("span");
  pendingText.className = "proctor-pending";
  banner.appendChild(bannerText);
  banner.appendChild(fullscreenButton);
  banner.appendChild(pendingText);
  (bar ? bar.parentNode : document.body).insertBefore(banner, bar ? bar.nextSibling : document.body.firstChild);
  var cameraOk = false;

  function render() {
    var fullscreen = Boolean(document.fullscreenElement);
    var canFullscreen = Boolean(document.documentElement.requestFullscreen);
    var messages = [];
    if (!cameraOk) { messages.push(cfg.textCameraOff); }
    if (canFullscreen && !fullscreen) { messages.push(cfg.textFullscreen); }
    bannerText.textContent = messages.join(" ");
    fullscreenButton.hidden = !canFullscreen || fullscreen;
    banner.dataset.camera = cameraOk ? "on" : "off";
    banner.hidden = messages.length === 0 && !pendingText.textContent;
  }

  // ------------------------------------------------------------------ events
  function loadEvents() {
    try { return JSON.parse(window.localStorage.getItem(EVENTS_KEY) || "[]"); } catch (e) { return []; }
  }
  var memoryEvents = loadEvents();
  function saveEvents() {
    try { window.localStorage.setItem(EVENTS_KEY, JSON.stringify(memoryEvents)); } catch (e) { /* memory only */ }
  }

  function record(type, detail) {
    if (closed) { return; }
    memoryEvents.push({ id: randomId(), type: type, at: Math.round(serverNow()), detail: detail || undefined });
    saveEvents();
  }

  var flushingEvents = false;
  function flushEvents(keepalive) {
    if (closed || flushingEvents || memoryEvents.length === 0) { return; }
    var batch = memoryEvents.slice(0, 100);
    flushingEvents = !keepalive;
    fetch(cfg.eventsUrl, {
      method: "POST", credentials: "same-origin", keepalive: Boolean(keepalive),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify({ events: batch })
    }).then(function (response) {
      if (response.ok || response.status === 422) {
        // 422: a malformed batch can never succeed; it is dropped on the server's word, not silently.
        var sent = {};
        batch.forEach(function (e) { sent[e.id] = true; });
        memoryEvents = loadEvents().filter(function (e) { return !sent[e.id]; });
        saveEvents();
      } else if (response.status === 409 || response.status === 404 || response.status === 401) {
        finish();
      }
    }).catch(function () { /* offline: kept for the next flush */ })
      .then(function () { flushingEvents = false; });
  }

  // ------------------------------------------------------------------ frame queue (IndexedDB, memory fallback)
  var memoryFrames = [];
  var dbPromise = new Promise(function (resolve) {
    if (!window.indexedDB) { resolve(null); return; }
    var request = window.indexedDB.open("sim-proctor", 1);
    request.onupgradeneeded = function () { request.result.createObjectStore("frames", { keyPath: "key" }); };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { resolve(null); };
  });

  function store(mode, action) {
    return dbPromise.then(function (db) {
      if (!db) { return null; }
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("frames", mode);
        var result = action(tx.objectStore("frames"));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    }).catch(function () { return null; });
  }

  function enqueueFrame(item) {
    return dbPromise.then(function (db) {
      if (!db) { memoryFrames.push(item); return null; }
      return store("readwrite", function (s) { return s.put(item); });
    });
  }

  function queuedFrames() {
    return dbPromise.then(function (db) {
      if (!db) { return memoryFrames.slice(); }
      return store("readonly", function (s) { return s.getAll(); }).then(function (all) {
        return (all || []).filter(function (f) { return f.attempt === attempt; })
          .sort(function (a, b) { return a.sequence - b.sequence; });
      });
    });
  }

  function removeFrame(item) {
    memoryFrames = memoryFrames.filter(function (f) { return f.key !== item.key; });
    return store("readwrite", function (s) { return s["delete"](item.key); });
  }

  function clearAttempt() {
    return queuedFrames().then(function (items) { return Promise.all(items.map(removeFrame)); });
  }

  var sending = false, backoffMs = 2000, retryTimer = null;
  function sendFrames() {
    if (sending || closed) { return; }
    sending = true;
    queuedFrames().then(function loop(items) {
      pendingText.textContent = items.length > 1 ? cfg.textPending.replace("{n}", items.length) : "";
      render();
      if (items.length === 0 || closed) { return null; }
      var item = items[0];
      var body = new FormData();
      body.append("frame", item.blob, "frame.jpg");
      body.append("sequence", String(item.sequence));
      body.append("client_time", String(item.clientTime));
      return fetch(cfg.framesUrl, {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken }
      }).then(function (response) {
        if (response.ok) { backoffMs = 2000; return removeFrame(item).then(queuedFrames).then(loop); }
        if (response.status === 409 || response.status === 404 || response.status === 401) { finish(); return null; }
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          // The server refused this picture for good (size, type): say so in the event log and move on.
          record("frame_refused", { status: response.status, sequence: item.sequence });
          return removeFrame(item).then(queuedFrames).then(loop);
        }
        throw new Error("server " + response.status);
      });
    }).catch(function () {
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(sendFrames, backoffMs);
      backoffMs = Math.min(backoffMs * 2, 60000);
    }).then(function () { sending = false; });
  }

  function nextSequence() {
    var stored = Number(window.localStorage.getItem(SEQ_KEY) || 0);
    var next = Math.max(stored + 1, Number(cfg.nextSequence) || 1);
    try { window.localStorage.setItem(SEQ_KEY, String(next)); } catch (e) { /* memory only */ }
    return next;
  }

  // ------------------------------------------------------------------ camera
  var video = document.createElement("video");
  video.muted = true;
  video.setAttribute("playsinline", "");
  video.className = "proctor-video";
  video.setAttribute("aria-hidden", "true");
  document.body.appendChild(video);
  var canvas = document.createElement("canvas");
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  var stream = null, captureTimer = null, reportedUnavailable = false;

  function capture() {
    if (closed) { return; }
    if (stream && video.videoWidth) {
      var vw = video.videoWidth, vh = video.videoHeight;
      var sw = Math.min(vw, vh * 4 / 3), sh = sw * 3 / 4;
      canvas.getContext("2d").drawImage(video, (vw - sw) / 2, (vh - sh) / 2, sw, sh, 0, 0, WIDTH, HEIGHT);
      var clientTime = Math.round(serverNow());
      canvas.toBlob(function (blob) {
        if (!blob) { return; }
        var sequence = nextSequence();
        enqueueFrame({ key: attempt + ":" + sequence, attempt: attempt, sequence: sequence,
                       clientTime: clientTime, blob: blob }).then(sendFrames);
      }, "image/jpeg", 0.8);
    }
    var delay = Math.max(1000, INTERVAL_MS + (Math.random() * 2 - 1) * JITTER_MS);
    captureTimer = window.setTimeout(capture, delay);
  }

  function cameraLost(type) {
    if (!cameraOk) { return; }
    cameraOk = false;
    record(type);
    render();
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      record("camera_unavailable", { reason: "unsupported" });
      render();
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { width: WIDTH, height: HEIGHT, facingMode: "user" }, audio: false })
      .then(function (media) {
        reportedUnavailable = false;
        stream = media;
        video.srcObject = media;
        video.play().catch(function () { /* autoplay of a muted video is allowed */ });
        var track = media.getVideoTracks()[0];
        track.addEventListener("ended", function () { stream = null; cameraLost("camera_ended"); retryCamera(); });
        track.addEventListener("mute", function () { cameraLost("camera_muted"); });
        track.addEventListener("unmute", function () { cameraOk = true; record("camera_unmuted"); render(); });
        cameraOk = true;
        record("camera_started");
        render();
      })
      .catch(function (error) {
        if (cameraOk || !reportedUnavailable) {
          record("camera_unavailable", { reason: error && error.name });
          reportedUnavailable = true;
        }
        cameraOk = false;
        render();
        retryCamera();
      });
  }

  var cameraRetry = null;
  function retryCamera() {
    window.clearTimeout(cameraRetry);
    if (!closed) { cameraRetry = window.setTimeout(startCamera, 10000); }
  }

  // ------------------------------------------------------------------ browser events
  function goFullscreen() {
    if (document.fullscreenElement || !document.documentElement.requestFullscreen) { return; }
    document.documentElement.requestFullscreen().catch(function () { /* refused: the banner stays */ });
  }
  fullscreenButton.addEventListener("click", goFullscreen);
  // Any click is a user gesture: use the first one to return to fullscreen after a page change.
  // On "click" (not pointerdown) so that the page does not change size under the pointer
  // in the middle of the click, which would lose the click (e.g. on an answer option).
  document.addEventListener("click", function (event) {
    if (event.target !== fullscreenButton) { goFullscreen(); }
  });
  var wasFullscreen = Boolean(document.fullscreenElement);
  document.addEventListener("fullscreenchange", function () {
    var now = Boolean(document.fullscreenElement);
    if (now && !wasFullscreen) { record("fullscreen_enter"); }
    if (!now && wasFullscreen && !unloading) { record("fullscreen_exit"); }
    wasFullscreen = now;
    render();
  });

  document.addEventListener("visibilitychange", function () {
    if (unloading) { return; }
    record(document.hidden ? "tab_hidden" : "tab_visible");
    if (document.hidden) { flushEvents(true); }
  });
  window.addEventListener("blur", function () { if (!unloading) { record("window_blur"); } });
  window.addEventListener("focus", function () { record("window_focus"); });
  ["copy", "cut", "paste"].forEach(function (type) {
    document.addEventListener(type, function () { record(type); });
  });
  document.addEventListener("contextmenu", function (event) { record("context_menu"); event.preventDefault(); });
  document.addEventListener("keyup", function (event) {
    if (event.key === "PrintScreen") { record("print_screen"); }
  });
  document.addEventListener("keydown", function (event) {
    var key = (event.key || "").toLowerCase();
    var modified = event.ctrlKey || event.metaKey;
    if (key === "f12" || (modified && "acfiupsjv".indexOf(key) >= 0 && key.length === 1) ||
        (modified && event.shiftKey && (key === "i" || key === "j" || key === "c"))) {
      record("shortcut", { key: (event.ctrlKey ? "ctrl+" : "") + (event.metaKey ? "meta+" : "") +
                                 (event.shiftKey ? "shift+" : "") + key });
    }
  });
  var small = false;
  function checkSize() {
    var tooSmall = window.innerWidth < window.screen.availWidth * 0.7 || window.innerHeight < window.screen.availHeight * 0.6;
    if (tooSmall !== small) {
      small = tooSmall;
      record(tooSmall ? "window_small" : "window_restored",
             { width: window.innerWidth, height: window.innerHeight,
               screen_width: window.screen.availWidth, screen_height: window.screen.availHeight });
    }
  }
  window.addEventListener("resize", checkSize);
  var navigation = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  if (navigation && navigation.type === "reload") { record("page_reload"); }

  // Links and forms lead to the next exam page: leaving that way is not a fullscreen exit or a blur.
  window.addEventListener("pagehide", function () { unloading = true; flushEvents(true); });
  window.addEventListener("beforeunload", function () { unloading = true; });

  function finish() {
    // The attempt is over (submitted or expired): the server takes nothing more for it.
    closed = true;
    window.clearTimeout(captureTimer);
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    memoryEvents = [];
    try { window.localStorage.removeItem(EVENTS_KEY); window.localStorage.removeItem(SEQ_KEY); } catch (e) { /* */ }
    clearAttempt();
  }

  checkSize();
  render();
  startCamera();
  captureTimer = window.setTimeout(capture, Math.min(1500, INTERVAL_MS));
  sendFrames();
  flushEvents(false);
  window.setInterval(function () { flushEvents(false); }, EVENT_FLUSH_MS);
  window.addEventListener("online", function () { backoffMs = 2000; sendFrames(); flushEvents(false); });
})();
