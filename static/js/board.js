// Board helpers on top of htmx's SSE extension (the reason for this file: it is not in htmx).
// 1. A board that reconnects may get a card replayed that it already shows: skip it.
// 2. Show a banner while the live connection is down, so the room knows the board is stale.
// 3. Shrink the card text step by step until the board fits the projector without scrolling
//    (CSS alone cannot know when the fullest column overflows; without JS, :has() rules step).
(function () {
  "use strict";
  // Below this the cards get too small to read from the back of the room (about 14 px at
  // 1280×720); a fuller board first drops the topics line, then scrolls.
  var MIN_SCALE = 0.62;
  document.documentElement.classList.add("fit");
  function shrink(columns) {
    var root = document.documentElement;
    var scale = 1;
    columns.style.setProperty("--fit", scale);
    while (scale > MIN_SCALE && root.scrollHeight > window.innerHeight + 1) {
      scale = Math.max(MIN_SCALE, Math.round((scale - 0.04) * 100) / 100);
      columns.style.setProperty("--fit", scale);
    }
    return root.scrollHeight <= window.innerHeight + 1;
  }
  function fit() {
    var columns = document.querySelector(".columns");
    var board = document.querySelector(".board");
    if (!columns || !board) return;
    board.classList.remove("dense");
    if (!shrink(columns)) {
      board.classList.add("dense");
      shrink(columns);
    }
  }
  document.addEventListener("DOMContentLoaded", fit);
  document.addEventListener("htmx:sseMessage", fit);
  window.addEventListener("resize", fit);
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
    document.body.dataset.live = show ? "reconnecting" : "connected";
  }
  document.addEventListener("htmx:sseError", function () { banner(true); });
  document.addEventListener("htmx:sseOpen", function () { banner(false); });
})();
