// Keeps the market depth chart live: every data-every seconds, fetch the chart's fragment (GET /buyer/market/chart, the
// same session, the same request as GET /v1/book) and put it in place. Stops when the session has ended. No inline
// script, no eval: the Content-Security-Policy allows scripts from this host only.
(function () {
  "use strict";
  var box = document.getElementById("depth");
  if (!box || !box.dataset.src) {
    return;
  }
  var every = Math.max(1, parseInt(box.dataset.every || "5", 10)) * 1000;
  var timer = null;

  function refresh() {
    if (document.hidden) {
      return;
    }
    fetch(box.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" }, redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          window.clearInterval(timer);
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html) {
          box.innerHTML = html;
          box.dataset.refreshed = String(Date.now());
        }
      })
      .catch(function () { /* offline for a moment: the next tick tries again */ });
  }

  timer = window.setInterval(refresh, every);
})();
