// The loyalty points report: "Add points" (and a row's "Add more points") loads the form into
// the dialog (htmx, hx-target="#points-add-dialog-body"); this opens the dialog once it is
// there. Without JavaScript the links lead to a page with the same form.
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "points-add-dialog-body") {
      return;
    }
    var dialog = document.getElementById("points-add-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      return;
    }
    if (!dialog.open) {
      dialog.showModal();
    }
    // A preselected client ("Add more points" on a row): straight to the points.
    var client = dialog.querySelector("#points-add-client");
    var field = client && client.value
      ? dialog.querySelector("#points-add-points")
      : dialog.querySelector("#points-add-search");
    if (field) {
      field.focus();
    }
  });

  // A click on the backdrop (outside the dialog's box) closes it, as the Close button does.
  document.addEventListener("click", function (event) {
    var dialog = document.getElementById("points-add-dialog");
    if (dialog && dialog.open && event.target === dialog) {
      dialog.close();
    }
  });
})();
