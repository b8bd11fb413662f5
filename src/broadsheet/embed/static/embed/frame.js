/* Inside the frame: tell the host page our height, take its theme variables, sign the reader
 * in through a popup on this site (embed/signin.py says why), and reply and view more in place.
 * Without this script every link and form still works by reloading the frame. */
(function () {
  "use strict";
  var framed = window.parent !== window;
  var SAFE = /^[-#(),.%\w\s"']{1,80}$/;
  var FAILED = document.body.getAttribute("data-bs-failed");  // in the frame's language
  var SWAPPED = [400, 403, 429];  // a form again with what is wrong, in place
  var popup = null;

  function report() {
    if (!framed) return;
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
    if (framed && event.source === window.parent) theme(data);
    else if (popup && event.source === popup && event.origin === location.origin) signedIn(data);
  });

  /* In place: a few lines of our own rather than a library, to keep the embed small. A request
   * carrying X-Broadsheet-Fragment is answered with only the part that changes (embed/replies.py);
   * parts marked data-bs-oob update the element with their id elsewhere in the frame. */
  function fragment(url, options, done, failed) {
    options.headers = {"X-Broadsheet-Fragment": "1"};
    options.credentials = "same-origin";
    fetch(url, options).then(function (response) {
      var html = /^text\/html/.test(response.headers.get("Content-Type") || "");
      return response.text().then(function (text) {
        if (!html) throw {shown: response.status < 500 ? text : ""};
        if (!response.ok && SWAPPED.indexOf(response.status) < 0) throw {};
        var parsed = document.createElement("template");
        parsed.innerHTML = text;
        [].slice.call(parsed.content.querySelectorAll("[data-bs-oob]")).forEach(function (part) {
          var old = document.getElementById(part.id);
          part.remove();
          if (!old) return;
          if (old.tagName === "INPUT") old.value = part.value;
          else old.replaceChildren.apply(old, [].slice.call(part.childNodes));
        });
        done(parsed.content);
      });
    }).catch(function (error) { failed((error && error.shown) || FAILED); });
  }

  function alertIn(place, message) {
    var note = place.querySelector(".bs-failed") || place.appendChild(document.createElement("p"));
    note.className = "bs-error bs-failed";
    note.setAttribute("role", "alert");
    note.textContent = message;
  }

  function focusOn(element) {
    if (!element) return;
    if (element.tagName === "LI") element.setAttribute("tabindex", "-1");
    element.focus();
  }

  function withMine(address) {
    var url = new URL(address, location.href);
    var mine = document.getElementById("bs-mine");
    if (mine && mine.value) url.searchParams.set("mine", mine.value);
    return url;
  }

  function fill(slot, content) {
    slot.replaceChildren(content);
    slot.removeAttribute("aria-busy");
    focusOn(slot.querySelector("[aria-invalid=true]") ||
            slot.querySelector("textarea, input:not([type=hidden]), li"));
  }

  function openReply(link) {
    var slot = link.closest("article").querySelector(".bs-reply-slot");
    if (slot.querySelector("form")) return focusOn(slot.querySelector("textarea"));
    slot.setAttribute("aria-busy", "true");
    fragment(withMine(link.getAttribute("data-bs-reply")), {}, fill.bind(null, slot),
      function (message) { slot.removeAttribute("aria-busy"); alertIn(slot, message); });
  }

  function postReply(form) {
    var button = form.querySelector("[type=submit]");
    if (button.disabled) return;
    button.disabled = true;
    fragment(form.action, {method: "POST", body: new FormData(form)},
      fill.bind(null, form.closest(".bs-reply-slot")),
      function (message) { button.disabled = false; alertIn(form, message); });
  }

  /* The next page's threads replace the "View more" item; focus goes to the first of them. */
  function viewMore(link) {
    var item = link.closest("li");
    var threads = item.parentNode;
    var first = [].indexOf.call(threads.children, item);
    fragment(withMine(link.href), {}, function (content) {
      item.replaceWith(content);
      focusOn(threads.children[first]);
    }, function (message) { alertIn(item, message); });
  }

  document.addEventListener("submit", function (event) {
    if (!event.target.matches(".bs-reply-slot form")) return;
    event.preventDefault();
    postReply(event.target);
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    var cancel = target.closest("[data-bs-cancel]");
    var reply = target.closest("a[data-bs-reply]");
    var more = target.closest("a[data-bs-more]");
    var link = target.closest("a[data-bs-sign-in]");
    if (cancel) {
      var article = cancel.closest("article");
      cancel.closest(".bs-reply-slot").replaceChildren();
      article.querySelector("a[data-bs-reply]").focus();
    } else if ((reply || more) && !(event.ctrlKey || event.metaKey || event.shiftKey)) {
      event.preventDefault();
      if (reply) openReply(reply);
      else viewMore(more);
    } else if (link) {
      popup = window.open(link.href, "broadsheet-sign-in", "popup,width=520,height=680");
      if (popup) event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (framed) window.parent.postMessage({broadsheet: "ready"}, "*");
    report();
    if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
    if (location.hash) {
      var target = document.getElementById(location.hash.slice(1));
      if (target) target.focus({preventScroll: true});
    }
  });
})();
