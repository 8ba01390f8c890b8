// The agent workspace: bulk selection, presence, the newer-message warning, keeping the scroll
// position across htmx swaps, and keyboard shortcuts (press ? for the list).
// No inline scripts anywhere: CSP is script-src 'self'.
(function () {
  "use strict";

  // --- keep the reader where they were when htmx replaces the workspace ------------------------
  var scrollY = null;
  document.addEventListener("htmx:beforeSwap", function () { scrollY = window.scrollY; });
  document.addEventListener("htmx:afterSettle", function () {
    if (scrollY !== null && !document.querySelector(".has-error")) {
      window.scrollTo(0, scrollY);
    }
    scrollY = null;
    wireWorkspace();
  });

  // --- bulk selection on the queue -----------------------------------------------------------------
  function selectedCount() {
    return document.querySelectorAll("input[name=ids][form=bulk-form]:checked").length;
  }
  function updateBulk() {
    var label = document.getElementById("bulk-count");
    if (!label) { return; }
    var all = document.getElementById("bulk-all-matching");
    var n = selectedCount();
    label.textContent = all && all.checked ? "Every ticket matching the filter is selected"
      : n ? n + " selected" : "Select tickets for a bulk action";
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=ids][form=bulk-form]").forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("[data-select-all], input[name=ids], #bulk-all-matching")) { updateBulk(); }
  });

  // Remember the queue's order so the ticket page can go to the next and previous ticket.
  function rememberQueue() {
    var links = document.querySelectorAll("#queue-table [data-ticket-link]");
    if (!links.length) { return; }
    var ids = Array.prototype.map.call(links, function (a) { return a.getAttribute("href"); });
    try { sessionStorage.setItem("helpdesk.queue", JSON.stringify(ids)); } catch (e) { /* private mode */ }
  }

  // --- presence and typing on the ticket page -----------------------------------------------------
  var present = {};
  var myState = "viewing";
  var typingTimer = null;

  function send(message) { document.dispatchEvent(new CustomEvent("live:send", { detail: message })); }
  function setState(state) {
    if (state !== myState) { myState = state; send({ type: "presence", state: state }); }
  }
  function renderPresence() {
    var box = document.getElementById("presence");
    if (!box) { return; }
    var parts = Object.keys(present).map(function (id) {
      var p = present[id];
      return p.state === "typing" ? p.name + " is typing a reply" : p.name + " is viewing";
    });
    box.textContent = parts.join(" · ");
    box.classList.toggle("active", parts.length > 0);
  }
  document.addEventListener("live:presence", function (event) {
    var data = event.detail;
    if (data.state === "left") { delete present[data.user_id]; }
    else { present[data.user_id] = { name: data.name, state: data.state }; }
    renderPresence();
  });
  document.addEventListener("live:open", function () { present = {}; myState = "viewing"; renderPresence(); });
  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-typing]")) { return; }
    setState("typing");
    window.clearTimeout(typingTimer);
    typingTimer = window.setTimeout(function () { setState("viewing"); }, 5000);
  });

  // --- a newer message arrived while writing -------------------------------------------------------
  function wireWorkspace() {
    renderPresence();
    var conversation = document.getElementById("conversation");
    var form = document.getElementById("reply-form");
    if (!conversation || !form || conversation.dataset.watched) { return; }
    conversation.dataset.watched = "1";
    var seen = parseInt(form.dataset.seen, 10) || 0;
    new MutationObserver(function (mutations) {
      mutations.forEach(function (m) {
        m.addedNodes.forEach(function (node) {
          var id = node.id && node.id.indexOf("message-") === 0 ? parseInt(node.id.slice(8), 10) : 0;
          var warning = document.getElementById("newer-warning");
          if (id > seen && warning && !node.classList.contains("mine")) { warning.hidden = false; }
        });
      });
    }).observe(conversation, { childList: true });
  }

  // --- keyboard shortcuts ---------------------------------------------------------------------------
  function typingInField(event) {
    var t = event.target;
    return t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName);
  }
  function neighbour(step) {
    var ids;
    try { ids = JSON.parse(sessionStorage.getItem("helpdesk.queue") || "[]"); } catch (e) { ids = []; }
    var rows = document.querySelectorAll("#queue-table [data-ticket-link]");
    if (rows.length) {  // on the queue: move the focus along the rows
      var links = Array.prototype.slice.call(rows);
      var at = links.indexOf(document.activeElement);
      var next = links[Math.min(links.length - 1, Math.max(0, at + step))] || links[0];
      next.focus();
      return;
    }
    var here = ids.indexOf(location.pathname);
    if (here !== -1 && ids[here + step]) { location.href = ids[here + step]; }
  }
  function click(selector) {
    var el = document.querySelector(selector);
    if (el) { el.click(); }
    return el;
  }
  function focusOn(selector) {
    var el = document.querySelector(selector);
    if (el) { el.scrollIntoView({ block: "center" }); el.focus(); }
    return el;
  }
  var KEYS = {
    "j": function () { neighbour(1); },
    "k": function () { neighbour(-1); },
    "r": function () { focusOn("[data-shortcut-reply]"); },
    "n": function () { focusOn("#id_note-body"); },
    "a": function () { click("[data-shortcut-take]"); },
    "s": function () {
      var summary = document.querySelector("[data-shortcut-resolve]");
      if (summary) { summary.parentElement.open = true; focusOn("#id_resolve-reason"); }
    },
    "/": function () { focusOn("[data-shortcut-search]"); },
    "?": function () {
      var dialog = document.getElementById("shortcuts");
      if (dialog && dialog.showModal && !dialog.open) { dialog.showModal(); }
    }
  };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typingInField(event)) { return; }
    var handler = KEYS[event.key];
    if (handler) { event.preventDefault(); handler(); }
  });

  function ready() { rememberQueue(); updateBulk(); wireWorkspace(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
