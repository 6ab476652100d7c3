// "Verify now" and other slow forms show that they are working: on submit, a form marked data-busy="…" has its button say so
// (data-busy-button="…", or the same text; aria-busy) and the page's status line (#busy-status, role=status) announce it, until the answer replaces the page. No
// inline script, no eval: the Content-Security-Policy allows scripts from this host only. Without it the forms work the same.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form[data-busy]") || event.defaultPrevented) {
      return;
    }
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.textContent = form.dataset.busyButton || form.dataset.busy;
      button.setAttribute("aria-busy", "true");
      button.classList.add("busy");
      // After the submission has taken the form's fields: a second click sends nothing more.
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
    var status = document.getElementById("busy-status");
    if (status) {
      status.textContent = form.dataset.busy;
      status.hidden = false;
    }
  });
})();
