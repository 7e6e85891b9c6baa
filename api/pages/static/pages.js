// Small progressive enhancement; every page works without it.
(function () {
  "use strict";
  // Print buttons: shown only when there is script to run them.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // A sign-off form is sent once: a second click while it is on its way does nothing.
  document.querySelectorAll("form[method='post']").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type='submit']").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
  // After an action, move focus to its message so screen readers and keyboards start there.
  var message = document.querySelector(".flash, .error-summary");
  if (message) {
    message.setAttribute("tabindex", "-1");
    message.focus();
  }
})();
