// Counts down the facilitator's timer between server updates. The server says how many
// milliseconds were left when it sent the timer (data-left-ms); this device counts them down on
// its monotonic clock (performance.now), so neither the server's nor the phone's wall clock –
// wrong, or set forward an hour meanwhile – changes what the room sees.
// A page with an alert region #timer-alert (the phone's) has the end said there, once per timer
// seen running on this device: the region is there from the page load and only gets its text.
(function () {
  "use strict";
  function format(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }
  function tick() {
    var now = performance.now();
    document.querySelectorAll("[data-timer][data-left-ms]").forEach(function (timer) {
      if (timer.zkDeadline === undefined) {  // a timer just rendered or swapped in
        timer.zkDeadline = now + Number(timer.dataset.leftMs);
      }
      var left = (timer.zkDeadline - now) / 1000;
      var value = timer.querySelector(".timer-value");
      if (value) value.textContent = format(left);
      timer.classList.toggle("done", left <= 0);
      timer.classList.toggle("ending", left > 0 && left <= 60);
      if (left > 0) {
        timer.zkRunning = true;
      } else if (timer.zkRunning) {
        timer.zkRunning = false;
        ended();
      }
    });
  }
  function ended() {
    var alert = document.getElementById("timer-alert");
    if (!alert) return;
    alert.textContent = "";  // the same words again (a second timer) are new words to say
    window.setTimeout(function () { alert.textContent = alert.dataset.text; }, 50);
  }
  tick();
  setInterval(tick, 250);
  document.addEventListener("htmx:afterSwap", tick);
  document.addEventListener("htmx:sseMessage", tick);
})();
