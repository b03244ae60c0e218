// The client report: a points balance loads the client's points history into the dialog
// (htmx, hx-target="#points-dialog-body"); this opens the dialog once it is there. Without
// JavaScript the balance is a link to a page with the same history.
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "points-dialog-body") {
      return;
    }
    var dialog = document.getElementById("points-dialog");
    if (dialog && !dialog.open && typeof dialog.showModal === "function") {
      dialog.showModal();
    }
  });

  // A click on the backdrop (outside the dialog's box) closes it, as the Close button does.
  document.addEventListener("click", function (event) {
    var dialog = document.getElementById("points-dialog");
    if (dialog && dialog.open && event.target === dialog) {
      dialog.close();
    }
  });
})();
