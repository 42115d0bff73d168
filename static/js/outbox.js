// The phone's outbox: what a participant sends survives a dropped Wi-Fi and a reload.
//
// A form marked `data-outbox="<kind>"` is sent from here instead of by htmx: the entry is kept
// (in memory and in localStorage) until the server confirmed it, its state is shown in #outbox
// ("wird gesendet", "nicht gesendet – wird erneut versucht", "gesendet"), and it is sent again
// when the network is back. A resend can never count twice: a card carries its client_id, a
// dot the number of own dots the phone showed (`have`), a support and survey answers are
// states that a second arrival leaves as they are. Only an answer the server marks as received
// (`Zk-Received`, or a survey's "saved" page) counts as sent: a captive portal's 200 does not.
//
// Also for every answer htmx swaps in on the phone's pages: an element marked `autofocus` gets the
// focus once (htmx does that; the mark is taken off so that a later redraw does not move focus),
// one marked `data-announce` is said by the status line #outbox-status, and a live update that
// redraws the focused element (others' proposals, votes) leaves focus where it was.
(function () {
  "use strict";

  var status = document.getElementById("outbox-status");

  document.addEventListener("htmx:load", function (event) {
    var root = event.target;
    if (root === document.body || !root.querySelectorAll) { return; }  // the page's first load
    var marked = root.querySelectorAll("[autofocus], [data-announce]");
    [root].concat(Array.prototype.slice.call(marked)).forEach(function (element) {
      element.removeAttribute("autofocus");
      if (element.hasAttribute("data-announce")) {
        if (status) { say(element.dataset.announce || element.textContent.trim()); }
        element.removeAttribute("data-announce");
      }
    });
  });

  var kept = null;  // the focused element a live message is about to redraw
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var key = focusKey(event.target, document.activeElement);
    kept = key ? {key: key, element: document.activeElement} : null;
  });
  document.addEventListener("htmx:sseMessage", function () {
    // htmx itself refocuses an element of the same id; not one moved by hx-preserve (without
    // moveBefore) or one known by its name and value.
    var lost = !document.activeElement || document.activeElement === document.body;
    if (kept && lost) {
      var next = kept.element.isConnected ? kept.element : document.querySelector(kept.key);
      if (next) { next.focus({preventScroll: true}); }
    }
    kept = null;
  });

  var box = document.getElementById("outbox");
  if (!box || !window.fetch || !window.URLSearchParams || !window.FormData) {
    return;  // without the box the page works as before: htmx or a plain form sends
  }
  var list = box.querySelector("ul");
  var heading = box.querySelector("h2");
  var words = box.dataset;
  var PREFIX = "zk-outbox:";
  var KEY = PREFIX + location.pathname.split("/")[2] + ":" + (words.owner || "");
  var LEASE = KEY + ":sender";
  var TAB = Math.random().toString(36).slice(2);
  var TIMEOUT_MS = 15000;  // a post on a slow 3G connection takes about a second
  var RETRY_MIN_MS = 2000;
  var RETRY_MAX_MS = 30000;
  var SHOW_SENT_MS = 6000;
  var KEEP_MS = 2 * 24 * 3600 * 1000;  // a workshop day and a night: then it is no use any more
  var retryIn = RETRY_MIN_MS;
  var timer = null;
  var running = false;
  var entries = read();  // the truth for this tab; localStorage keeps it across a reload
  var removed = {};  // ids discarded while their send was under way
  var shown = {};  // entry id -> list item, also for entries that were sent and are fading

  function read() {
    try {
      var now = Date.now();
      Object.keys(localStorage).forEach(function (key) {  // forget old days' leftovers
        if (key.indexOf(PREFIX) === 0 && key !== KEY && key.slice(-7) !== ":sender") {
          var old = JSON.parse(localStorage.getItem(key) || "[]");
          if (!old.some(function (e) { return now - e.created < KEEP_MS; })) {
            localStorage.removeItem(key);
          }
        }
      });
      return JSON.parse(localStorage.getItem(KEY) || "[]").filter(function (e) {
        return now - e.created < KEEP_MS;
      });
    } catch (error) {
      return [];
    }
  }

  function persist() {
    try {
      localStorage.setItem(KEY, JSON.stringify(entries));
    } catch (error) {
      // private mode or a full store: the entries still go out from memory while the page lives
    }
  }

  function update(entry) {
    entries = entries.filter(function (e) { return e.id !== entry.id; });
    if (removed[entry.id]) {
      entry.state = "dropped";
    } else if (entry.state !== "sent" && entry.state !== "dropped") {
      entries.push(entry);
      entries.sort(function (a, b) { return a.created - b.created; });
    }
    persist();
    render(entry);
    reapply();
  }

  function newId() {
    var bytes = new Uint8Array(9);
    window.crypto.getRandomValues(bytes);  // randomUUID needs https; a village hall may not have it
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function say(text) {
    // The live region exists from the page load; a new text in it is announced once.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function nameOf(entry) {
    var kind = words["kind" + entry.kind.charAt(0).toUpperCase() + entry.kind.slice(1)] || "";
    return kind + (entry.label ? " „" + entry.label + "“" : "");
  }

  function button(item, role, text, action) {
    var existing = item.querySelector("button[data-role=" + role + "]");
    if (existing) { return; }
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button small";
    b.dataset.role = role;
    b.textContent = text;
    b.addEventListener("click", action);
    item.querySelector(".outbox-actions").append(b);
  }

  function render(entry) {
    var item = shown[entry.id];
    if (entry.state === "dropped") {
      if (item) { item.remove(); delete shown[entry.id]; }
      box.hidden = list.children.length === 0;
      return;
    }
    if (!item) {
      item = document.createElement("li");
      var label = document.createElement("span");
      label.className = "outbox-label";
      var state = document.createElement("span");
      state.className = "outbox-state";
      var actions = document.createElement("span");
      actions.className = "outbox-actions";
      item.append(label, " ", state, " ", actions);
      list.append(item);
      shown[entry.id] = item;
    }
    item.className = "outbox-item state-" + entry.state;
    item.dataset.entry = entry.id;
    item.querySelector(".outbox-label").textContent = nameOf(entry) + ":";
    item.querySelector(".outbox-state").textContent =
      words[entry.state] + (entry.message ? " – " + entry.message : "");
    var actions = item.querySelector(".outbox-actions");
    if (entry.state !== "failed") {
      actions.textContent = "";
    } else {
      // Nothing is resent on its own after a refusal: the person decides.
      button(item, "again", words.again, function () {
        entry.state = "retry";
        entry.message = "";
        retryIn = RETRY_MIN_MS;
        update(entry);
        run();
      });
      var form = entry.kind === "card" ? document.querySelector("form[data-outbox=card]") : null;
      if (form && entry.text !== undefined) {
        button(item, "back", words.back, function () {
          var text = form.querySelector("textarea");
          if (text) { text.value = entry.text; }
          discard(entry);
          if (text) { text.focus(); }
        });
      }
      button(item, "drop", words.remove, function () {
        discard(entry);
        heading.focus();  // the button is gone: focus stays in the outbox
      });
    }
    box.hidden = false;
    if (entry.state === "sent") {
      window.setTimeout(function () {
        if (shown[entry.id] === item) {
          item.remove();
          delete shown[entry.id];
          box.hidden = list.children.length === 0;
        }
      }, SHOW_SENT_MS);
    }
  }

  function discard(entry) {
    removed[entry.id] = true;
    entry.state = "dropped";
    update(entry);
  }

  function send(entry) {
    var controller = window.AbortController ? new AbortController() : null;
    var stop = window.setTimeout(function () { if (controller) { controller.abort(); } },
                                 TIMEOUT_MS);
    var headers = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"};
    if (entry.htmx) {
      headers["HX-Request"] = "true";
      headers["HX-Current-URL"] = location.href;
    }
    return fetch(entry.url, {
      method: "POST", body: entry.body, headers: headers, credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.text().then(function (html) {
        return {status: response.status, html: html, url: response.url,
                redirected: response.redirected, headers: response.headers};
      });
    }).catch(function () {
      return {status: 0};  // no network, a timeout, or a connection lost during the answer
    }).finally(function () { window.clearTimeout(stop); });
  }

  function errorText(html) {
    var doc = new DOMParser().parseFromString(html || "", "text/html");
    var message = doc.querySelector(".message.error");
    return message ? message.textContent.trim() : "";
  }

  function focusKey(target, focused) {
    if (!focused || focused === document.body || !target.contains(focused)) { return null; }
    var escape = window.CSS && CSS.escape ? CSS.escape : function (s) { return s; };
    if (focused.id) { return "#" + escape(focused.id); }
    if (focused.name) {
      return "[name=\"" + escape(focused.name) + "\"][value=\"" + escape(focused.value) + "\"]";
    }
    return null;
  }

  function busy(target) {
    var focused = document.activeElement;
    return target.querySelector("details[open]") ||
      (focused && focused !== document.body && target.contains(focused) &&
       focused.matches("input, select, textarea"));
  }

  function place(entry, answer, form, focused) {
    // Show the answer as htmx would have when the form that sent it is still on the page (sent
    // right away). A resend later shows only the part named by data-outbox-select, only on the
    // page it was sent from, and never under the person's fingers or with a reload.
    if (!entry.htmx) {
      if (form) { location.assign(answer.url); }
      return;
    }
    if (form && answer.headers.get("HX-Refresh") === "true") {
      location.reload();
      return;
    }
    if (answer.status === 204 || !window.htmx) { return; }
    if (!form && entry.page !== location.pathname) { return; }
    if (answer.headers.get("HX-Reswap") === "none") {
      // An answer of parts that find their places by id (hx-swap-oob): a new card. A resend
      // places the card and the count, not the form's parts, which are the person's now.
      if (answer.html) {
        window.htmx.swap(document.body, form ? answer.html : withoutForm(answer.html),
                         {swapStyle: "none"});
      }
      return;
    }
    var select = form ? null : entry.select;
    var target = document.querySelector(select || entry.target);
    if (!target || (!form && busy(target))) { return; }
    var again = focusKey(document.querySelector(entry.target) || target, focused);
    window.htmx.swap(target, answer.html, {swapStyle: select ? "outerHTML" : entry.swap},
                     select ? {select: select} : {});
    if (document.activeElement && document.activeElement !== document.body) {
      return;  // focus survived, came back by its id, or the answer's `autofocus` took it
    }
    var where = document.querySelector(entry.target);
    var next = again && where ? where.querySelector(again) || document.querySelector(again)
      : null;
    if (!next && again && where) {  // the button tapped is gone (the last dot taken back)
      next = where.querySelector("button:not([disabled])");
    }
    if (next) { next.focus(); }
  }

  function withoutForm(html) {
    var parts = document.createElement("template");
    parts.innerHTML = html;
    parts.content.querySelectorAll("[data-outbox-form]").forEach(function (part) {
      part.remove();
    });
    return parts.innerHTML;
  }

  function confirmed(entry, answer) {
    if (answer.headers.get("Zk-Received")) { return true; }
    // A plain form (the survey) answers with the page it redirects to: "saved" says it arrived.
    return !entry.htmx && answer.redirected && /[?&]saved=/.test(answer.url);
  }

  function finish(entry, answer, form, focused) {
    if (answer.status === 0 || answer.status >= 500 || answer.status === 429 ||
        answer.status === 408) {
      entry.state = "retry";
      entry.message = "";
      update(entry);
      return false;
    }
    if (answer.status >= 400 || (answer.status < 300 && !confirmed(entry, answer) &&
                                 answer.redirected)) {
      // Refused (posting closed, no dots left, a survey closed) or sent to another page (the
      // phone's sign-in is gone): shown with the reason, resent only when the person says so.
      if (form && !entry.htmx) {
        entry.state = "dropped";  // a plain form shows its message on its own page:
        update(entry);            // the browser sends it once more, the normal way
        form.submit();
        return true;
      }
      entry.state = "failed";
      entry.message = errorText(answer.html) || (answer.redirected ? words.rejoin : "");
      update(entry);
      if (form && (answer.status === 409 || answer.status === 422)) {
        place(entry, answer, form, focused);  // the form with its message (its own alert)
      } else {
        say(nameOf(entry) + ": " + words.failed + (entry.message ? " – " + entry.message : ""));
      }
      return true;
    }
    if (!confirmed(entry, answer)) {  // a 200 from something between phone and server
      entry.state = "retry";
      update(entry);
      return false;
    }
    entry.state = "sent";
    entry.message = "";
    update(entry);
    place(entry, answer, form, focused);
    // An answer without content (a support: the live stream brings the new state) says nothing
    // itself; an answer swapped in says its own message (`data-announce`).
    if (!form || answer.status === 204) { say(nameOf(entry) + ": " + words.sent); }
    return true;
  }

  function schedule() {
    window.clearTimeout(timer);
    if (pending().length) {
      timer = window.setTimeout(run, retryIn);
      retryIn = Math.min(retryIn * 2, RETRY_MAX_MS);
    }
  }

  function pending() {
    return entries.filter(function (e) { return e.state === "retry" || e.state === "sending"; });
  }

  function leased() {
    // Several tabs of one phone: one of them sends, the others wait for its lease to end.
    try {
      var lease = JSON.parse(localStorage.getItem(LEASE) || "null");
      if (lease && lease.tab !== TAB && lease.until > Date.now()) { return false; }
      localStorage.setItem(LEASE, JSON.stringify({tab: TAB, until: Date.now() + TIMEOUT_MS + 5000}));
    } catch (error) { /* no storage: this tab alone */ }
    return true;
  }

  function release() {
    try {
      var lease = JSON.parse(localStorage.getItem(LEASE) || "null");
      if (lease && lease.tab === TAB) { localStorage.removeItem(LEASE); }
    } catch (error) { /* no storage */ }
  }

  function run() {
    // One entry at a time, oldest first, so that a phone's taps arrive in the order made.
    if (running) { return; }
    var next = pending()[0];
    if (!next) { retryIn = RETRY_MIN_MS; release(); return; }
    if (!leased()) { schedule(); return; }
    running = true;
    next.state = "sending";
    update(next);
    send(next).then(function (answer) {
      var moveOn = false;
      try {
        moveOn = finish(next, answer, null, null);
      } finally {
        running = false;
        if (moveOn) {
          retryIn = RETRY_MIN_MS;
          run();
        } else {
          schedule();
        }
      }
    });
  }

  function reapply() {
    // A dot's `have` is what the server showed plus the taps still on their way: a tap after a
    // reload or a redraw counts from there, so it is neither taken for a resend nor ignored.
    document.querySelectorAll("form[data-outbox=dot] input[name=have]").forEach(function (have) {
      var form = have.form;
      var theme = form.querySelector("input[name=theme]");
      var url = form.getAttribute("hx-post") || form.getAttribute("action");
      var delta = 0;
      pending().forEach(function (e) {
        var body = new URLSearchParams(e.body);
        if (e.url === url && theme && body.get("theme") === theme.value) {
          delta += body.get("action") === "remove" ? -1 : 1;
        }
      });
      // A hidden input's value is its attribute: the server's number is kept aside once.
      if (have.dataset.server === undefined) { have.dataset.server = have.value; }
      have.value = String(Math.max(0, Number(have.dataset.server) + delta));
    });
  }

  function labelOf(form, kind) {
    if (kind === "card") {
      var value = textOf(form);
      return value.length > 60 ? value.slice(0, 59) + "…" : value;
    }
    return form.dataset.outboxLabel || "";
  }

  function textOf(form) {
    var text = form.querySelector("textarea");
    return text ? text.value.trim() : "";
  }

  function afterQueued(form, entry) {
    // The entry is safe in the outbox: the form is free for the next input.
    if (entry.kind !== "card") { return; }
    var text = form.querySelector("textarea");
    if (text && text.value.trim() === entry.text) { text.value = ""; }
    var id = form.querySelector("input[name=client_id]");
    if (id) { id.value = newId(); }
    if (text) { text.focus(); }
  }

  var clicked = new WeakMap();  // form -> its last submit button (for browsers without submitter)
  document.addEventListener("click", function (event) {
    var b = event.target.closest ? event.target.closest("button[type=submit], button:not([type])")
      : null;
    if (b && b.form && b.form.dataset.outbox) { clicked.set(b.form, b); }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-outbox]") : null;
    if (!form || event.defaultPrevented) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();  // htmx must not send it a second time
    var kind = form.dataset.outbox;
    var submitter = event.submitter || clicked.get(form) || null;
    var data = new FormData(form);  // the button is added here: FormData(form, b) is new
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var body = new URLSearchParams(data).toString();
    var url = form.getAttribute("hx-post") || form.getAttribute("action");
    if (pending().some(function (e) { return e.url === url && e.body === body; })) {
      return;  // a second tap on the same, still unsent input
    }
    var entry = {
      id: newId(), kind: kind, url: url, body: body, created: Date.now(),
      label: labelOf(form, kind), state: "sending", message: "", page: location.pathname,
      htmx: form.hasAttribute("hx-post"),
      target: form.getAttribute("hx-target") || "",
      swap: (form.getAttribute("hx-swap") || "innerHTML").split(" ")[0],
      select: form.dataset.outboxSelect || ""
    };
    if (kind === "card") { entry.text = textOf(form); }
    if (pending().length || running) {
      entry.state = "retry";  // behind older entries: it goes out after them
      update(entry);
      afterQueued(form, entry);
      say(nameOf(entry) + ": " + words.queued);
      run();
      return;
    }
    var focused = document.activeElement;
    var again = focusKey(document.body, focused);
    update(entry);
    var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
    var text = form.querySelector("textarea");
    buttons.forEach(function (b) { b.disabled = true; });
    if (text) { text.readOnly = true; }  // what is typed now would not be in this entry
    running = true;
    send(entry).then(function (answer) {
      var moveOn = true;
      try {
        buttons.forEach(function (b) { b.disabled = false; });
        if (text) { text.readOnly = false; }
        // A button disabled while its tap was on the way lost the focus: it gets it back, or
        // its successor of the same id if the live stream redrew it meanwhile (a support).
        var back = focused && focused.isConnected ? focused
          : again && document.querySelector(again);
        if (back && document.activeElement === document.body) { back.focus(); }
        moveOn = finish(entry, answer, form, focused);
        if (!moveOn) {
          afterQueued(form, entry);
          say(words.offline);
        }
      } finally {
        running = false;
        if (moveOn) { run(); } else { schedule(); }
      }
    });
  }, true);

  window.addEventListener("online", function () { retryIn = RETRY_MIN_MS; run(); });
  window.addEventListener("storage", function (event) {
    if (event.key === KEY && !running) {  // another tab of this phone sent or added something
      entries = read();
      Object.keys(shown).forEach(function (id) {
        if (!entries.some(function (e) { return e.id === id; }) &&
            !shown[id].classList.contains("state-sent")) {
          shown[id].remove();
          delete shown[id];
        }
      });
      entries.forEach(render);
      box.hidden = list.children.length === 0;
      reapply();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { run(); }
  });
  document.addEventListener("htmx:load", reapply);  // a redrawn row shows the server's count
  entries.forEach(function (entry) {
    if (entry.state === "sending") { entry.state = "retry"; }  // on its way when the page went
    render(entry);
  });
  reapply();
  run();
}());
