// Small progressive enhancements. No inline scripts anywhere: CSP is script-src 'self'.
(function () {
  "use strict";

  // After an htmx swap, move focus to the first error so keyboard and screen-reader users hear it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var firstError = event.detail.target.querySelector(".has-error input, .has-error textarea, .has-error select");
    if (firstError) {
      firstError.focus();
    }
  });

  // Announce htmx request failures instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var notice = document.getElementById("live-notice");
    if (notice) {
      notice.textContent = "That did not work (" + event.detail.xhr.status + "). Please try again.";
      notice.classList.add("visible");
    }
  });
})();
