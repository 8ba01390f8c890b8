// Live updates over the /ws/queue/ socket (helpdesk/consumers.py): queue rows, conversation, history,
// status badges and the notification counter change in place as events arrive, with a notice in the
// aria-live region. No inline scripts anywhere: CSP is script-src 'self'.
(function () {
  "use strict";

  var body = document.body;
  if (!body || body.dataset.liveSince === undefined || !("WebSocket" in window)) {
    return;
  }

  var cursor = parseInt(body.dataset.liveSince, 10) || 0; // the newest event this page reflects
  var socket = null;
  var retries = 0;
  var reconnecting = false;
  var noticeTimer = null;
  var NOTICE_MS = 7000;
  var SIGNED_OUT = [4401, 4403];

  // --- what this page shows ------------------------------------------------------------------

  function describePage() {
    var queue = document.getElementById("queue-table");
    if (queue && queue.dataset.liveQueue !== undefined) {
      return { view: "queue", query: location.search };
    }
    var workspace = document.getElementById("workspace");
    if (workspace && workspace.dataset.liveTicket) {
      return { view: "ticket", ticket: parseInt(workspace.dataset.liveTicket, 10) };
    }
    var portal = document.getElementById("portal-ticket");
    if (portal && portal.dataset.liveTicket) {
      return { view: "portal", ticket: parseInt(portal.dataset.liveTicket, 10) };
    }
    return { view: "page" };
  }

  // --- the socket ------------------------------------------------------------------------------

  function subscribe() {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return;
    }
    var message = describePage();
    message.type = "subscribe";
    message.last_event_id = cursor;
    socket.send(JSON.stringify(message));
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/queue/");
    socket.addEventListener("open", function () {
      retries = 0;
      body.dataset.liveState = "open";
      subscribe();
      document.dispatchEvent(new CustomEvent("live:open"));
    });
    socket.addEventListener("message", function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      handle(data);
    });
    socket.addEventListener("close", function (event) {
      body.dataset.liveState = "closed";
      if (SIGNED_OUT.indexOf(event.code) !== -1) {
        return;
      }
      // Back off (1 s, 2 s, 4 s ... 30 s, with jitter) and catch up from `cursor` when back.
      reconnecting = true;
      var delay = Math.min(30000, 1000 * Math.pow(2, retries)) * (0.5 + Math.random() / 2);
      retries += 1;
      window.setTimeout(connect, delay);
    });
  }

  // While an htmx request is in flight (the user's own reply, a filter change) its response is about
  // to replace the same elements: hold events until it has settled, then apply them in order.
  var inFlight = 0;
  var held = [];

  // Other scripts (presence on the ticket page) talk over this socket through DOM events.
  document.addEventListener("live:send", function (event) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(event.detail));
    }
  });

  function handle(data) {
    if (data.type === "presence") {
      document.dispatchEvent(new CustomEvent("live:presence", { detail: data }));
      return;
    }
    if (inFlight > 0 && data.type === "event") {
      held.push(data);
      return;
    }
    if (data.type === "event") {
      cursor = Math.max(cursor, data.id);
      (data.ops || []).forEach(apply);
      if (data.notice) {
        announce(data.notice);
      }
    } else if (data.type === "caught-up") {
      cursor = Math.max(cursor, data.cursor);
      if (reconnecting && data.count) {
        announce(data.count + (data.count === 1 ? " update" : " updates") + " arrived while the connection was down.");
      }
      reconnecting = false;
    } else if (data.type === "reload") {
      cursor = data.cursor;
      reconnecting = false;
      refreshPage();
    }
    body.dataset.liveCursor = cursor;
  }

  // --- applying operations -----------------------------------------------------------------------

  var OPS = {
    row: function (op) { upsertRow(op.ticket, op.html); },
    remove: function (op) { removeRow(op.ticket); },
    badges: function (op) { replaceById("ticket-badges", op.html); },
    status: function (op) { replaceById("ticket-status", op.html); },
    history: function (op) { appendOnce(document.querySelector("#event-log .timeline"), op.id, op.html); },
    message: function (op) { appendOnce(document.getElementById("conversation"), op.id, op.html); },
    gone: function () {
      var workspace = document.getElementById("workspace");
      if (workspace) {
        workspace.classList.add("live-gone");
      }
    },
    bell: function (op) { setBell(op.count); }
  };

  function apply(op) {
    var handler = OPS[op.op];
    if (handler) {
      handler(op);
    }
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function activate(node) {
    if (window.htmx) {
      window.htmx.process(node);
    }
  }

  function replaceById(id, html) {
    var existing = document.getElementById(id);
    if (existing) {
      var node = fragment(html);
      existing.replaceWith(node);
      activate(node);
    }
  }

  function appendOnce(container, id, html) {
    if (!container || document.getElementById(id)) {
      return;
    }
    var node = fragment(html);
    node.classList.add("live-new");
    container.appendChild(node);
    activate(node);
  }

  function setBell(count) {
    var counter = document.getElementById("unread-count");
    if (!counter) {
      return;
    }
    counter.textContent = count;
    counter.classList.toggle("zero", !count);
    var bell = document.getElementById("bell");
    if (bell) {
      bell.setAttribute("aria-label", "Notifications: " + count + " unread");
    }
  }

  function announce(text) {
    var notice = document.getElementById("live-notice");
    if (!notice) {
      return;
    }
    notice.textContent = text;
    notice.classList.add("visible");
    window.clearTimeout(noticeTimer);
    noticeTimer = window.setTimeout(function () { notice.classList.remove("visible"); }, NOTICE_MS);
  }

  // --- queue rows in the page's sort order (helpdesk.selectors.agent_queue) ------------------------

  function number(value) {
    return value === undefined || value === "" ? null : parseFloat(value);
  }

  function sortKeys(row) {
    return {
      score: number(row.dataset.score),
      sla: number(row.dataset.sla),
      created: number(row.dataset.created),
      id: parseInt(row.id.replace("ticket-row-", ""), 10)
    };
  }

  // Missing values sort last in both directions, as in the database query.
  function ascending(a, b) {
    if (a === b) { return 0; }
    if (a === null) { return 1; }
    if (b === null) { return -1; }
    return a - b;
  }

  function descending(a, b) {
    if (a === b) { return 0; }
    if (a === null) { return 1; }
    if (b === null) { return -1; }
    return b - a;
  }

  var ORDERS = {
    priority: function (a, b) { return descending(a.score, b.score) || ascending(a.created, b.created) || a.id - b.id; },
    sla: function (a, b) { return ascending(a.sla, b.sla) || descending(a.score, b.score) || a.id - b.id; },
    newest: function (a, b) { return descending(a.created, b.created) || a.id - b.id; },
    oldest: function (a, b) { return ascending(a.created, b.created) || a.id - b.id; }
  };

  function refreshQueue() {
    if (window.htmx) {
      window.htmx.ajax("GET", location.pathname + location.search, {
        target: "#queue-table", select: "#queue-table", swap: "outerHTML"
      });
    } else {
      location.reload();
    }
  }

  function upsertRow(ticketId, html) {
    var table = document.getElementById("queue-table");
    var tbody = table && table.querySelector("tbody");
    if (!table) {
      return;
    }
    if (!tbody) {
      refreshQueue(); // the empty queue has no table yet: fetch it, with this row in it
      return;
    }
    var row = fragment(html);
    var existing = document.getElementById("ticket-row-" + ticketId);
    var compare = ORDERS[new URLSearchParams(location.search).get("sort")] || ORDERS.priority;
    var keys = sortKeys(row);
    var others = Array.prototype.filter.call(tbody.rows, function (other) { return other !== existing; });
    var before = null;
    for (var i = 0; i < others.length; i += 1) {
      if (compare(keys, sortKeys(others[i])) < 0) {
        before = others[i];
        break;
      }
    }
    // A row that sorts past either end of a page that has neighbours belongs on another page.
    var pager = table.querySelector(".pager");
    var laterPage = before === null && pager && pager.querySelector("a[rel=next]");
    var earlierPage = others.length && before === others[0] && pager && pager.querySelector("a[rel=prev]");
    if (laterPage || earlierPage) {
      removeRow(ticketId);
      return;
    }
    var hadFocus = existing && existing.contains(document.activeElement);
    if (existing) {
      existing.remove();
    }
    row.classList.add(existing ? "live-changed" : "live-new");
    tbody.insertBefore(row, before);
    activate(row);
    if (hadFocus) {
      row.querySelector("a").focus();
    }
  }

  function removeRow(ticketId) {
    var existing = document.getElementById("ticket-row-" + ticketId);
    if (existing) {
      existing.remove();
    }
  }

  function refreshPage() {
    if (document.getElementById("queue-table")) {
      refreshQueue();
      return;
    }
    var typing = Array.prototype.some.call(document.querySelectorAll("textarea"), function (area) {
      return area.value.trim() !== "";
    });
    if (typing) {
      announce("Some updates could not be shown. Reload the page to see everything.");
    } else {
      location.reload();
    }
  }

  var HOLD_AT_MOST_MS = 10000; // a request that never reports back must not stop live updates

  function requestStarted() {
    inFlight += 1;
    window.setTimeout(function () {
      if (inFlight > 0) {
        inFlight = 1;
        requestEnded();
      }
    }, HOLD_AT_MOST_MS);
  }

  function requestEnded() {
    inFlight = Math.max(0, inFlight - 1);
    if (inFlight === 0) {
      held.splice(0).forEach(handle);
    }
  }

  document.addEventListener("htmx:beforeRequest", requestStarted);
  // afterRequest fires for every request; the swap (if any) has happened by the next tick.
  document.addEventListener("htmx:afterRequest", function () { window.setTimeout(requestEnded, 0); });

  // The queue filters swap the table and push a new URL: tell the server what is shown now.
  document.addEventListener("htmx:pushedIntoHistory", subscribe);
  document.addEventListener("htmx:historyRestore", subscribe);

  connect();
})();
