/* Inside the frame: tell the host page our height, take its theme variables, and sign the
 * reader in through a popup on this site (embed/signin.py says why). */
(function () {
  "use strict";
  if (window.parent === window) return;
  var SAFE = /^[-#(),.%\w\s"']{1,80}$/;
  var popup = null;

  function report() {
    var height = document.documentElement.scrollHeight;
    window.parent.postMessage({broadsheet: "height", height: height}, "*");
  }

  function theme(data) {
    if (data.broadsheet !== "theme" || typeof data.theme !== "object") return;
    Object.keys(data.theme).forEach(function (name) {
      var value = String(data.theme[name]);
      if (/^[a-z]+$/.test(name) && SAFE.test(value) && value.indexOf("url") === -1) {
        document.documentElement.style.setProperty("--bs-" + name, value);
      }
    });
    report();
  }

  /* The popup's one-time code, traded for this frame's own session (a partitioned cookie). */
  function signedIn(data) {
    var form = document.getElementById("bs-session");
    if (data.broadsheet !== "signed-in" || !form) return;
    var body = new FormData(form);
    body.set("code", String(data.code));
    fetch(form.action, {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.frame) location.replace(answer.frame);
        else document.querySelector(".bs-notice").textContent = answer.error || "";
      });
  }

  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (event.source === window.parent) theme(data);
    else if (popup && event.source === popup && event.origin === location.origin) signedIn(data);
  });

  /* A reply form opened in place (htmx): Cancel closes it; focus follows what was swapped in. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.target;
    if (!slot.classList || !slot.classList.contains("bs-reply-slot")) return;
    var first = slot.querySelector("[aria-invalid=true], textarea, input:not([type=hidden]), li");
    if (!first) return;
    if (first.tagName === "LI") first.setAttribute("tabindex", "-1");
    first.focus();
  });

  /* "View more" in place: focus moves to the first of the comments it added. */
  var moreFrom = -1;
  function threads() { return document.querySelectorAll("#bs-threads > li.bs-comment"); }
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "bs-more") moreFrom = threads().length;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var first = moreFrom >= 0 ? threads()[moreFrom] : null;
    moreFrom = -1;
    if (!first) return;
    first.setAttribute("tabindex", "-1");
    first.focus();
  });

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-bs-cancel]");
    if (cancel) {
      cancel.closest(".bs-reply-slot").innerHTML = "";
      return;
    }
    var link = event.target.closest && event.target.closest("a[data-bs-sign-in]");
    if (!link) return;
    popup = window.open(link.href, "broadsheet-sign-in", "popup,width=520,height=680");
    if (popup) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    window.parent.postMessage({broadsheet: "ready"}, "*");
    report();
    if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
    if (location.hash) {
      var target = document.getElementById(location.hash.slice(1));
      if (target) target.focus({preventScroll: true});
    }
  });
})();
