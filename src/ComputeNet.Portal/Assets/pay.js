// An invoice's payment online: mounts Stripe's Payment Element (Stripe.js from js.stripe.com, allowed by this page's CSP only)
// with the payment intent's client secret the server put in #payment-element, and confirms it without leaving the page where
// the method allows (redirect: "if_required"; the session cookie is SameSite=Strict, so a return from another site would
// arrive signed out). The webhook posts the payment; this script only reports what Stripe answered. No inline script.
(function () {
  "use strict";
  var box = document.getElementById("payment-element");
  var form = document.getElementById("pay-form");
  var status = document.getElementById("pay-status");
  if (!box || !form || !box.dataset.clientSecret || !box.dataset.publishableKey) {
    return;
  }
  if (typeof window.Stripe !== "function") {
    if (status) { status.textContent = box.dataset.unavailable || ""; }
    return;
  }
  var stripe = window.Stripe(box.dataset.publishableKey, { locale: box.dataset.locale || "auto" });
  var elements = stripe.elements({ clientSecret: box.dataset.clientSecret });
  elements.create("payment").mount(box);
  form.hidden = false;
  if (status) { status.textContent = ""; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    stripe.confirmPayment({ elements: elements, redirect: "if_required", confirmParams: { return_url: box.dataset.returnUrl } })
      .then(function (result) {
        if (status) { status.textContent = result.error ? result.error.message : box.dataset.done; }
        if (result.error && button) { button.disabled = false; }
      });
  });
})();
