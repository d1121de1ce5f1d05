// Shows how far the upload of an appointment export has come; htmx sends the form, this only reports.
(function () {
  "use strict";

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-import-progress]") : null;
    if (!form) return;
    var box = document.getElementById(form.getAttribute("data-import-progress"));
    var bar = box.querySelector("progress");
    var label = box.querySelector(".appointments-import-progress__label");
    box.hidden = false;
    if (event.detail.lengthComputable && event.detail.total > 0) {
      var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
      bar.value = percent;
      var text = percent < 100 ? box.getAttribute("data-uploading") : box.getAttribute("data-processing");
      if (label.textContent !== text) label.textContent = text;
    }
  });
})();
