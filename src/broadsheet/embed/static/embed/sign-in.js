/* The sign-in popup's last page: hand the one-time code to the frame that opened us. The
 * message is addressed to this site's own origin, so only a page of ours (the frame) gets it. */
(function () {
  "use strict";
  var handoff = document.getElementById("bs-handoff");
  if (!handoff) return;
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage({broadsheet: "signed-in", code: handoff.getAttribute("data-code")},
                              location.origin);
    window.close();
  } else {
    document.getElementById("bs-no-opener").hidden = false;
  }
})();
