// Exam page behaviour: server-synced countdown, instant answer saving with retry,
// navigation-grid updates and keyboard use. Without JavaScript the page still
// works through plain form posts.
(function () {
  "use strict";

  var bar = document.getElementById("exam-bar");
  if (!bar) { return; }
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var form = document.getElementById("question-form");
  var statusEl = document.getElementById("save-status");
  var timeLeftEl = document.getElementById("time-left");
  var questionTimeEl = document.getElementById("question-time-left");
  var RELOAD_AFTER_DEADLINE_MS = 3000;  // past the server's allowance (SUBMIT_GRACE_SECONDS, PAGE_CHANGE_SECONDS)
  var texts = {
    saving: document.documentElement.lang === "en" ? "Saving…" : "Menyimpan…",
    saved: document.documentElement.lang === "en" ? "Saved" : "Tersimpan",
    offline: document.documentElement.lang === "en" ? "Offline — will retry" : "Offline — akan dicoba lagi",
    timeUp: document.documentElement.lang === "en" ? "Time is up — submitting…" : "Waktu habis — mengirim…"
  };

  // Clock: the server's time is authoritative; keep the offset between clocks.
  var offsetMs = Date.parse(bar.dataset.serverNow) - Date.now();
  var deadline = Date.parse(bar.dataset.deadline);
  var questionDeadline = bar.dataset.questionDeadline ? Date.parse(bar.dataset.questionDeadline) : null;
  var leaving = false;

  function serverNow() { return Date.now() + offsetMs; }

  function formatSeconds(total) {
    var s = Math.max(0, Math.floor(total));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }

  function goToServerState() {
    if (leaving) { return; }
    leaving = true;
    window.location.assign(bar.dataset.resumeUrl);
  }

  function tick() {
    var now = serverNow();
    var left = (deadline - now) / 1000;
    timeLeftEl.textContent = formatSeconds(left);
    bar.classList.toggle("timer-warning", left < 300);
    if (left <= 0) {
      setStatus(texts.timeUp);
      if (form) { Array.prototype.forEach.call(form.elements, function (el) { el.disabled = true; }); }
    }
    if (now - deadline > RELOAD_AFTER_DEADLINE_MS) { goToServerState(); }
    if (questionDeadline !== null && questionTimeEl) {
      var qLeft = (questionDeadline - now) / 1000;
      questionTimeEl.textContent = Math.max(0, Math.ceil(qLeft));
      if (now - questionDeadline > RELOAD_AFTER_DEADLINE_MS) { goToServerState(); }
    }
  }

  function resync() {
    fetch(bar.dataset.stateUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
      .then(function (state) {
        offsetMs = Date.parse(state.server_now) - Date.now();
        deadline = Date.parse(state.deadline_at);
        if (state.state !== "in_progress") { goToServerState(); }
      })
      .catch(function () { /* offline: the next resync tries again */ });
  }

  function setStatus(text, isError) {
    if (!statusEl) { return; }
    statusEl.textContent = text;
    statusEl.classList.toggle("save-error", Boolean(isError));
  }

  // Saving: every change is posted at once; failures are queued and retried.
  var pending = {};

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body)
    });
  }

  function send(key, url, body) {
    pending[key] = { url: url, body: body };
    setStatus(texts.saving);
    return post(url, body).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok) {
          delete pending[key];
          setStatus(texts.saved);
          updateGrid(data.question);
        } else if (response.status === 409 || response.status === 401) {
          delete pending[key];
          setStatus(data.error, true);
          window.setTimeout(goToServerState, 1500);
        } else if (response.status >= 500 || response.status === 429) {
          setStatus(texts.offline, true);  // the server is busy or down: keep it and retry
        } else {
          delete pending[key];
          setStatus(data.error, true);
        }
      });
    }).catch(function () {
      setStatus(texts.offline, true);
    });
  }

  function retryPending() {
    Object.keys(pending).forEach(function (key) { send(key, pending[key].url, pending[key].body); });
  }

  function updateGrid(question) {
    if (!question) { return; }
    var cell = document.querySelector('#nav-grid .cell[data-position="' + question.position + '"]');
    if (!cell) { return; }
    cell.classList.toggle("answered", question.choice !== null);
    cell.classList.toggle("flagged", question.flagged);
  }

  if (form) {
    var perQuestion = form.dataset.perQuestion === "true";
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.name === "choice" && !perQuestion) {
        send("answer", form.dataset.answerUrl, { option: Number(target.value) });
      } else if (target.name === "flagged") {
        send("flag", form.dataset.flagUrl, { flagged: target.checked });
      }
    });

    // A choice made before this script ran (slow connection) is saved now.
    var early = form.querySelector('input[name="choice"]:checked');
    if (early && !early.defaultChecked && !perQuestion) {
      send("answer", form.dataset.answerUrl, { option: Number(early.value) });
    }

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "textarea" || (tag === "input" && event.target.type === "text")) { return; }
      var key = event.key.toLowerCase();
      var index = "abcd".indexOf(key);
      if (index < 0 && "1234".indexOf(key) >= 0) { index = Number(key) - 1; }
      if (index >= 0) {
        var radio = document.getElementById("choice-" + index);
        if (radio && !radio.disabled) {
          radio.checked = true;
          radio.dispatchEvent(new Event("change", { bubbles: true }));
          radio.focus();
          event.preventDefault();
        }
      } else if (key === "arrowright" || key === "arrowleft") {
        var button = document.getElementById(key === "arrowright" ? "next-button" : "prev-button");
        if (button && event.target.type !== "radio") { button.click(); event.preventDefault(); }
      } else if (key === "f") {
        var flag = document.getElementById("flagged");
        if (flag) { flag.click(); event.preventDefault(); }
      }
    });
  }

  window.addEventListener("online", retryPending);
  window.setInterval(retryPending, 5000);
  window.setInterval(resync, 30000);
  window.setInterval(tick, 250);
  tick();
})();
