/* orderdesk workspace: keyboard shortcuts and the clocks. No inline script anywhere: everything
   the page needs is declared with data-* attributes and handled here. */
(function () {
  "use strict";

  // Where a key types text; a select, a checkbox or a button does not take the shortcuts away
  // (Escape leaves a text field: shift.js).
  var NOT_TYPED = { checkbox: 1, radio: 1, button: 1, submit: 1, reset: 1 };
  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    if (tag === "INPUT") return !NOT_TYPED[(target.type || "").toLowerCase()];
    return tag === "TEXTAREA" || target.isContentEditable;
  }

  // A key press clicks the visible, enabled element carrying data-key="<key>".
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    var candidates = document.querySelectorAll('[data-key="' + CSS.escape(key) + '"]');
    for (var i = 0; i < candidates.length; i++) {
      var el = candidates[i];
      if (el.disabled || el.getAttribute("aria-disabled") === "true" || el.offsetParent === null) continue;
      event.preventDefault();
      if (el.tagName === "DETAILS") { el.open = true; var first = el.querySelector("input, select, textarea, button"); if (first) first.focus(); }
      else if (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA") el.focus();
      else el.click();
      return;
    }
  });

  // Elements with data-since="<ISO datetime>" show the time elapsed since then (mm:ss or h:mm:ss).
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function elapsed(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s);
  }
  // Elements with data-timezone="<IANA zone>" show the current time in that zone.
  // The server's clock is the reference (the operator's PC may be off): the difference is
  // measured once, from the time the page was rendered.
  var skew = 0;
  function measureSkew() {
    var server = Date.parse(document.body.getAttribute("data-server-now") || "");
    if (!isNaN(server)) skew = server - Date.now();
  }
  function now() { return Date.now() + skew; }
  function localTime(zone, lang) {
    try {
      return new Intl.DateTimeFormat(lang || undefined, { hour: "2-digit", minute: "2-digit", timeZone: zone }).format(new Date(now()));
    } catch (e) { return null; }
  }
  function tick() {
    var current = now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (!isNaN(since)) el.textContent = elapsed((current - since) / 1000);
    });
    document.querySelectorAll("[data-timezone]").forEach(function (el) {
      var text = localTime(el.getAttribute("data-timezone"), document.documentElement.lang);
      if (text) el.textContent = text;
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", function () { measureSkew(); tick(); });
  document.addEventListener("htmx:afterSettle", tick);

  // The live board refreshes itself; a refresh must not throw away a choice being made in it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var board = document.getElementById("live-board");
    if (!board || event.detail.elt !== board) return;
    var active = document.activeElement;
    if (active && board.contains(active) && active.tagName === "SELECT") event.preventDefault();
  });
})();
