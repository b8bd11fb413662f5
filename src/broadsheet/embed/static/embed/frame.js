/* Inside the frame: tell the host page our height, take its theme variables. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var SAFE = /^[-#(),.%\w\s"']{1,80}$/;

  function report() {
    var height = document.documentElement.scrollHeight;
    window.parent.postMessage({broadsheet: "height", height: height}, "*");
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent) return;
    var data = event.data || {};
    if (data.broadsheet !== "theme" || typeof data.theme !== "object") return;
    Object.keys(data.theme).forEach(function (name) {
      var value = String(data.theme[name]);
      if (/^[a-z]+$/.test(name) && SAFE.test(value) && value.indexOf("url") === -1) {
        document.documentElement.style.setProperty("--bs-" + name, value);
      }
    });
    report();
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
