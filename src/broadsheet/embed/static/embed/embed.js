/* Broadsheet comments for any site. The host page needs:
 *   <div id="broadsheet-comments" data-url="..." data-title="..." [data-summary="..."]
 *        [data-lang="..."]></div>  (else the page's <html lang>: the frame's language)
 *   <script src="https://comments.example/embed.js" async></script>
 * The comments are drawn in an iframe served by Broadsheet; this script only finds (or
 * creates) the story, places the frame, sizes it and hands it the host's theme variables.
 * No cookies, no requests anywhere but the Broadsheet site. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src).origin;
  var THEME = ["accent", "text", "muted", "background", "surface", "border", "font", "radius"];

  function theme(host) {
    var style = getComputedStyle(host), found = {};
    THEME.forEach(function (name) {
      var value = style.getPropertyValue("--broadsheet-" + name).trim();
      if (value) found[name] = value;
    });
    return found;
  }

  function mount(host) {
    if (host.getAttribute("data-broadsheet-state")) return;
    host.setAttribute("data-broadsheet-state", "loading");
    var body = new URLSearchParams();
    body.set("url", host.getAttribute("data-url") || location.href);
    body.set("title", host.getAttribute("data-title") || document.title);
    body.set("summary", host.getAttribute("data-summary") || "");
    body.set("lang", host.getAttribute("data-lang") || document.documentElement.lang);
    fetch(base + "/embed/v1/story", {
      method: "POST", body: body, mode: "cors", credentials: "omit", referrerPolicy: "origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (story) {
      if (!story || !story.frame) {
        host.setAttribute("data-broadsheet-state", "refused");
        return;
      }
      var frame = document.createElement("iframe");
      frame.src = story.frame;
      frame.title = "Comments (" + story.comments + ")";
      frame.setAttribute("loading", "lazy");
      frame.style.width = "100%";
      frame.style.border = "0";
      frame.style.height = "480px";
      frame.style.display = "block";
      window.addEventListener("message", function (event) {
        if (event.origin !== base || event.source !== frame.contentWindow) return;
        var data = event.data || {};
        if (data.broadsheet === "height" && data.height > 0) {
          frame.style.height = Math.ceil(data.height) + "px";
        } else if (data.broadsheet === "ready") {
          frame.contentWindow.postMessage({broadsheet: "theme", theme: theme(host)}, base);
        }
      });
      host.appendChild(frame);
      host.setAttribute("data-broadsheet-state", "ready");
    }).catch(function () {
      host.setAttribute("data-broadsheet-state", "refused");
    });
  }

  function start() {
    var host = document.getElementById("broadsheet-comments");
    if (host) mount(host);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
