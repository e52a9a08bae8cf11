// Live preview of the question editor: shows the question exactly as the
// applicant's exam page renders it, in both languages, as staff type.
(function () {
  "use strict";
  var form = document.getElementById("question-editor");
  if (!form) { return; }
  var imageSelect = document.getElementById("image");
  var upload = document.getElementById("upload");
  var objectUrl = null;

  function slots(name) { return document.querySelectorAll('[data-slot="' + name + '"]'); }

  function setText(name, value) {
    Array.prototype.forEach.call(slots(name), function (el) { el.textContent = value; });
  }

  function refreshText() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-preview]"), function (input) {
      setText(input.dataset.preview, input.value);
    });
    ["a", "b", "c", "d"].forEach(function (letter) {
      var filled = form.elements["option_" + letter + "_id"].value.trim() !== "";
      Array.prototype.forEach.call(document.querySelectorAll('[data-slot-row="option-' + letter + '"]'), function (row) {
        row.hidden = !filled;
      });
    });
  }

  function showImage(src) {
    Array.prototype.forEach.call(slots("image"), function (img) {
      if (src) { img.src = src; img.hidden = false; } else { img.removeAttribute("src"); img.hidden = true; }
    });
  }

  function refreshImage() {
    if (upload && upload.files && upload.files[0]) {
      if (objectUrl) { URL.revokeObjectURL(objectUrl); }
      objectUrl = URL.createObjectURL(upload.files[0]);
      showImage(objectUrl);
    } else if (imageSelect && imageSelect.value && imageSelect.value.indexOf("upload/") !== 0) {
      showImage(imageSelect.dataset.staticBase + imageSelect.value);
    } else if (imageSelect && !imageSelect.value) {
      showImage(null);
    }
  }

  form.addEventListener("input", refreshText);
  if (imageSelect) { imageSelect.addEventListener("change", refreshImage); }
  if (upload) { upload.addEventListener("change", refreshImage); }
  refreshText();
})();
