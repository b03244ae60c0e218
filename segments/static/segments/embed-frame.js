// Inside the booking widget's iframe (segments/embed.py): tell the host page how tall this
// page is, so our script there (embed.js) sizes the iframe to it. The height is not secret:
// it is posted to any parent; the host script checks that it comes from our iframe.
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var last = -1;

  function height() {
    // The bottom of the page's content (not the document's height, which is at least the
    // iframe's own height and would never let it shrink).
    var root = document.querySelector("[data-embed-root]") || document.body;
    var body = window.getComputedStyle(document.body);
    var rootStyle = window.getComputedStyle(root);
    var bottom = root.getBoundingClientRect().bottom + window.scrollY;
    var extra =
      (parseFloat(rootStyle.marginBottom) || 0) +
      (parseFloat(body.paddingBottom) || 0) +
      (parseFloat(body.marginBottom) || 0);
    return Math.ceil(bottom + extra);
  }

  function send(first) {
    var value = height();
    if (value === last && !first) {
      return;
    }
    last = value;
    window.parent.postMessage({ type: "salonbook:height", height: value, first: !!first }, "*");
  }

  function start() {
    send(true);
    if ("ResizeObserver" in window) {
      new window.ResizeObserver(function () {
        send(false);
      }).observe(document.querySelector("[data-embed-root]") || document.body);
    } else {
      window.setInterval(function () {
        send(false);
      }, 500);
    }
    window.addEventListener("load", function () {
      send(false);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
