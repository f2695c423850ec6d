/* The operations centre's live screen: listens to the server-sent event stream (/ioc/su-kien/), puts each new event
   at the top of the feed and rewrites the tiles when a new summary arrives — no reload. EventSource reconnects by
   itself when the server ends a stream (every IOC_STREAM_SECONDS) and resumes with Last-Event-ID. No inline script:
   the page gives the stream's address, the last event id and the summary id as data attributes. */
(function () {
  "use strict";
  var root = document.getElementById("ioc");
  if (!root || !window.EventSource) { return; }
  var feed = document.getElementById("ioc-feed");
  var live = document.getElementById("ioc-live");
  var computed = document.getElementById("ioc-computed");
  var MAX_ITEMS = 50;
  var url = root.getAttribute("data-stream") + "?after=" + encodeURIComponent(root.getAttribute("data-last") || "0") +
    "&summary=" + encodeURIComponent(root.getAttribute("data-summary") || "0");
  var source = new EventSource(url);

  function say(text) { if (live) { live.textContent = text; } }

  source.onopen = function () { say(live.getAttribute("data-on") || "Đang nhận sự kiện trực tiếp"); };
  source.onerror = function () { say(live.getAttribute("data-off") || "Mất kết nối, đang kết nối lại…"); };

  source.addEventListener("feed", function (message) {
    var e = JSON.parse(message.data);
    if (feed.querySelector('[data-id="' + e.id + '"]')) { return; }
    var empty = feed.querySelector(".ioc-empty");
    if (empty) { empty.remove(); }
    var li = document.createElement("li");
    li.className = "sev-" + e.severity + " ioc-new";
    li.setAttribute("data-id", String(e.id));
    var time = document.createElement("time");
    time.setAttribute("datetime", e.occurred_at);
    time.textContent = e.occurred_label;
    li.appendChild(time);
    li.appendChild(document.createTextNode(" "));
    if (e.link) {
      var a = document.createElement("a");
      a.href = e.link;
      a.textContent = e.title;
      li.appendChild(a);
    } else {
      li.appendChild(document.createTextNode(e.title));
    }
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > MAX_ITEMS) { feed.removeChild(feed.lastChild); }
  });

  source.addEventListener("summary", function (message) {
    var data = JSON.parse(message.data);
    root.setAttribute("data-summary", String(data.summary));
    data.tiles.forEach(function (t) {
      var tile = document.querySelector('.ioc-tile[data-key="' + t.key + '"]');
      if (!tile) { return; }
      tile.querySelector('[data-part="value"]').textContent = t.display;
      tile.querySelector('[data-part="note"]').textContent = t.available ? t.note : "";
      tile.className = "ioc-tile" + (t.tone ? " tone-" + t.tone : "") + (t.available ? "" : " no-data");
    });
    if (computed && data.computed_label) { computed.textContent = data.computed_label; }
  });
})();
