// Small enhancements of the public booking pages (loaded from a file: the CSP allows no
// inline script). The pages work without it; htmx swaps the time picker by itself, and the
// server validates every form again.
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
  // screen-reader users — or, after "First available", to that time.
  document.addEventListener("htmx:afterSwap", function (event) {
    var picker = document.getElementById("picker");
    if (!picker) {
      return;
    }
    var trigger = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    var target = null;
    if (trigger && trigger.hasAttribute && trigger.hasAttribute("data-focus-first")) {
      target = picker.querySelector(".time-first");
    }
    if (!target) {
      target = picker.querySelector(".picker-day");
      if (target) {
        target.setAttribute("tabindex", "-1");
      }
    }
    if (target) {
      target.focus({ preventScroll: true });
      if (target.classList.contains("time")) {
        target.scrollIntoView({ block: "center" });
      }
    }
  });

  // --- The details form: check the fields before the round trip ---------------------------
  // The form carries `data-validate` and HTML5 attributes (required, type=email, maxlength,
  // pattern). We show the browser's verdict as our own message next to the field (the same
  // place the server puts its errors) and focus the first wrong field.

  // A phone as people type it: digits with spaces, dashes, dots, parentheses, an optional
  // leading + (or 00). The server reads it in the location's country (phonenumbers).
  var PHONE = /^\s*(\+|00)?[\d\s().\-\/]{5,}\s*$/;

  function messageFor(input) {
    var v = input.validity;
    var data = input.dataset;
    if (v.valueMissing) {
      return data.msgRequired || input.validationMessage;
    }
    var wrongPhone =
      input.getAttribute("type") === "tel" &&
      input.value &&
      (!PHONE.test(input.value) || (input.value.match(/\d/g) || []).length < 5);
    if (v.typeMismatch || v.patternMismatch || v.tooLong || v.tooShort || wrongPhone) {
      return data.msgInvalid || input.validationMessage;
    }
    return "";
  }

  function errorListOf(input) {
    var id = input.id + "-client-error";
    var list = document.getElementById(id);
    if (!list) {
      list = document.createElement("ul");
      list.id = id;
      list.className = "errorlist client-errorlist";
      list.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", list);
    }
    return list;
  }

  function showResult(input, message) {
    var list = errorListOf(input);
    list.textContent = "";
    var described = (input.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter(function (token) {
        return token && token !== list.id;
      });
    if (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
      input.setAttribute("aria-invalid", "true");
      described.push(list.id);
    } else {
      // A server error next to the field is replaced by our verdict once the field changes.
      input.removeAttribute("aria-invalid");
      var server = input.parentElement && input.parentElement.querySelector(".errorlist:not(.client-errorlist)");
      if (server && input.dataset.touched) {
        server.remove();
      }
    }
    if (described.length) {
      input.setAttribute("aria-describedby", described.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  function check(input) {
    var message = messageFor(input);
    showResult(input, message);
    return !message;
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.willValidate && el.type !== "submit" && el.type !== "hidden";
    });
  }

  function setUpForm(form) {
    if (form.dataset.validateReady) {
      return;
    }
    form.dataset.validateReady = "1";
    form.setAttribute("novalidate", ""); // our messages, not the browser's bubbles
    fieldsOf(form).forEach(function (input) {
      input.addEventListener("blur", function () {
        if (input.value || input.dataset.touched) {
          input.dataset.touched = "1";
          check(input);
        }
      });
      input.addEventListener("input", function () {
        if (input.getAttribute("aria-invalid") === "true") {
          input.dataset.touched = "1";
          check(input);
        }
      });
    });
    form.addEventListener("submit", function (event) {
      var firstWrong = null;
      fieldsOf(form).forEach(function (input) {
        input.dataset.touched = "1";
        if (!check(input) && !firstWrong) {
          firstWrong = input;
        }
      });
      if (firstWrong) {
        event.preventDefault();
        event.stopImmediatePropagation();
        firstWrong.focus();
      }
    });
  }

  function init() {
    document.querySelectorAll("form[data-validate]").forEach(setUpForm);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
