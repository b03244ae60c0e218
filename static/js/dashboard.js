// Small enhancements of the dashboard pages. Loaded from a file (the CSP allows no inline
// script or style); colors are set through the CSSOM, which the CSP allows.
(function () {
  "use strict";

  var COLOR = /^#[0-9a-fA-F]{6}$/;

  function paintSwatches(root) {
    root.querySelectorAll("[data-color]").forEach(function (el) {
      var color = el.getAttribute("data-color");
      if (COLOR.test(color)) {
        el.style.backgroundColor = color;
      }
    });
  }

  // Time off: the time fields only matter for "part of a day".
  function setUpTimeOffForms(root) {
    root.querySelectorAll("input[name=kind][type=radio]").forEach(function (radio) {
      var form = radio.form;
      if (!form || form.dataset.timeOffReady) {
        return;
      }
      form.dataset.timeOffReady = "1";
      var rows = ["start_time", "end_time"]
        .map(function (name) {
          var input = form.querySelector("[name=" + name + "]");
          return input ? input.closest("div") : null;
        })
        .filter(Boolean);
      var update = function () {
        var checked = form.querySelector("input[name=kind]:checked");
        var partOfDay = checked && checked.value === "hours";
        rows.forEach(function (row) {
          row.hidden = !partOfDay;
        });
      };
      form.querySelectorAll("input[name=kind]").forEach(function (input) {
        input.addEventListener("change", update);
      });
      update();
    });
  }

  function init(root) {
    paintSwatches(root);
    setUpTimeOffForms(root);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    init(event.target);
  });
})();
