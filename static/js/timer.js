// Counts down the facilitator's timer between server updates. The end time comes from the
// server; the page's render time (data-server-now) tells how far this device's clock is off,
// so a phone with a wrong clock still shows the right time.
(function () {
  "use strict";
  var serverNow = Number(document.body.dataset.serverNow);
  var skew = serverNow ? serverNow - Date.now() : 0;
  function format(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }
  function tick() {
    document.querySelectorAll("[data-timer][data-ends-at]").forEach(function (timer) {
      var left = (Date.parse(timer.dataset.endsAt) - (Date.now() + skew)) / 1000;
      var value = timer.querySelector(".timer-value");
      if (value) value.textContent = format(left);
      timer.classList.toggle("done", left <= 0);
      timer.classList.toggle("ending", left > 0 && left <= 60);
    });
  }
  tick();
  setInterval(tick, 250);
  document.addEventListener("htmx:afterSwap", tick);
})();
