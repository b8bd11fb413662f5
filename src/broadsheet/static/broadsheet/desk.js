// The moderation desk: one-key decisions and the htmx answers' loose ends.
// Everything here is an extra: without JavaScript every action is a plain form.
(function () {
  "use strict";

  var desk = document.getElementById("desk");
  if (!desk) return;

  if (window.htmx) {
    // Refusals (400: bad input, 409: someone else decided first) come back as the comment
    // with the reason shown; swap them in like a success instead of dropping them.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "400", swap: true, error: false },
      { code: "409", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false },
    ];
  }

  var status = document.getElementById("desk-status");
  function say(message, isError) {
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("is-error", !!isError);
    status.classList.toggle("is-success", !isError);
  }

  // Extras that only make sense with JavaScript stay hidden until now.
  desk.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  var legend = document.getElementById("desk-keys");
  function remember(name, value) {
    try { window.localStorage.setItem(name, value); } catch (e) { /* private mode */ }
  }
  try {
    if (legend && window.localStorage.getItem("desk-keys-hidden") === "1") legend.hidden = true;
  } catch (e) { /* storage refused: keep the legend shown */ }

  // Filters apply as soon as a box changes; the Show button remains for keyboards.
  desk.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });

  // --- Selection ------------------------------------------------------------------------
  function items() {
    return Array.prototype.slice.call(desk.querySelectorAll(".desk-item:not([data-decided])"));
  }
  var currentId = null;

  function current() {
    if (currentId === null) return null;
    var el = document.getElementById("item-" + currentId);
    return el && !el.hasAttribute("data-decided") ? el : null;
  }

  function select(el, scroll) {
    desk.querySelectorAll(".desk-item.is-current").forEach(function (old) {
      old.classList.remove("is-current");
      old.removeAttribute("aria-current");
    });
    if (!el) { currentId = null; return; }
    currentId = el.getAttribute("data-comment-id");
    el.classList.add("is-current");
    el.setAttribute("aria-current", "true");
    if (scroll !== false) el.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var index = list.indexOf(current());
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1)
      : Math.max(0, Math.min(list.length - 1, index + step));
    select(list[next]);
  }

  // After a decision replaces the selected item, carry on with the next undecided one.
  function selectAfter(decided) {
    var node = decided.nextElementSibling;
    while (node && (!node.classList.contains("desk-item") || node.hasAttribute("data-decided"))) {
      node = node.nextElementSibling;
    }
    select(node, true);
  }

  desk.addEventListener("click", function (event) {
    var item = event.target.closest(".desk-item:not([data-decided])");
    if (item) select(item, false);
  });

  // --- Keys -----------------------------------------------------------------------------
  function isTyping(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable], [contenteditable=''], [contenteditable='true']")
      && !(target.matches("input[type=checkbox], input[type=radio]"));
  }

  function openReject(item) {
    var details = item.querySelector("details.desk-reject");
    if (!details) return;
    details.open = true;
    var first = details.querySelector("button[data-key]");
    if (first) first.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var key = event.key;
    var item = current();

    if (key === "Escape") {
      var open = desk.querySelector("details.desk-reject[open]");
      if (open) { open.open = false; if (item) item.focus({ preventScroll: true }); }
      return;
    }
    if (/^[1-9]$/.test(key)) {
      var chooser = (item && item.querySelector("details.desk-reject[open]"))
        || desk.querySelector("details.desk-reject[open]");
      if (!chooser) return;
      var choice = chooser.querySelector('button[data-key="' + key + '"]');
      if (choice) { event.preventDefault(); choice.click(); }
      return;
    }
    if (key === "j") { event.preventDefault(); move(1); return; }
    if (key === "k") { event.preventDefault(); move(-1); return; }
    if (key === "?") {
      if (legend) {
        legend.hidden = !legend.hidden;
        remember("desk-keys-hidden", legend.hidden ? "1" : "0");
      }
      return;
    }
    if (!item) return;

    if (key === "a") {
      var approve = item.querySelector('form[data-action="approve"]');
      if (approve) { event.preventDefault(); approve.requestSubmit(); }
    } else if (key === "r") {
      event.preventDefault();
      openReject(item);
    } else if (key === "e") {
      var edit = item.querySelector('[data-action="edit"]');
      if (edit) { event.preventDefault(); edit.click(); }
    } else if (key === "x") {
      var box = item.querySelector('input[type=checkbox][name="ids"]');
      if (box) { event.preventDefault(); box.checked = !box.checked; }
    } else if (key === "o") {
      var history = item.querySelector('[data-action="open"]');
      if (history) { event.preventDefault(); history.click(); }
    }
  });

  // --- Bulk -----------------------------------------------------------------------------
  var selectAll = desk.querySelector("[data-select-all]");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      desk.querySelectorAll('.desk-item:not([data-decided]) input[name="ids"]').forEach(function (box) {
        box.checked = selectAll.checked;
      });
    });
  }

  // --- htmx answers ---------------------------------------------------------------------
  // A swapped-in item is a new element: keep (or move on from) the moderator's selection.
  function restoreSelection() {
    if (currentId === null) return;
    var el = document.getElementById("item-" + currentId);
    if (!el) { currentId = null; return; }
    if (el.hasAttribute("data-decided")) selectAfter(el);
    else if (!el.classList.contains("is-current")) select(el, false);
  }
  document.body.addEventListener("htmx:load", restoreSelection);
  document.body.addEventListener("htmx:afterSettle", restoreSelection);

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "queue-list") {
      var empty = target.querySelector(".desk-empty");
      if (empty && target.querySelector(".desk-item")) empty.remove();
    }
  });

  document.body.addEventListener("htmx:oobAfterSwap", function () {
    if (selectAll) selectAll.checked = false;
  });

  function saying(name) {
    var desk = document.getElementById("desk");
    return (desk && desk.dataset[name]) || "";
  }

  document.body.addEventListener("htmx:responseError", function (event) {
    var code = event.detail.xhr ? event.detail.xhr.status : 0;
    // The messages come in the desk's language from data attributes on #desk.
    if (code === 403) say(saying("sayForbidden"), true);
    else if (code === 404) say(saying("sayMissing"), true);
    else say(saying("sayError").replace("{code}", code), true);
  });

  // The poller asks only while the tab is seen. Checked here rather than in an hx-trigger
  // filter, which htmx would evaluate as a string: the Content-Security-Policy forbids that.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "desk-poller" && document.visibilityState !== "visible") {
      event.preventDefault();
    }
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    // A poll that fails is retried in five seconds; only say so when a moderator acted.
    if (event.detail.elt && event.detail.elt.id === "desk-poller") return;
    say(saying("sayOffline"), true);
  });
})();
