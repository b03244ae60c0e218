// The dashboard on a phone (issue 12). Loaded from a file (the CSP allows no inline script);
// every page works without it (the menu then stays open, tables scroll sideways).
//
// - The header's Menu button folds the side navigation (aria-expanded, Escape closes it and
//   gives focus back to the button). Wide screens always show the navigation.
// - List tables (with a <thead>) get each cell labelled with its column's heading and the
//   class .as-cards: static/css/phone.css shows their rows as cards below 640 px.
// - The day calendar shows one staff column per screen: swipe between them (scroll snap) or
//   use the staff tabs above it. Tapping an appointment (or an empty time) opens its panel
//   over the calendar, beside the finger, instead of below the whole calendar.
(function () {
  "use strict";

  var PHONE = window.matchMedia("(max-width: 799.98px)");

  // --- Menu ---------------------------------------------------------------------------
  function setUpMenu() {
    var button = document.querySelector(".nav-toggle");
    var nav = document.getElementById("dashboard-nav");
    if (!button || !nav) {
      return;
    }
    document.documentElement.classList.add("js-nav");
    button.hidden = false;

    function setOpen(open) {
      nav.classList.toggle("is-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }

    setOpen(false);
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      setOpen(open);
      if (open) {
        var first = nav.querySelector("a[aria-current]") || nav.querySelector("a");
        if (first) {
          first.focus();
        }
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  // --- Tables as cards ----------------------------------------------------------------
  function labelTables(root) {
    var scope = root.querySelectorAll ? root : document;
    var tables = [];
    if (scope.matches && scope.matches("table")) {
      tables.push(scope);
    }
    scope.querySelectorAll(".dashboard main table").forEach(function (table) {
      tables.push(table);
    });
    if (scope !== document) {
      scope.querySelectorAll("table").forEach(function (table) {
        if (tables.indexOf(table) < 0 && table.closest(".dashboard main")) {
          tables.push(table);
        }
      });
    }
    tables.forEach(function (table) {
      if (table.hasAttribute("data-no-cards") || !table.tHead) {
        return;
      }
      var headRow = table.tHead.rows[table.tHead.rows.length - 1];
      if (!headRow) {
        return;
      }
      var labels = [];
      Array.prototype.forEach.call(headRow.cells, function (cell) {
        var text = (cell.textContent || "").replace(/\s+/g, " ").trim();
        for (var n = 0; n < (cell.colSpan || 1); n++) {
          labels.push(n === 0 ? text : "");
        }
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var index = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (!cell.hasAttribute("data-label")) {
              cell.setAttribute("data-label", labels[index] || "");
            }
            index += cell.colSpan || 1;
          });
        });
      });
      table.classList.add("as-cards");
    });
  }

  // --- Calendar: one staff column per screen, tabs, the panel by the finger ------------
  var lastTap = null;

  function setUpCalendar() {
    var cal = document.getElementById("cal");
    if (!cal || cal.classList.contains("cal-week")) {
      return;
    }
    var days = cal.querySelectorAll(".cal-day");
    var cols = cal.querySelectorAll(".cal-day .cal-col");
    var scroller = cal.querySelector(".cal-scroll");
    if (days.length !== 1 || cols.length < 2 || !scroller) {
      return;
    }
    cal.classList.add("cal-one-per-screen");
    if (cal.previousElementSibling && cal.previousElementSibling.classList.contains("cal-staff-tabs")) {
      return;
    }
    var tabs = document.createElement("div");
    tabs.className = "cal-staff-tabs";
    tabs.setAttribute("role", "group");
    var nav = document.getElementById("dashboard-nav");
    tabs.setAttribute("aria-label", (nav && nav.getAttribute("data-msg-staff-tabs")) || "Staff");
    var buttons = [];
    cols.forEach(function (col, index) {
      var head = col.querySelector(".cal-col-head");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = head ? head.textContent.trim() : String(index + 1);
      button.setAttribute("aria-pressed", index === 0 ? "true" : "false");
      button.addEventListener("click", function () {
        var times = cal.querySelector(".cal-times");
        var offset = times ? times.offsetWidth : 0;
        scroller.scrollTo({ left: col.offsetLeft - offset, behavior: "smooth" });
        press(index);
      });
      tabs.appendChild(button);
      buttons.push(button);
    });
    function press(active) {
      buttons.forEach(function (button, index) {
        button.setAttribute("aria-pressed", index === active ? "true" : "false");
      });
    }
    var ticking = false;
    scroller.addEventListener("scroll", function () {
      if (ticking) {
        return;
      }
      ticking = true;
      window.requestAnimationFrame(function () {
        ticking = false;
        var times = cal.querySelector(".cal-times");
        var offset = times ? times.offsetWidth : 0;
        var best = 0;
        var bestDistance = Infinity;
        cols.forEach(function (col, index) {
          var distance = Math.abs(col.offsetLeft - offset - scroller.scrollLeft);
          if (distance < bestDistance) {
            best = index;
            bestDistance = distance;
          }
        });
        press(best);
      });
    });
    cal.parentNode.insertBefore(tabs, cal);
  }

  function rememberTap(event) {
    if (event.target && event.target.closest && event.target.closest("#cal")) {
      lastTap = { y: event.clientY };
    }
  }

  function placePanel(panel) {
    if (!PHONE.matches || !panel || panel.classList.contains("cal-panel-page")) {
      return;
    }
    var tapY = lastTap ? lastTap.y : window.innerHeight / 2;
    panel.classList.add("cal-panel-sheet");
    panel.classList.remove("cal-panel-below", "cal-panel-above");
    var height = window.innerHeight;
    if (tapY < height / 2) {
      // The finger is in the upper half: the panel opens just below it.
      panel.classList.add("cal-panel-below");
      panel.style.setProperty("--sheet-top", Math.max(8, Math.round(tapY + 12)) + "px");
      panel.style.maxHeight = Math.max(160, Math.min(height * 0.7, height - tapY - 20)) + "px";
    } else {
      // Lower half: just above it.
      panel.classList.add("cal-panel-above");
      panel.style.setProperty("--sheet-bottom", Math.max(8, Math.round(height - tapY + 12)) + "px");
      panel.style.maxHeight = Math.max(160, Math.min(height * 0.7, tapY - 20)) + "px";
    }
    var focusable = panel.querySelector("h2, [data-cal-close], a, button, input, select");
    if (focusable) {
      if (focusable.tagName === "H2") {
        focusable.setAttribute("tabindex", "-1");
      }
      focusable.focus({ preventScroll: true });
    }
  }

  document.addEventListener("pointerdown", rememberTap, true);
  // Escape closes the panel opened over the calendar (its own Close button does the work).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !PHONE.matches) {
      return;
    }
    var panel = document.querySelector(".cal-panel-sheet");
    var close = panel && panel.querySelector("[data-cal-close]");
    if (close) {
      close.click();
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    labelTables(event.target || document);
    if (target && target.id === "cal-panel") {
      placePanel(target);
    }
  });

  function init() {
    setUpMenu();
    labelTables(document);
    setUpCalendar();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
