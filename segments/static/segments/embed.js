// SalonBook booking widget, on the salon's own website (the dashboard's embed snippet loads
// it next to the iframe). It sizes each SalonBook iframe to the height its page reports
// (embed-frame.js), accepting messages only from that iframe and its origin. No cookies, no
// other effects.
(function () {
  "use strict";
  if (window.salonbookEmbedLoaded) {
    return;
  }
  window.salonbookEmbedLoaded = true;
  var MIN = 120;
  var MAX = 20000;

  function originOf(frame) {
    try {
      return new URL(frame.src, window.location.href).origin;
    } catch (error) {
      return null;
    }
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "salonbook:height" || typeof data.height !== "number") {
      return;
    }
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i += 1) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source || originOf(frame) !== event.origin) {
        continue;
      }
      var value = Math.max(MIN, Math.min(MAX, Math.round(data.height)));
      frame.style.height = value + "px";
      frame.setAttribute("data-salonbook-height", String(value));
      // A new step inside the widget: bring its top into view when it scrolled away.
      if (data.first && frame.getBoundingClientRect().top < 0) {
        frame.scrollIntoView();
      }
    }
  });
})();
