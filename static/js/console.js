// Facilitator consoles refresh themselves when their field changes ("sse:changed"), but not
// with news they already show (event id <= data-after) and not while the facilitator is in the
// middle of something: cards selected, a text field focused or a form opened. Written here
// instead of an htmx trigger filter so that the Content-Security-Policy needs no eval.
(function () {
  "use strict";
  var BUSY = "input:checked, textarea:focus, input[type=text]:focus, input:not([type]):focus, " +
             "input[type=number]:focus, select:focus, details[open]";
  // News that came while the region's own action was under way, by region id: that action's
  // answer (with its "Ausgeblendet.") is the next view; a refresh follows only if it is older.
  var held = {};

  function acting(region) {
    return region.querySelector(".htmx-request") !== null;
  }
  function hold(region, id) {
    if (!held[region.id] || held[region.id] < id) held[region.id] = id;
  }
  function guard(event) {
    var region = event.target;
    if (!region || !region.dataset || region.dataset.after === undefined) return;
    var id = Number(event.detail && event.detail.lastEventId);
    if (id <= Number(region.dataset.after) || region.querySelector(BUSY)) {
      event.stopImmediatePropagation();
    } else if (acting(region)) {
      hold(region, id);
      event.stopImmediatePropagation();
    }
  }
  ["sse:changed", "sse:statement-changed"].forEach(function (name) {
    document.addEventListener(name, guard, true);
  });
  // A refresh that was already under way when the facilitator started typing must not
  // replace the field under their fingers.
  // Nor may it replace a newer view (the answer to one's own action can arrive first), nor
  // the region while its own action is under way: that answer would have nowhere to go.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var target = event.detail.target;
    if (!config || config.verb !== "get" || !target || !target.dataset ||
        target.dataset.after === undefined) return;
    var match = /data-after="(\d+)"/.exec(event.detail.serverResponse || "");
    var stale = match && Number(match[1]) <= Number(target.dataset.after);
    if (!stale && match && acting(target)) {
      hold(target, Number(match[1]));
      event.detail.shouldSwap = false;
    } else if (stale || target.querySelector(BUSY)) {
      event.detail.shouldSwap = false;
    }
  });
  // Once an action's answer is in, catch up on what it does not show yet.
  document.addEventListener("htmx:afterRequest", function () {
    window.setTimeout(function () {
      Object.keys(held).forEach(function (key) {
        var region = document.getElementById(key);
        if (region && acting(region)) return;
        var id = held[key];
        delete held[key];
        // Asked directly: the answer's region may not carry htmx's listeners yet (it gets
        // them when it settles), and an event sent to it now would go unheard.
        if (region && id > Number(region.dataset.after) && !region.querySelector(BUSY)) {
          htmx.ajax("get", region.getAttribute("hx-get"),
                    { source: region, target: region, swap: "outerHTML" });
        }
      });
    }, 0);
  });
})();
