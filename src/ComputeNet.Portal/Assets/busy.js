// A long form post (a period's close): once submitted, its buttons are disabled (no second submit) and the status named by
// the form's data-busy says the work is under way, until the answer replaces the page. No inline script: the CSP allows
// scripts from this host only.
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var status = document.getElementById(form.dataset.busy);
      if (status) {
        status.textContent = status.dataset.busyText || "";
        status.setAttribute("aria-busy", "true");
      }
      window.setTimeout(function () {
        document.querySelectorAll("form[data-busy] button").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
})();
