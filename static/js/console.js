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
})();
