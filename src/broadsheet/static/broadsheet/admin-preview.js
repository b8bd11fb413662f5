// The article form's live preview: the body is sent to the admin's preview endpoint (staff
// only, CSRF-checked), which draws it through the same Markdown and sanitising as the page.
(function () {
  "use strict";
  function start() {
    var preview = document.getElementById("article-preview");
    var body = document.getElementById("id_body");
    if (!preview || !body) return;
    var dateline = document.getElementById("id_dateline");
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var timer = null;
    var sent = 0;
    function refresh() {
      var mine = ++sent;
      var data = new FormData();
      data.append("body", body.value);
      data.append("dateline", dateline ? dateline.value : "");
      preview.setAttribute("aria-busy", "true");
      fetch(preview.dataset.previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error("preview " + response.status);
          return response.text();
        })
        .then(function (html) {
          // Only the latest answer is shown, whatever order they arrive in.
          if (mine === sent) preview.innerHTML = html;
        })
        .catch(function () {
          if (mine === sent) preview.textContent = "The preview could not be drawn; your text is unchanged.";
        })
        .finally(function () {
          if (mine === sent) preview.removeAttribute("aria-busy");
        });
    }
    function soon() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    }
    body.addEventListener("input", soon);
    if (dateline) dateline.addEventListener("input", soon);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
