/* orderdesk workspace: the shift's pace. Escape leaves a field, `?` lists the keys, `9` confirms
   every order not marked cancel, `0` ends the conversation (talk → wrap-up), the progressive
   countdown to the next call (`p` holds it). Declared with data-* attributes, no inline script. */
(function () {
  "use strict";

  var NOT_TYPED = { checkbox: 1, radio: 1, button: 1, submit: 1, reset: 1 };
  function textField(el) {
    if (!el) return false;
    if (el.tagName === "INPUT") return !NOT_TYPED[(el.type || "").toLowerCase()];
    return el.tagName === "TEXTAREA" || el.isContentEditable;
  }
  function plain(event) { return !(event.ctrlKey || event.metaKey || event.altKey); }

  // Escape leaves a field (text, select, checkbox): the keys are live again.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var el = event.target;
    if (el && el !== document.body && typeof el.blur === "function" && el.tagName !== "DIALOG") el.blur();
  });

  // `?` opens the list of keys (the header's button carries data-key="?").
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("#keys-help-open");
    if (!opener) return;
    var dialog = document.getElementById("keys-help");
    if (dialog && !dialog.open) dialog.showModal();
  });

  // `9`: every order not marked cancel is set to confirm. When a decision changed, the checklist
  // is asked again first and Confirm is pressed only if it then passes (else the checklist says
  // why, in view). With every decision already made, the Confirm button's own key does it.
  // false, or the checklist request the key asked for once it is sent: only that request's
  // answer may press Confirm (an earlier edit's checklist, settling just after the key, may not).
  var confirmWhenChecked = false;
  window.addEventListener("keydown", function (event) {
    if (event.key !== "9" || !plain(event) || textField(event.target)) return;
    var form = document.getElementById("outcome-form");
    if (!form) return;
    var changed = null;
    form.querySelectorAll('select[name^="decision_"]').forEach(function (select) {
      if (select.value !== "cancel" && select.value !== "confirm") { select.value = "confirm"; changed = select; }
    });
    if (!changed) {
      var button = document.getElementById("confirm-button");
      if (button && button.disabled) { event.preventDefault(); showChecklist(); }
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    confirmWhenChecked = "asked";
    changed.dispatchEvent(new Event("change", { bubbles: true }));
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (confirmWhenChecked === "asked" && source && source.id === "checklist") {
      confirmWhenChecked = event.detail.xhr;
    }
  });

  function showChecklist() {
    var checklist = document.getElementById("checklist");
    if (!checklist) return;
    checklist.classList.add("attention");
    checklist.scrollIntoView({ block: "nearest" });
    setTimeout(function () { checklist.classList.remove("attention"); }, 1500);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!confirmWhenChecked || confirmWhenChecked === "asked") return;
    var target = event.detail && event.detail.elt;
    if (!target || target.id !== "checklist" || event.detail.xhr !== confirmWhenChecked) return;
    confirmWhenChecked = false;
    var button = document.getElementById("confirm-button");
    if (button && !button.disabled) button.click();
    else showChecklist();
  });

  // The server's clock is the reference (as for the other clocks of the page).
  var skew = 0;
  function now() { return Date.now() + skew; }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s);
  }

  // Talk and wrap-up: the talk runs from the claim until `0` (conversation over), then the
  // wrap-up runs until the outcome; the moment is sent with the outcome (talk_ended_at) and kept
  // for this call across a reload of the page.
  function talkEndKey() {
    var timers = document.getElementById("call-timers");
    return timers ? "orderdesk:talk-end:" + timers.getAttribute("data-lease") : null;
  }
  function talkEnd() {
    var key = talkEndKey();
    var value = key ? sessionStorage.getItem(key) : null;
    return value ? Number(value) : null;
  }
  function timersTick() {
    var talk = document.getElementById("talk-timer");
    if (!talk) return;
    var since = Date.parse(talk.getAttribute("data-talk-since"));
    var ended = talkEnd();
    var input = document.getElementById("talk-ended-at");
    if (!isNaN(since)) talk.textContent = clock(((ended || now()) - since) / 1000);
    var wrap = document.getElementById("wrap-timer");
    if (wrap) wrap.textContent = ended ? clock((now() - ended) / 1000) : "—";
    if (input) input.value = ended ? new Date(ended).toISOString() : "";
    var button = document.getElementById("talk-end");
    if (button && ended) { button.disabled = true; button.setAttribute("aria-disabled", "true"); }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#talk-end");
    var key = talkEndKey();
    if (!button || !key || talkEnd()) return;
    sessionStorage.setItem(key, String(now()));
    timersTick();
  });

  // The progressive countdown: at zero the next call is taken (the element named by
  // data-countdown-click is clicked); `p` holds it and lets it come again.
  var held = false;
  function countdownTick() {
    var countdown = document.querySelector("[data-countdown]");
    if (!countdown || held) return;
    var left = Number(countdown.getAttribute("data-countdown")) - 1;
    countdown.setAttribute("data-countdown", String(Math.max(0, left)));
    var shown = countdown.querySelector("[data-countdown-left]");
    if (shown) shown.textContent = String(Math.max(0, left));
    if (left <= 0) {
      var target = document.querySelector(countdown.getAttribute("data-countdown-click"));
      countdown.removeAttribute("data-countdown");
      if (target && !target.disabled) target.click();
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-countdown-hold]");
    if (!button) return;
    var countdown = document.querySelector(button.getAttribute("data-countdown-hold"));
    if (!countdown) return;
    held = !held;
    countdown.classList.toggle("held", held);
    var text = countdown.querySelector("[data-countdown-held-text]");
    if (text) text.hidden = !held;
    button.setAttribute("aria-pressed", held ? "true" : "false");
  });

  document.addEventListener("DOMContentLoaded", function () {
    var server = Date.parse(document.body.getAttribute("data-server-now") || "");
    if (!isNaN(server)) skew = server - Date.now();
    timersTick();
    setInterval(function () { timersTick(); countdownTick(); }, 1000);
  });
})();
