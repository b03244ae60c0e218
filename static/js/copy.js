// Copy buttons: <button data-copy-target="element-id" data-copied-label="Copied" hidden>.
// The button stays hidden without JavaScript (the text can still be selected by hand).
// Loaded from a file: the CSP allows no inline script.
(function () {
  "use strict";

  function textOf(target) {
    if ("value" in target && typeof target.value === "string") {
      return target.value;
    }
    return target.textContent.trim();
  }

  function fallbackCopy(target, text) {
    // Older browsers and pages not served over HTTPS have no navigator.clipboard.
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (error) {
      ok = false;
    }
    document.body.removeChild(field);
    if (!ok && target.select) {
      target.focus();
      target.select(); // at least the text is selected for Ctrl+C
    }
    return ok;
  }

  function announce(button, message) {
    var scope = button.closest(".share-panel") || document;
    var status = scope.querySelector(".copy-status");
    if (status) {
      status.textContent = message;
    }
  }

  function done(button) {
    var label = button.getAttribute("data-copied-label");
    if (!label) {
      return;
    }
    if (!button.dataset.label) {
      button.dataset.label = button.textContent;
    }
    button.textContent = label;
    button.classList.add("copied");
    announce(button, label);
    window.setTimeout(function () {
      button.textContent = button.dataset.label;
      button.classList.remove("copied");
    }, 2000);
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) {
      return;
    }
    var text = textOf(target);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          done(button);
        },
        function () {
          if (fallbackCopy(target, text)) {
            done(button);
          }
        }
      );
    } else if (fallbackCopy(target, text)) {
      done(button);
    }
  }

  function init(root) {
    root.querySelectorAll("button[data-copy-target]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy-target]");
    if (button) {
      event.preventDefault();
      copy(button);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    init(event.target);
  });
})();
