// The setup wizard (templates/onboarding/): a web address suggested from the salon's name
// until the owner edits it, time zone / currency / language filled in from the country, and
// the kind-of-salon list reloading on change. Loaded from a file: the CSP allows no inline
// script. Without JavaScript every field is still there to fill in by hand.
(function () {
  "use strict";

  function slugify(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 46);
  }

  function initSlug() {
    var source = document.querySelector("[data-slug-source]");
    var target = document.querySelector("[data-slug-target]");
    if (!source || !target) {
      return;
    }
    var touched = target.value !== "";
    target.addEventListener("input", function () {
      touched = target.value !== "";
    });
    source.addEventListener("input", function () {
      if (!touched) {
        target.value = slugify(source.value);
      }
    });
    // A name typed before this script ran (it is deferred) gets its address too.
    if (!touched && source.value) {
      target.value = slugify(source.value);
    }
  }

  function initCountry() {
    var select = document.querySelector("[data-country-defaults]");
    var list = document.getElementById("country-defaults");
    if (!select || !list) {
      return;
    }
    var form = select.form;
    select.addEventListener("change", function () {
      var row = list.querySelector('[data-code="' + select.value + '"]');
      var values = row
        ? { time_zone: row.dataset.timeZone, currency: row.dataset.currency, default_language: row.dataset.language }
        : { time_zone: "UTC", currency: "EUR", default_language: "" };
      Object.keys(values).forEach(function (name) {
        if (form.elements[name]) {
          form.elements[name].value = values[name];
        }
      });
    });
  }

  function initKind() {
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () {
        select.form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initSlug();
    initCountry();
    initKind();
  });
})();
