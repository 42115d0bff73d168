// Board helpers on top of htmx's SSE extension (the reason for this file: it is not in htmx).
// 1. A board that reconnects may get a card replayed that it already shows: skip it.
// 2. Show a banner while the live connection is down, so the room knows the board is stale.
(function () {
  "use strict";
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var message = event.detail;
    if (message.type && message.type.indexOf("card-new-") === 0) {
      var match = /id="card-(\d+)"/.exec(message.data);
      if (match && document.getElementById("card-" + match[1])) event.preventDefault();
    }
  });
  function banner(show) {
    var element = document.getElementById("connection");
    if (element) element.hidden = !show;
  }
  document.addEventListener("htmx:sseError", function () { banner(true); });
  document.addEventListener("htmx:sseOpen", function () { banner(false); });
})();
