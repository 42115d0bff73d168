// Regions that reload when told something changed (the plenary console, a field console's
// guiding sentence; the cards of a field console come one by one instead, console-cards.js):
// not with news they already show (event id <= data-after) and not while the facilitator is in
// the middle of something: a text field focused or a form opened. Written here instead of an
// htmx trigger filter so that the Content-Security-Policy needs no eval.
(function () {
  "use strict";
  var BUSY = "input:checked, textarea:focus, input[type=text]:focus, input:not([type]):focus, " +
             "input[type=number]:focus, select:focus, details[open]";
  // News that came while the region's own action was under way, by region id: that action's
  // answer (with its "Ausgeblendet.") is the next view; a refresh follows only if it is older.
  var held = {};

  // Requests under way, by region id. Counted here rather than read off htmx's
  // "htmx-request" class: a swapped-in element with the id of the one that asked (a card's
  // form) carries that class over until htmx has settled it.
  var inflight = {};
  var regionOf = new WeakMap();  // request -> its region's id
  function acting(region) {
    return (inflight[region.id] || 0) > 0;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    // An action of the region (inside it), not the region's own refresh.
    var parent = event.detail.elt && event.detail.elt.parentElement;
    var region = parent && parent.closest("[data-after]");
    if (!region || !region.id) return;
    regionOf.set(event.detail.xhr, region.id);
    inflight[region.id] = (inflight[region.id] || 0) + 1;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var id = regionOf.get(event.detail.xhr);
    if (id !== undefined) inflight[id] = Math.max(0, (inflight[id] || 0) - 1);
  }, true);
  function hold(region, id) {
    if (!held[region.id] || held[region.id] < id) held[region.id] = id;
  }
  // News held back while the facilitator is busy is counted and offered, never swallowed:
  // "3 neue Karten – anzeigen" (the box is in the region's template, see _news.html).
  var news = {};
  function offer(region, id, kind) {
    var box = region.querySelector("[data-news]");
    if (!box) return;
    var n = news[region.id] || (news[region.id] = { cards: 0, other: 0, ids: {} });
    if (n.ids[id]) return;
    n.ids[id] = true;
    if (kind === "card") n.cards += 1; else n.other += 1;
    var button = box.querySelector("button");
    button.textContent = n.cards === 1 ? box.dataset.one
      : n.cards > 1 ? box.dataset.many.replace("{n}", String(n.cards)) : box.dataset.other;
    button.hidden = false;  // in a live region that exists from the page load: it is announced
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-news] button");
    var region = button && button.closest("[data-after]");
    if (!region) return;
    // Asked for: this one refresh may replace what is open or checked.
    var id = region.id;
    region.dataset.force = "1";
    function done() {
      var now = document.getElementById(id);
      if (!now) return;
      delete now.dataset.force;  // a refresh that failed or was held leaves no licence behind
      if (now !== region) {  // the button went with the old view: focus stays in the console
        now.setAttribute("tabindex", "-1");
        now.focus();
      }
    }
    var request = htmx.ajax("get", region.getAttribute("hx-get"),
                            { source: region, target: region, swap: "outerHTML" });
    if (request && request.then) request.then(done, done); else done();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id && news[target.id] && !document.contains(target)) {
      delete news[target.id];  // the region was replaced: the new one shows it all
    }
  });
  function guard(event) {
    var region = event.target;
    if (!region || !region.dataset || region.dataset.after === undefined) return;
    var id = Number(event.detail && event.detail.lastEventId);
    if (id <= Number(region.dataset.after)) {
      event.stopImmediatePropagation();
    } else if (region.querySelector(BUSY) && !region.dataset.force) {
      offer(region, id, event.detail && event.detail.data);
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
    } else if (stale || (target.querySelector(BUSY) && !target.dataset.force)) {
      event.detail.shouldSwap = false;
    }
  });
  // Focus across a region's swap (its own action's answer or a refresh; regions marked
  // data-after, or data-keep-focus as the workshop console's controls): the control the
  // facilitator was on, found again by its id or its action (name and value: "Ausblenden" of
  // a remark becomes its "Einblenden"); for a control that is gone with its item (a proposal
  // taken over, a theme hidden) the heading of the section it was in. Never the page body.
  var COUNTERPART = { "hide-remark": "show-remark", "show-remark": "hide-remark" };
  var refocus = {};  // region id -> where focus goes after the swap
  function escaped(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/["\\]/g, "\\$&");
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var region = event.detail.target;
    var focused = document.activeElement;
    if (!region || !region.id || !region.matches || !focused || !region.contains(focused) ||
        !region.matches("[data-after], [data-keep-focus]")) return;
    var wanted = [];
    if (focused.id) wanted.push("#" + escaped(focused.id));
    if (focused.name && focused.value) {
      var parts = focused.value.split(":");
      wanted.push("[name=\"" + escaped(focused.name) + "\"][value=\"" +
                  escaped(focused.value) + "\"]");
      if (COUNTERPART[parts[0]]) {
        wanted.push("[name=\"" + escaped(focused.name) + "\"][value=\"" +
                    escaped(COUNTERPART[parts[0]] + ":" + parts.slice(1).join(":")) + "\"]");
      }
    }
    var section = focused.closest("section");
    var heading = section && section.querySelector("h2[id], h3[id]");
    if (heading) wanted.push("#" + escaped(heading.id));
    refocus[region.id] = wanted;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var id = event.detail.target && event.detail.target.id;
    var wanted = id && refocus[id];
    if (!wanted) return;
    delete refocus[id];
    var region = document.getElementById(id);
    if (!region || (document.activeElement && document.activeElement !== document.body &&
                    document.contains(document.activeElement))) return;
    for (var i = 0; i < wanted.length; i++) {
      var next = region.querySelector(wanted[i]);
      if (next) {
        if (next.matches("h2, h3")) next.setAttribute("tabindex", "-1");
        next.focus({ preventScroll: false });
        return;
      }
    }
  });
  // Enter in a field of such a region's form sends the action beside the field ("Hinzufügen"
  // after the new remark, "Speichern" of the theme being edited), not the form's first button:
  // the browser's implicit submission would take over the first proposal.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || event.isComposing || !field.matches ||
        !field.matches("input:not([type=checkbox]):not([type=radio])") || !field.form ||
        !field.closest("[data-after]")) return;
    var scope = field.closest("li, .button-row, details, section") || field.form;
    var next = Array.prototype.filter.call(scope.querySelectorAll("button[type=submit]"),
      function (button) {
        return button.form === field.form &&
          (field.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING);
      })[0];
    if (next) {
      event.preventDefault();
      next.click();
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
