// The live character counter on comment forms and closing a reply form; forms work without it.
(function () {
  function update(textarea) {
    var counter = textarea.parentElement.querySelector(".counter");
    if (!counter) return;
    var limit = parseInt(counter.dataset.limit, 10);
    var left = limit - textarea.value.length;
    counter.textContent = left >= 0 ? left + " characters left" : -left + " characters over the limit";
    counter.classList.toggle("over", left < 0);
  }
  function wire(root) {
    root.querySelectorAll("textarea[data-counter]").forEach(function (textarea) {
      // The server enforces the limit with a clear message; maxlength would cut pasted text silently.
      textarea.removeAttribute("maxlength");
      if (textarea.dataset.wired) return;
      textarea.dataset.wired = "1";
      textarea.addEventListener("input", function () { update(textarea); });
      update(textarea);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  // "Cancel" on a reply form opened in place closes it (no inline handlers: the CSP forbids them).
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-cancel-reply]");
    if (!cancel) return;
    var slot = cancel.closest(".reply-slot");
    if (slot) slot.innerHTML = "";
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    wire(event.target);
    // A reply form opened in place: move the keyboard focus into it so the reader can type at once.
    if (event.target.classList && event.target.classList.contains("reply-slot")) {
      var first = event.target.querySelector("input:not([type=hidden]), textarea");
      if (first) first.focus({ preventScroll: false });
    }
  });
})();
