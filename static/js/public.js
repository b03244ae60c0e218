// Small enhancements of the public booking pages (loaded from a file: the CSP allows no
// inline script). The pages work without it; htmx swaps the time picker by itself.
(function () {
  "use strict";

  // Ask before a destructive action (e.g. cancelling an appointment).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // After htmx swaps in another day, move focus to its heading for keyboard and
  // screen-reader users.
  document.addEventListener("htmx:afterSwap", function (event) {
    var heading = event.target && event.target.querySelector
      ? event.target.querySelector(".picker-day")
      : null;
    var picker = document.getElementById("picker");
    heading = heading || (picker && picker.querySelector(".picker-day"));
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  });
})();
