// The owner calendar (templates/dashboard/calendar/). Loaded from a file: the CSP allows no
// inline script and no style="" attribute, so the server sends positions as data attributes
// (minutes from the top of the grid) and this script turns them into element.style values.
//
// - positions and colors appointment and time-off blocks;
// - drag an appointment to another time or staff column: POST the move form with fetch
//   (CSRF token from the body's hx-headers or the cookie); 409 = taken, the message is shown;
// - click an empty place in a column to book there: the booking panel opens in the side panel
//   (htmx; without it, the booking page) with the day, time and staff member filled in;
// - the week view puts the day's staff side by side where their appointments overlap
//   (data-lane / data-lanes) and shades the hours nobody works (.cal-shade);
// - the detail panel is loaded by htmx; its move form and the booking form may answer
//   400/409 with the form again.
(function () {
  "use strict";

  var PX_PER_MINUTE = 1.2; // 72px an hour: a 30-minute block has two readable lines; keep in step with .cal-hour in calendar.css
  var MIN_BLOCK_PX = 18;
  var COLOR = /^#[0-9a-fA-F]{6}$/;
  var dragging = null;

  function number(el, name, fallback) {
    var value = parseInt(el.getAttribute(name), 10);
    return isNaN(value) ? fallback : value;
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function formatMinutes(total) {
    return pad(Math.floor(total / 60)) + ":" + pad(total % 60);
  }

  // Black or white, whichever contrasts more with the background by WCAG's relative
  // luminance: one of them always reaches 4.5:1 (AA). Mirrors bookings/contrast.py.
  function textColorFor(hex) {
    var channels = [1, 3, 5].map(function (at) {
      var c = parseInt(hex.substr(at, 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
    return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? "#000000" : "#ffffff";
  }

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    if (headers) {
      try {
        var parsed = JSON.parse(headers);
        if (parsed["X-CSRFToken"]) {
          return parsed["X-CSRFToken"];
        }
      } catch (e) {
        // fall through to the cookie
      }
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function layout(cal) {
    var gridMinutes = number(cal, "data-grid-minutes", 720);
    var height = gridMinutes * PX_PER_MINUTE + "px";
    cal.querySelectorAll(".cal-col-body, .cal-time-body").forEach(function (body) {
      body.style.height = height;
    });
    cal.querySelectorAll("[data-top][data-height]").forEach(function (block) {
      block.style.top = number(block, "data-top", 0) * PX_PER_MINUTE + "px";
      block.style.height =
        Math.max(number(block, "data-height", 0) * PX_PER_MINUTE, MIN_BLOCK_PX) + "px";
    });
    cal.querySelectorAll("[data-lanes]").forEach(function (block) {
      var lanes = Math.max(number(block, "data-lanes", 1), 1);
      var lane = Math.min(number(block, "data-lane", 0), lanes - 1);
      if (lanes > 1) {
        block.style.left = "calc(" + (lane * 100) / lanes + "% + 1px)";
        block.style.width = "calc(" + 100 / lanes + "% - 2px)";
        block.style.right = "auto";
      }
    });
    cal.querySelectorAll("[data-service-color]").forEach(function (block) {
      var color = block.getAttribute("data-service-color");
      if (COLOR.test(color)) {
        block.style.backgroundColor = color;
        block.style.color = textColorFor(color);
      }
    });
    cal.classList.add("cal-positioned");
  }

  // Texts come translated from the template (data-msg-* on #cal).
  function message(el, name) {
    var cal = el.closest("#cal");
    return (cal && cal.getAttribute(name)) || "";
  }

  function showAlert(text) {
    var alert = document.getElementById("cal-alert");
    if (!alert) {
      window.alert(text);
      return;
    }
    alert.textContent = text;
    alert.hidden = false;
    alert.scrollIntoView({ block: "nearest" });
  }

  // Minutes of the day at a pointer position in a column body, snapped to the slot step.
  function minutesAt(cal, body, clientY, grabOffset) {
    var gridStart = number(cal, "data-grid-start", 480);
    var step = Math.max(number(cal, "data-step", 15), 5);
    var y = clientY - body.getBoundingClientRect().top - grabOffset;
    var minutes = gridStart + Math.round(y / PX_PER_MINUTE / step) * step;
    return Math.min(Math.max(minutes, 0), 24 * 60 - step);
  }

  function ghostFor(body) {
    var ghost = body.querySelector(".cal-ghost");
    if (!ghost) {
      ghost = document.createElement("div");
      ghost.className = "cal-ghost";
      body.appendChild(ghost);
    }
    return ghost;
  }

  function clearGhosts(cal) {
    cal.querySelectorAll(".cal-ghost").forEach(function (ghost) {
      ghost.remove();
    });
    cal.querySelectorAll(".cal-drop-target").forEach(function (body) {
      body.classList.remove("cal-drop-target");
    });
  }

  function move(block, date, time, staff) {
    var data = new FormData();
    data.append("date", date);
    data.append("time", time);
    data.append("staff", staff);
    block.classList.add("cal-saving");
    return fetch(block.getAttribute("data-move-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return { ok: false, message: response.statusText };
          })
          .then(function (body) {
            return { status: response.status, body: body };
          });
      })
      .then(function (result) {
        if (result.body.ok) {
          window.location.reload();
          return;
        }
        block.classList.remove("cal-saving");
        showAlert(result.body.message || message(block, "data-msg-failed"));
      })
      .catch(function () {
        block.classList.remove("cal-saving");
        showAlert(message(block, "data-msg-offline"));
      });
  }

  function setUpDragging(cal) {
    if (!cal.hasAttribute("data-can-manage")) {
      return;
    }
    cal.addEventListener("dragstart", function (event) {
      var block = event.target.closest && event.target.closest(".cal-appt[data-move-url]");
      if (!block) {
        return;
      }
      dragging = {
        block: block,
        grabOffset: event.clientY - block.getBoundingClientRect().top,
        duration: number(block, "data-duration", 60),
      };
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", block.id);
      block.classList.add("cal-dragging");
    });
    cal.addEventListener("dragend", function () {
      if (dragging) {
        dragging.block.classList.remove("cal-dragging");
      }
      dragging = null;
      clearGhosts(cal);
    });
    cal.addEventListener("dragover", function (event) {
      var body = event.target.closest && event.target.closest(".cal-col-body");
      if (!dragging || !body) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      var gridStart = number(cal, "data-grid-start", 480);
      var minutes = minutesAt(cal, body, event.clientY, dragging.grabOffset);
      cal.querySelectorAll(".cal-drop-target").forEach(function (other) {
        if (other !== body) {
          other.classList.remove("cal-drop-target");
          var stale = other.querySelector(".cal-ghost");
          if (stale) {
            stale.remove();
          }
        }
      });
      body.classList.add("cal-drop-target");
      var ghost = ghostFor(body);
      ghost.style.top = (minutes - gridStart) * PX_PER_MINUTE + "px";
      ghost.style.height = Math.max(dragging.duration * PX_PER_MINUTE, MIN_BLOCK_PX) + "px";
      ghost.textContent = formatMinutes(minutes);
    });
    cal.addEventListener("drop", function (event) {
      var body = event.target.closest && event.target.closest(".cal-col-body");
      if (!dragging || !body) {
        return;
      }
      event.preventDefault();
      var minutes = minutesAt(cal, body, event.clientY, dragging.grabOffset);
      var block = dragging.block;
      clearGhosts(cal);
      move(block, body.getAttribute("data-date"), formatMinutes(minutes), body.getAttribute("data-staff"));
    });
  }

  function setUpBooking(cal) {
    var createUrl = cal.getAttribute("data-create-url");
    if (!createUrl) {
      return;
    }
    cal.addEventListener("click", function (event) {
      var body = event.target;
      if (!body.classList || !body.classList.contains("cal-col-body")) {
        return; // a click on an appointment or time off, not on an empty place
      }
      var minutes = minutesAt(cal, body, event.clientY, 0);
      var params = new URLSearchParams({
        location: cal.getAttribute("data-location"),
        date: body.getAttribute("data-date"),
        time: formatMinutes(minutes),
      });
      if (body.getAttribute("data-staff")) {
        params.set("staff", body.getAttribute("data-staff"));
      }
      var url = createUrl + "?" + params.toString();
      var panel = document.getElementById("cal-panel");
      if (window.htmx && panel) {
        window.htmx.ajax("GET", url, { target: panel, swap: "innerHTML" }).then(function () {
          var search = panel.querySelector("input[name=client_query]");
          if (search) {
            search.focus();
          }
        });
      } else {
        window.location.href = url;
      }
    });
  }

  function setUpToolbar() {
    document.querySelectorAll("form[data-cal-autosubmit]").forEach(function (form) {
      form.querySelectorAll("select, input[type=date]").forEach(function (input) {
        input.addEventListener("change", function () {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        });
      });
    });
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-cal-close]");
    if (!close) {
      return;
    }
    var panel = document.getElementById("cal-panel");
    if (panel && !panel.classList.contains("cal-panel-page")) {
      panel.innerHTML = "";
    } else {
      window.history.back();
    }
  });

  // The panel's move form answers an invalid or taken time with the form and its errors
  // (400 / 409); htmx does not swap error responses unless told to.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    var inPanel = target && (target.id === "cal-panel" || target.id === "booking-form");
    if ((status === 400 || status === 409) && inPanel) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var cal = document.getElementById("cal");
    setUpToolbar();
    if (!cal) {
      return;
    }
    layout(cal);
    setUpDragging(cal);
    setUpBooking(cal);
  });
})();
