// The camera check on the exam's start page: camera permission (with guidance when
// it is blocked or missing), live preview, light measured here and face size from
// the server's preview analysis, then a reference photo checked on the server.
// When the photo passes, the liveness step: the server asks for one head movement at
// a time and judges each frame sent to it; the page shows its instructions.
// The start button stays disabled until both pass; the server enforces it too.
(function () {
  "use strict";

  var section = document.getElementById("system-check");
  if (!section || section.dataset.required !== "true") { return; }
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var video = document.getElementById("check-video");
  var guidance = document.getElementById("check-guidance");
  var cameraButton = document.getElementById("check-camera-button");
  var photoButton = document.getElementById("take-photo-button");
  var startButton = document.getElementById("start-button");
  var result = document.getElementById("check-result");
  var movement = document.getElementById("check-liveness");
  var WIDTH = 640, HEIGHT = 480, PREVIEW_MS = 1500, LIVENESS_MS = 250;
  var livenessActive = false;
  var stream = null, previewTimer = null, previewBusy = false;
  var canvas = document.createElement("canvas");
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  var small = document.createElement("canvas");
  small.width = 64;
  small.height = 48;

  function text(key) {
    var el = document.querySelector('#check-texts [data-key="' + key + '"]');
    return el ? el.textContent : key;
  }

  function setItem(id, state, message) {
    var item = document.getElementById(id);
    item.dataset.state = state;
    item.querySelector(".check-text").textContent = message;
  }

  function showGuidance(key) {
    guidance.hidden = !key;
    guidance.textContent = key ? text(key) : "";
  }

  // Draw the video's centre 4:3 area onto a canvas (no stretching of 16:9 cameras).
  function draw(target) {
    var vw = video.videoWidth, vh = video.videoHeight;
    var sw = Math.min(vw, vh * 4 / 3), sh = sw * 3 / 4;
    target.getContext("2d").drawImage(video, (vw - sw) / 2, (vh - sh) / 2, sw, sh, 0, 0, target.width, target.height);
  }

  function brightness() {
    draw(small);
    var data = small.getContext("2d").getImageData(0, 0, small.width, small.height).data;
    var sum = 0;
    for (var i = 0; i < data.length; i += 4) { sum += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2]; }
    return sum / (data.length / 4);
  }

  function snapshot() {
    draw(canvas);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
  }

  function postPicture(url, blob) {
    var body = new FormData();
    body.append("frame", blob, "frame.jpg");
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
    });
  }

  function has(data, code) { return data.reasons.some(function (r) { return r.code === code; }); }

  // The server's verdict on a preview or photo, shown item by item.
  function showFeedback(data) {
    var light = has(data, "too_dark") ? "light-dark" : has(data, "too_bright") ? "light-bright" : "light-ok";
    setItem("check-light", light === "light-ok" ? "ok" : "bad", text(light));
    var face = data.faces === 0 ? "face-none" : data.faces > 1 ? "face-many"
      : has(data, "face_too_small") ? "face-small" : "face-ok";
    setItem("check-face", face === "face-ok" ? "ok" : "bad", text(face));
  }

  function preview() {
    if (!stream || previewBusy || livenessActive || !video.videoWidth) { return; }
    var level = brightness();
    setItem("check-light", level < 60 ? "bad" : level > 225 ? "bad" : "ok",
      text(level < 60 ? "light-dark" : level > 225 ? "light-bright" : "light-ok"));
    previewBusy = true;
    snapshot().then(function (blob) { return postPicture(section.dataset.previewUrl, blob); })
      .then(function (answer) { if (answer.ok) { showFeedback(answer.data); } })
      .catch(function () { /* offline: the next preview tries again */ })
      .then(function () { previewBusy = false; });
  }

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    window.clearInterval(previewTimer);
    photoButton.disabled = true;
  }

  function startCamera() {
    showGuidance(null);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setItem("check-camera", "bad", text("off"));
      showGuidance("unsupported");
      return;
    }
    setItem("check-camera", "pending", text("asking"));
    navigator.mediaDevices.getUserMedia({ video: { width: WIDTH, height: HEIGHT, facingMode: "user" }, audio: false })
      .then(function (media) {
        stopCamera();
        stream = media;
        video.srcObject = media;
        media.getVideoTracks()[0].addEventListener("ended", function () {
          stopCamera();
          setItem("check-camera", "bad", text("off"));
          showGuidance("ended");
        });
        setItem("check-camera", "ok", text("on"));
        section.dataset.state = "camera-on";
        photoButton.disabled = false;
        previewTimer = window.setInterval(preview, PREVIEW_MS);
      })
      .catch(function (error) {
        setItem("check-camera", "bad", text("off"));
        var name = error && error.name;
        showGuidance(name === "NotAllowedError" || name === "SecurityError" ? "denied"
          : name === "NotFoundError" || name === "OverconstrainedError" ? "missing"
          : name === "NotReadableError" ? "busy" : "unsupported");
        section.dataset.state = "camera-error";
      });
  }

  function showVerdict(passed, reasons) {
    result.dataset.passed = passed ? "true" : "false";
    result.querySelector(".check-verdict").textContent = text(passed ? "passed" : "failed");
    var list = result.querySelector(".check-reasons");
    list.textContent = "";
    (reasons || []).forEach(function (reason) {
      var item = document.createElement("li");
      item.dataset.code = reason.code;
      item.textContent = reason.message;
      list.appendChild(item);
    });
    section.dataset.state = passed ? "passed" : "failed";
    if (startButton) { startButton.disabled = !passed; }
  }

  function showMovement(step) {
    movement.hidden = !step;
    movement.dataset.instruction = step ? step.instruction || "" : "";
    movement.querySelector(".liveness-instruction").textContent = step ? step.message : "";
    movement.querySelector(".liveness-progress").textContent = step
      ? text("liveness-progress").replace("{done}", step.done).replace("{steps}", step.steps) : "";
  }

  // One frame at a time until the server decides; resolves with its last answer.
  function livenessLoop(url, step) {
    showMovement(step);
    if (step.status !== "pending") { return Promise.resolve(step); }
    if (!stream || !video.videoWidth) { return Promise.reject(new Error("camera")); }
    return new Promise(function (resolve) { window.setTimeout(resolve, LIVENESS_MS); })
      .then(snapshot)
      .then(function (blob) { return postPicture(url, blob); })
      .then(function (answer) {
        if (answer.ok) { return livenessLoop(url, answer.data); }
        if (answer.status === 422) { return livenessLoop(url, step); }  // an unreadable frame: send another
        return { status: "failed", reasons: [{ code: "error", message: answer.data.error || text("error") }] };
      });
  }

  function runLiveness(check) {
    livenessActive = true;
    result.querySelector(".check-verdict").textContent = text("liveness");
    var url = section.dataset.livenessUrl.replace("/0/", "/" + check.check + "/");
    return livenessLoop(url, check.liveness)
      .then(function (step) {
        showMovement(null);
        showVerdict(step.status === "passed", step.reasons);
      })
      .catch(function () {
        showMovement(null);
        showVerdict(false, [{ code: "error", message: text("error") }]);
      })
      .then(function () { livenessActive = false; });
  }

  photoButton.addEventListener("click", function () {
    if (!stream || !video.videoWidth || livenessActive) { return; }
    photoButton.disabled = true;
    result.dataset.passed = "";
    result.querySelector(".check-verdict").textContent = text("checking");
    snapshot().then(function (blob) { return postPicture(section.dataset.checkUrl, blob); })
      .then(function (answer) {
        if (answer.ok) {
          showFeedback(answer.data);
          if (answer.data.passed && answer.data.liveness) { return runLiveness(answer.data); }
          showVerdict(answer.data.passed, answer.data.reasons);
        } else {
          showVerdict(false, [{ code: "error", message: answer.data.error || text("error") }]);
        }
      })
      .catch(function () { showVerdict(false, [{ code: "error", message: text("error") }]); })
      .then(function () { photoButton.disabled = !stream; });
  });

  cameraButton.addEventListener("click", startCamera);
  // Leaving the page releases the camera (the exam page asks for it again).
  window.addEventListener("pagehide", stopCamera);
  startCamera();
})();
