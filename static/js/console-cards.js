// A field's console gets each changed card on its own over SSE, like the board: "console-card"
// (the card's <li> and its own form) is put into its column or replaces the card where it is;
// "console-gone" takes a card out; "console-reload" (the stream missed something) loads the
// cards anew. Nothing the facilitator is doing is lost: a ticked box, an open form, a text being
// typed and the focus stay with their card. The answer to the facilitator's own action replaces
// the whole card area (#moderation); news that it does not show yet (event id > data-shown) is
// put in again. Written here because htmx can insert or replace, but not "replace if present,
// else insert in order", and the Content-Security-Policy allows no eval.
(function () {
  "use strict";
  var recent = [];  // [event id, kind, data] of the last messages, put in again after a swap
  var shownRegion = null;

  function region() { return document.getElementById("moderation"); }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  // The card's order in its column: newest first, or the board's (pinned, position, id).
  function before(a, b, newest) {
    var ia = Number(a.dataset.card), ib = Number(b.dataset.card);
    if (newest) return ia > ib;
    var pa = Number(a.dataset.pinned), pb = Number(b.dataset.pinned);
    if (pa !== pb) return pa > pb;
    var qa = Number(a.dataset.position), qb = Number(b.dataset.position);
    return qa !== qb ? qa < qb : ia < ib;
  }

  function place(list, card, newest) {
    var items = list.children;
    for (var i = 0; i < items.length; i++) {
      if (items[i] !== card && before(card, items[i], newest)) {
        list.insertBefore(card, items[i]);
        return;
      }
    }
    list.appendChild(card);
  }

  // What the facilitator is doing with a card goes over to its new version.
  function carry(old, card) {
    old.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      var twin = card.querySelector("input[type=checkbox][value='" + box.value + "']");
      if (twin) twin.checked = true;
    });
    old.querySelectorAll("details[open]").forEach(function (open) {
      var twin = card.querySelector("details." + open.className.split(" ")[0]);
      if (twin) twin.open = true;
    });
    old.querySelectorAll("textarea, select").forEach(function (input) {
      var twin = input.id && card.querySelector("#" + CSS.escape(input.id));
      var changed = input.tagName === "SELECT" ? !input.options[input.selectedIndex].defaultSelected
        : input.value !== input.defaultValue;
      if (twin && changed) twin.value = input.value;
    });
  }

  function focusKey(element) {
    if (element.id) return "#" + CSS.escape(element.id);
    if (element.name) {
      return element.tagName.toLowerCase() + "[name='" + element.name + "']" +
        (element.value ? "[value='" + element.value + "']" : "");
    }
    return element.tagName === "SUMMARY" ? "summary" : null;
  }

  // The same control in the card's new version, or else the card's first one.
  function refocus(card, key) {
    var again = (key && card.querySelector(key)) ||
      card.querySelector("input[type=checkbox], button");
    if (again) again.focus({ preventScroll: true });
  }

  function counts(root) {
    root.querySelectorAll("[data-cards]").forEach(function (list) {
      var heading = list.parentElement.querySelector("[data-count]");
      if (heading) heading.textContent = "(" + list.children.length + ")";
      var section = root.querySelector("[data-section='" + list.dataset.cards + "']");
      if (section) section.hidden = list.children.length === 0;
      var button = root.querySelector("[data-needs='" + list.dataset.cards + "']");
      if (button) button.hidden = list.children.length === 0;
    });
  }

  // Focus that was on a card that went goes to the next card, or to its column's heading:
  // never to the page's body.
  function rehome(old) {
    var next = old.nextElementSibling || old.previousElementSibling;
    var target = next ? next.querySelector("input, button") : null;
    if (!target) {
      target = old.parentElement.parentElement.querySelector("h2");
    }
    return target;
  }

  var arrivals = 0;
  var announce = null;
  function arrived(root) {
    arrivals += 1;
    window.clearTimeout(announce);
    // Said calmly: once a burst is over, "3 neue Karten", not three times one.
    announce = window.setTimeout(function () {
      var box = root.querySelector("[data-arrivals]");
      if (!box) return;
      box.textContent = arrivals === 1 ? box.dataset.one
        : box.dataset.many.replace("{n}", String(arrivals));
      arrivals = 0;
    }, 1500);
  }

  // The bar for the ticked cards (_moderation.html): hidden while none is ticked, else right
  // after the checkbox ticked last, so that merging is two Tabs away from the selection, not
  // eighty Shift+Tabs. Its name says how many: "2 Karten ausgewählt".
  function home(root, bar) {
    var columns = root.querySelector(".console-columns");
    if (columns && bar.nextElementSibling !== columns) columns.before(bar);
  }

  function selection(root, box) {
    var bar = root.querySelector("[data-selection-bar]");
    if (!bar) return;
    var ticked = root.querySelectorAll("[data-cards] input[type=checkbox]:checked");
    var count = bar.querySelector("#selection-count");
    count.textContent = ticked.length === 1 ? count.dataset.one
      : count.dataset.many.replace("{n}", String(ticked.length));
    bar.hidden = ticked.length === 0;
    var holder = bar.closest("li[data-card]");
    var anchor = box && box.checked ? box : null;
    if (!anchor && !(holder && holder.querySelector("input[type=checkbox]:checked"))) {
      anchor = ticked[ticked.length - 1];  // its card was unticked, or it stands at home
    }
    if (ticked.length === 0) home(root, bar);
    else if (anchor) anchor.closest("label").after(bar);
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    var root = region();
    if (!root || !box.matches || !box.matches("[data-cards] input[type=checkbox]")) return;
    if (root.contains(box)) selection(root, box);
  });

  function upsert(root, html) {
    var content = parse(html);
    var card = content.querySelector("li[data-card]");
    var form = content.querySelector("form");
    if (!card) return;
    var old = document.getElementById(card.id);
    var list = root.querySelector("[data-cards='" + card.dataset.column + "']");
    var focused = old && old.contains(document.activeElement) ? focusKey(document.activeElement)
      : null;
    if (old) carry(old, card);
    if (!list) {
      if (old) gone(root, old);
      return;
    }
    var newest = root.dataset.order === "newest";
    if (form && !document.getElementById(form.id)) {
      form.querySelector("[name=order]").value = root.dataset.order;
      root.querySelector("#card-forms").appendChild(form);
      htmx.process(form);
    }
    var bar = old && old.querySelector("[data-selection-bar]");
    if (old) old.remove();  // its place may have changed (pinned, moved up, approved)
    else if (card.hasAttribute("data-arrived")) arrived(root);
    place(list, card, newest);
    if (bar) card.querySelector("label").after(bar);  // the bar goes with the ticked card
    if (focused) refocus(card, focused);
    counts(root);
    selection(root);
  }

  function gone(root, old) {
    if (!old) return;
    var bar = old.querySelector("[data-selection-bar]");
    var inBar = bar && bar.contains(document.activeElement) ? document.activeElement : null;
    var moveFocus = old.contains(document.activeElement) ? inBar || rehome(old) : null;
    var form = document.getElementById("card-" + old.dataset.card);
    if (bar) home(root, bar);  // the bar stays, and with it the focus that was in it
    old.remove();
    if (form) form.remove();
    if (moveFocus) {
      if (moveFocus.tagName === "H2" && !moveFocus.hasAttribute("tabindex")) {
        moveFocus.setAttribute("tabindex", "-1");
      }
      moveFocus.focus({ preventScroll: true });
    }
    counts(root);
    selection(root);
  }

  function reload(root) {
    var ticked = [];
    root.querySelectorAll("[data-cards] input[type=checkbox]:checked").forEach(function (box) {
      ticked.push(box.value);
    });
    var open = root.querySelector("#duplicates[open]");
    htmx.ajax("get", root.dataset.reload, { source: root, target: root, swap: "outerHTML" })
      .then(function () {
        var now = region();
        if (!now) return;
        if (open && now.querySelector("#duplicates")) now.querySelector("#duplicates").open = true;
        ticked.forEach(function (value) {
          var box = now.querySelector("[data-cards] input[type=checkbox][value='" + value + "']");
          if (box) box.checked = true;
        });
        selection(now);
      });
  }

  function apply(kind, data) {
    var root = region();
    if (!root) return;
    if (kind === "console-card") upsert(root, data);
    else if (kind === "console-gone") gone(root, document.getElementById("mod-card-" + data));
    else if (kind === "console-reload") reload(root);
  }

  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    if (!event.target.hasAttribute || !event.target.hasAttribute("data-console-live")) return;
    event.preventDefault();  // nothing is swapped into the holder: it is put in place here
    var message = event.detail;
    var id = Number(message.lastEventId) || 0;
    recent.push([id, message.type, message.data]);
    if (recent.length > 500) recent.shift();
    var root = region();
    if (root && id > 0 && id <= Number(root.dataset.shown)) return;  // shown already
    apply(message.type, message.data);
  });

  // The answer to an action replaces the card area. Focus goes where the facilitator is: the
  // same card's counterpart ("Einblenden" after "Ausblenden"), the card just merged, the card
  // undo brought back, else the same control of the same card, else that card, else the
  // answer's message. Never the page's body.
  var COUNTERPART = { hide: "unhide", unhide: "hide", pin: "unpin", unpin: "pin", approve: "hide" };
  var focusBefore = null;
  var answer = null;  // the answer's message, for the regions kept from the page load

  function ids(root, selector) {
    return Array.prototype.map.call(root.querySelectorAll(selector), function (element) {
      return element.dataset.card || element.value;
    });
  }

  // What the facilitator set out to do, read when the request starts: by the time its answer
  // comes, the live stream may have brought the merged card in, or taken the ticked ones out.
  var intent = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var root = region();
    var active = document.activeElement;
    if (!root || !event.detail.target || event.detail.target.id !== "moderation") return;
    var op = active && active.name === "op" ? active.value.split(":") : [];
    intent = {
      action: op[0] || "", id: op[1] || "",
      selected: ids(root, "[data-cards] input[type=checkbox]:checked"),
      undo: active && active.dataset.undo ? active.dataset.undo.split(" ") : null,
      known: ids(root, "li[data-card]")
    };
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "moderation") return;
    var active = document.activeElement;
    var card = active && active.closest ? active.closest("li[data-card]") : null;
    var known = intent || { action: "", id: "", selected: [], undo: null,
                            known: ids(target, "li[data-card]") };
    intent = null;
    focusBefore = active && (target.contains(active) || known.action) ? {
      key: focusKey(active), card: card ? card.id : null, action: known.action, id: known.id,
      selected: known.selected, undo: known.undo, known: known.known
    } : null;
    // An answer (not a refresh, which is marked hx-preserve already): htmx is to keep the
    // message regions on screen, and their new text goes into them once it has swapped.
    var html = event.detail.serverResponse;
    if (typeof html !== "string" || /id="moderation-messages"[^>]*hx-preserve/.test(html) ||
        !document.getElementById("moderation-messages")) return;
    var messages = parse(html).querySelector("#moderation-messages");
    if (!messages || !messages.querySelector("[data-status]")) return;
    answer = { status: messages.querySelector("[data-status]").innerHTML,
               alert: messages.querySelector("[data-alert]").innerHTML };
    event.detail.serverResponse = html.replace('id="moderation-messages"',
                                               'id="moderation-messages" hx-preserve');
  });

  function checkbox(card) { return card.querySelector("input[type=checkbox]"); }

  function landing(root, before) {
    var found = null;
    // A suggested group merged or dismissed: on to the next suggestion, or the list's heading.
    if (before.action === "dupmerge" || before.action === "dupdismiss") {
      return root.querySelector("[data-duplicate] h3") ||
        root.querySelector("#duplicates-title");
    }
    if (before.action === "merge") {  // the card the ticked ones became: new in this view
      root.querySelectorAll("li[data-merged]").forEach(function (card) {
        if (!found && before.known.indexOf(card.dataset.card) < 0) found = checkbox(card);
      });
    }
    (before.undo || []).forEach(function (id) {  // the card undo brought back
      var card = document.getElementById("mod-card-" + id);
      if (!found && card) found = checkbox(card);
    });
    var acted = before.id ? [before.id] : before.action ? before.selected : [];
    var card = acted.length && document.getElementById("mod-card-" + acted[0]);
    if (!found && card) {
      var value = (COUNTERPART[before.action] || before.action) + ":" + acted[0];
      found = card.querySelector("button[name=op][value='" + value + "']") || checkbox(card);
    }
    card = before.card && document.getElementById(before.card);
    if (!found && card) found = (before.key && card.querySelector(before.key)) || checkbox(card);
    if (!found && !before.card && before.key) found = root.querySelector(before.key);
    if (!found || found.disabled) {  // the card left (split, moved away): the first new one
      root.querySelectorAll("li[data-card]").forEach(function (card) {
        if (!found && before.known.indexOf(card.dataset.card) < 0) found = checkbox(card);
      });
    }
    return found && !found.disabled ? found : null;
  }

  // The card area was replaced (the answer to an action, a reload): put in what it lacks.
  document.addEventListener("htmx:afterSettle", function () {
    var root = region();
    if (!root || root === shownRegion) return;
    shownRegion = root;
    var kept = document.getElementById("moderation-messages");
    if (answer && kept) {
      kept.querySelector("[data-status]").innerHTML = answer.status;
      kept.querySelector("[data-alert]").innerHTML = answer.alert;
    }
    answer = null;
    if (focusBefore) {
      var target = landing(root, focusBefore);
      if (target) {
        var menu = target.closest("details");
        if (menu) menu.open = true;  // "▲" again, from the card's menu
        target.focus();
      } else {
        kept.setAttribute("tabindex", "-1");
        kept.focus({ preventScroll: true });
      }
      focusBefore = null;
    }
    selection(root);
    var shown = Number(root.dataset.shown);
    recent.forEach(function (entry) {
      if (entry[0] > shown && entry[1] !== "console-reload") apply(entry[1], entry[2]);
    });
  });
  document.addEventListener("DOMContentLoaded", function () {
    shownRegion = region();
    if (shownRegion) selection(shownRegion);
  });
})();
