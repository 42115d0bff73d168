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
    if (old) old.remove();  // its place may have changed (pinned, moved up, approved)
    else if (card.hasAttribute("data-arrived")) arrived(root);
    place(list, card, newest);
    if (focused) refocus(card, focused);
    counts(root);
  }

  function gone(root, old) {
    if (!old) return;
    var moveFocus = old.contains(document.activeElement) ? rehome(old) : null;
    var form = document.getElementById("card-" + old.dataset.card);
    old.remove();
    if (form) form.remove();
    if (moveFocus) {
      if (moveFocus.tagName === "H2" && !moveFocus.hasAttribute("tabindex")) {
        moveFocus.setAttribute("tabindex", "-1");
      }
      moveFocus.focus({ preventScroll: true });
    }
    counts(root);
  }

  function reload(root) {
    var ticked = [];
    root.querySelectorAll("[data-cards] input[type=checkbox]:checked").forEach(function (box) {
      ticked.push(box.value);
    });
    htmx.ajax("get", root.dataset.reload, { source: root, target: root, swap: "outerHTML" })
      .then(function () {
        var now = region();
        if (!now) return;
        ticked.forEach(function (value) {
          var box = now.querySelector("[data-cards] input[type=checkbox][value='" + value + "']");
          if (box) box.checked = true;
        });
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

  // The answer to an action replaces the card area: focus stays where the facilitator was
  // (the same control of the same card, else that card, else the answer's message).
  var focusBefore = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "moderation") return;
    var active = document.activeElement;
    var card = active && active.closest ? active.closest("li[data-card]") : null;
    focusBefore = active && target.contains(active)
      ? { key: focusKey(active), card: card ? card.id : null } : null;
  });

  // The card area was replaced (the answer to an action, a reload): put in what it lacks.
  document.addEventListener("htmx:afterSettle", function () {
    var root = region();
    if (!root || root === shownRegion) return;
    shownRegion = root;
    if (focusBefore) {
      var card = focusBefore.card && document.getElementById(focusBefore.card);
      var same = !focusBefore.card && focusBefore.key ? root.querySelector(focusBefore.key) : null;
      if (card) {
        refocus(card, focusBefore.key);
      } else if (same) {
        same.focus({ preventScroll: true });
      } else {
        var message = root.querySelector("#moderation-messages");
        message.setAttribute("tabindex", "-1");
        message.focus({ preventScroll: true });
      }
      focusBefore = null;
    }
    var shown = Number(root.dataset.shown);
    recent.forEach(function (entry) {
      if (entry[0] > shown && entry[1] !== "console-reload") apply(entry[1], entry[2]);
    });
  });
  document.addEventListener("DOMContentLoaded", function () { shownRegion = region(); });
})();
