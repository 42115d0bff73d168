// Facilitator consoles refresh themselves when their field changes ("sse:changed"), but not
// with news they already show (event id <= data-after) and not while the facilitator is in the
// middle of something: cards selected, a text field focused or a form opened. Written here
// instead of an htmx trigger filter so that the Content-Security-Policy needs no eval.
(function () {
  "use strict";
  var BUSY = "input:checked, textarea:focus, input[type=text]:focus, input:not([type]):focus, " +
             "input[type=number]:focus, select:focus, details[open]";
  function guard(event) {
    var region = event.target;
    if (!region || !region.dataset || region.dataset.after === undefined) return;
    var id = Number(event.detail && event.detail.lastEventId);
    if (id <= Number(region.dataset.after) || region.querySelector(BUSY)) {
      event.stopImmediatePropagation();
    }
  }
  ["sse:changed", "sse:statement-changed"].forEach(function (name) {
    document.addEventListener(name, guard, true);
  });
  // A refresh that was already under way when the facilitator started typing must not
  // replace the field under their fingers.
  // Nor may it replace a newer view: the answer to one's own action can arrive first.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var target = event.detail.target;
    if (!config || config.verb !== "get" || !target || !target.dataset ||
        target.dataset.after === undefined) return;
    var match = /data-after="(\d+)"/.exec(event.detail.serverResponse || "");
    var stale = match && Number(match[1]) <= Number(target.dataset.after);
    if (stale || target.querySelector(BUSY)) event.detail.shouldSwap = false;
  });
})();
