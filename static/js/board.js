// Projector helpers on top of htmx's SSE extension (the reason for this file: none of this is
// in htmx, and CSS alone cannot know what fits the screen).
// 1. A board that reconnects may get a card replayed that it already shows: skip it.
// 2. Show a banner while the live connection is down, so the room knows the board is stale.
// 3. Never hide a card: the text shrinks until the board fits, but not below what the back of
//    the room can read (18 px cards, 16 px plenary themes). What still does not fit is paged:
//    each overflowing list shows one page at a time ("Seite 1 von 3"), turning by itself at a
//    calm pace; the lists keep their place, so nothing else on the screen moves. A new card on
//    a page not shown brings its page up.
// 4. Keyboard, for the facilitator at the projector's laptop: ← → (or Bild↑ Bild↓) turn the
//    pages, Leertaste stops and starts turning, 1–9 show one column large, 0 or Esc all again.
(function () {
  "use strict";
  var TURN_MS = 12000;
  var root = document.documentElement;
  root.classList.add("fit");

  function px(element) { return parseFloat(getComputedStyle(element).fontSize); }
  function overflowing() { return root.scrollHeight > window.innerHeight + 1; }

  // The lists to fit and page: a board's card columns, the plenary's themes, survey charts.
  function lists() { return Array.prototype.slice.call(document.querySelectorAll("[data-page]")); }
  function minimumPx(list) { return Number(list.dataset.page) || 18; }

  function clearPages() {
    root.classList.remove("paging");
    lists().forEach(function (list) {
      Array.prototype.forEach.call(list.children, function (item) {
        item.classList.remove("off-page");
      });
      list.zkPages = null;
      var label = pageLabel(list);
      if (label) label.hidden = true;
    });
  }

  // The smallest --fit at which every list's text is still at least its minimum.
  function floorFit(scope) {
    var floor = 0;
    lists().forEach(function (list) {
      var item = list.querySelector(":scope > :not(.off-page)") || list;
      var atOne = px(item) / Number(getComputedStyle(scope).getPropertyValue("--fit") || 1);
      floor = Math.max(floor, minimumPx(list) / atOne);
    });
    return Math.min(1, Math.ceil(floor * 100) / 100);
  }

  function shrink(scope) {
    scope.style.setProperty("--fit", 1);
    var floor = floorFit(scope);
    var scale = 1;
    while (scale > floor && overflowing()) {
      scale = Math.max(floor, Math.round((scale - 0.04) * 100) / 100);
      scope.style.setProperty("--fit", scale);
    }
    return !overflowing();
  }

  function pageLabel(list) {
    var column = list.closest("[data-page-scope]");
    return column ? column.querySelector(".page-of") : null;
  }

  // Split each list into pages of what its box holds; the box has a fixed height now.
  function paginate() {
    root.classList.add("paging");
    lists().forEach(function (list) {
      var items = Array.prototype.slice.call(list.children);
      items.forEach(function (item) { item.classList.remove("off-page"); });
      var room = list.parentElement.getBoundingClientRect().bottom -
        list.getBoundingClientRect().top;
      var pages = [[]];
      var start = null;
      items.forEach(function (item) {
        var box = item.getBoundingClientRect();
        if (start === null) start = box.top;
        if (box.bottom - start > room && pages[pages.length - 1].length) {
          pages.push([]);
          start = box.top;
        }
        pages[pages.length - 1].push(item);
      });
      var previous = list.zkPages;
      list.zkPages = pages;
      list.zkPage = previous && list.zkPage < pages.length ? list.zkPage : 0;
      show(list);
    });
  }

  function show(list) {
    var pages = list.zkPages;
    var label = pageLabel(list);
    if (!pages) return;
    pages.forEach(function (page, index) {
      page.forEach(function (item) { item.classList.toggle("off-page", index !== list.zkPage); });
    });
    if (label) {
      label.hidden = pages.length < 2;
      label.textContent = label.dataset.template
        .replace("{page}", list.zkPage + 1).replace("{pages}", pages.length);
    }
  }

  function turn(step) {
    lists().forEach(function (list) {
      if (!list.zkPages || list.zkPages.length < 2) return;
      var count = list.zkPages.length;
      list.zkPage = ((list.zkPage + step) % count + count) % count;
      show(list);
    });
  }

  var scope = null;
  function fit() {
    scope = document.querySelector("[data-fit]");
    var board = document.querySelector(".board");
    if (!scope) return;
    clearPages();
    if (board) board.classList.remove("dense");
    if (shrink(scope)) return;
    if (board) board.classList.add("dense");
    if (shrink(scope)) return;
    paginate();
  }

  // A new card that lands on a page not shown brings that page up (and keeps it a turn).
  function reveal(item) {
    var list = item && item.parentElement;
    if (!list || !list.zkPages) return;
    list.zkPages.forEach(function (page, index) {
      if (page.indexOf(item) >= 0 && index !== list.zkPage) {
        list.zkPage = index;
        show(list);
        resetTurning();
      }
    });
  }

  var timer = null;
  var paused = false;
  function resetTurning() {
    if (timer) window.clearInterval(timer);
    timer = paused ? null : window.setInterval(function () { turn(1); }, TURN_MS);
  }

  // The items seen so far, so that one that arrives live is brought into view once it is there.
  var known = null;
  function newcomers() {
    var items = [];
    lists().forEach(function (list) {
      Array.prototype.forEach.call(list.children, function (item) { items.push(item); });
    });
    var fresh = known === null ? [] : items.filter(function (item) {
      return item.id && !known.has(item.id);
    });
    known = new Set(items.map(function (item) { return item.id; }));
    return fresh;
  }

  var pending = null;
  function refit() {
    // Live messages come in bursts, and their swaps follow them: lay out once they settled.
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      pending = null;
      fit();
      newcomers().forEach(reveal);
    }, 40);
  }

  function single(number) {
    var columns = document.querySelector(".columns");
    if (!columns) return;
    var wanted = columns.children[number - 1];
    Array.prototype.forEach.call(columns.children, function (column) {
      column.classList.toggle("single-hidden", Boolean(wanted) && column !== wanted);
    });
    columns.classList.toggle("single", Boolean(wanted));
    fit();
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") {
      turn(1); resetTurning();
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      turn(-1); resetTurning();
    } else if (event.key === " ") {
      paused = !paused; resetTurning();
      root.classList.toggle("turning-paused", paused);
    } else if (/^[0-9]$/.test(event.key)) {
      single(Number(event.key));
    } else if (event.key === "Escape") {
      single(0);
    } else {
      return;
    }
    event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    fit();
    newcomers();
    resetTurning();
  });
  window.addEventListener("resize", refit);
  // Charts are images: their size is known once they have loaded.
  document.addEventListener("load", function (event) {
    if (event.target && event.target.tagName === "IMG") refit();
  }, true);
  document.addEventListener("htmx:sseMessage", refit);
  document.addEventListener("htmx:afterSettle", refit);
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
  // For the browser tests: turn one page, as the room would see it after a while.
  window.zkTurnPage = function () { turn(1); };
})();
