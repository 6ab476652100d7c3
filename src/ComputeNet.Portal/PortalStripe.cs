namespace ComputeNet.Portal;

/// <summary>
/// The one page that talks to Stripe from the browser: an invoice's payment with Stripe's Payment Element. Only that answer
/// widens the portal's Content-Security-Policy, and only by what Stripe.js needs: its script and frames from
/// https://js.stripe.com and its calls to https://api.stripe.com. Every other page keeps the host's policy (docs/portal.md).
/// </summary>
public static class PortalStripe
{
    public const string ScriptUrl = "https://js.stripe.com/v3/";

    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self' https://js.stripe.com; frame-src https://js.stripe.com; style-src 'self'; img-src 'self' data:; "
        + "font-src 'self'; connect-src 'self' https://api.stripe.com; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>Replaces the answer's policy (set by the host before the page runs; headers are not sent yet).</summary>
    public static void AllowStripe(HttpContext http) => http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
}
