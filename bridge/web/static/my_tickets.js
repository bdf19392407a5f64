/* The "my tickets" page's progressive enhancement. The page works without it (no build step,
   no dependencies):
   - after a refused form, focus moves to the error summary, so screen readers announce it
     and the keyboard starts there; after a save, to the "saved" notice;
   - leaving the page with typed but unsaved attendee details asks first. */
(function () {
  "use strict";

  var focusTarget = document.querySelector("[data-tpmt-focus]");
  if (focusTarget) {
    focusTarget.focus();
  }

  var unsaved = document.querySelector("form[data-tpmt-unsaved]") !== null;
  var forms = document.querySelectorAll("form.tpmt-form");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("input", function () {
      unsaved = true;
    });
    form.addEventListener("submit", function () {
      unsaved = false;
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
