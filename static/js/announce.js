// What a screen reader hears of the live updates on the phone's pages.
//
// Others' cards arriving in the group's panel are said together in #group-news ("3 neue Karten
// in der Gruppe"), at most once per CALM_MS: one announcement per card would talk over a
// person typing. One's own cards come in the same way; they are not news (they are in "Meine
// Karten hier" by the time the batch is said). And a live region (aria-live) that a message
// would fill with the same words again – the server resends "Es gibt neue Themen" with every
// change, and its whole state after a reconnect – is left as it is, so it is not said twice.
(function () {
  "use strict";

  var CALM_MS = 5000;
  var news = document.getElementById("group-news");
  var arrived = [];  // ids of the cards come in since the last announcement
  var waiting = null;
  var last = 0;

  function flush() {
    waiting = null;
    var count = arrived.filter(function (id) {
      return !document.getElementById("my-" + id);  // "card-7" is one's own as "my-card-7"
    }).length;
    arrived = [];
    if (!count) return;
    last = Date.now();
    var text = count === 1 ? news.dataset.one : news.dataset.many.replace("{n}", count);
    news.textContent = "";
    window.setTimeout(function () { news.textContent = text; }, 50);
  }

  document.addEventListener("htmx:load", function (event) {
    var card = event.target;
    if (!news || !card.matches || !card.matches(".group-board li.card[id]")) return;
    arrived.push(card.id);
    if (!waiting) {  // the first of a batch: said when the calm time since the last one is over
      waiting = window.setTimeout(flush, Math.max(CALM_MS - (Date.now() - last), 1500));
    }
  });

  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var region = event.target;
    if (!region.matches || !region.matches("[aria-live]")) return;
    var incoming = document.createElement("template");
    incoming.innerHTML = event.detail.data;
    var words = function (text) { return text.replace(/\s+/g, " ").trim(); };
    if (words(incoming.content.textContent) === words(region.textContent)) {
      event.preventDefault();
    }
  });
}());
