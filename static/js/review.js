/* Examiner's session page: keyboard review and flag marks without reloading.
   j / k: next / previous flag; c / d: confirm / dismiss the current flag;
   v: decide valid; i: decide invalid (focuses the reason). The page works without
   this script: the links, anchors and forms are ordinary ones. */
(function () {
  "use strict";

  var cards = Array.prototype.slice.call(document.querySelectorAll(".flag-card"));
  var form = document.getElementById("decision-form");
  var position = document.getElementById("flag-position");
  var current = -1;

  function show(index) {
    if (!cards.length) { return; }
    current = Math.max(0, Math.min(index, cards.length - 1));
    cards.forEach(function (card, i) {
      card.classList.toggle("current", i === current);
      if (i === current) { card.setAttribute("aria-current", "true"); } else { card.removeAttribute("aria-current"); }
    });
    var card = cards[current];
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "center" });
    if (position) { position.textContent = "#" + (current + 1) + " / " + cards.length; }
  }

  function fromHash() {
    var id = window.location.hash.slice(1);
    var index = cards.findIndex(function (card) { return card.id === id; });
    if (index >= 0) { show(index); }
  }

  function filterReasons() {
    if (!form) { return; }
    var chosen = form.querySelector("input[name=outcome]:checked");
    var select = form.querySelector("#reason");
    if (!chosen || !select) { return; }
    Array.prototype.forEach.call(select.options, function (option) {
      var fits = !option.value || (option.dataset.outcomes || "").split(" ").indexOf(chosen.value) >= 0;
      option.disabled = !fits;
      option.hidden = !fits;
    });
    if (select.selectedOptions.length && select.selectedOptions[0].disabled) { select.value = ""; }
  }

  function decide(outcome) {
    if (!form) { return; }
    var radio = form.querySelector("#outcome-" + outcome);
    if (!radio) { return; }
    radio.checked = true;
    filterReasons();
    var select = form.querySelector("#reason");
    if (outcome === "valid") {
      if (!select.value) { select.value = "no_issue"; }
      form.querySelector("#decide-button").focus();
    } else {
      select.focus();
    }
    form.scrollIntoView({ block: "nearest" });
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function mark(markForm) {
    var card = markForm.closest(".flag-card");
    var body = new FormData(markForm);
    return fetch(markForm.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().then(function (data) {
        var state = card.querySelector(".flag-mark-state");
        if (!response.ok) { state.textContent = data.error || String(response.status); return; }
        card.dataset.mark = data.verdict;
        state.textContent = state.dataset[data.verdict] + " · " + data.marked_by;
      });
    });
  }

  function markCurrent(verdict) {
    if (current < 0) { return; }
    var button = cards[current].querySelector(".mark-" + verdict);
    if (button) { mark(button.form); }
  }

  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("mark-form")) {
      event.preventDefault();
      mark(target);
    }
  });

  if (form) {
    Array.prototype.forEach.call(form.querySelectorAll("input[name=outcome]"), function (radio) {
      radio.addEventListener("change", filterReasons);
    });
    filterReasons();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) { return; }
    var actions = {
      j: function () { show(current + 1); },
      k: function () { show(current < 0 ? 0 : current - 1); },
      c: function () { markCurrent("confirmed"); },
      d: function () { markCurrent("dismissed"); },
      v: function () { decide("valid"); },
      i: function () { decide("invalid"); }
    };
    var action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  window.addEventListener("hashchange", fromHash);
  if (window.location.hash) { fromHash(); }
})();
