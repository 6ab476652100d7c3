namespace ComputeNet.Portal;

/// <summary>
/// The portal's settings (configuration <c>ComputeNet:Portal:…</c>). Sessions live in PostgreSQL, at most
/// <see cref="MaxSessionsPerParty"/> a party; a session ends after <see cref="SessionHours"/> without a request, when its key
/// is rotated or revoked, or on sign-out.
/// </summary>
public sealed record PortalSettings
{
    public const string Section = "ComputeNet:Portal";

    public double SessionHours { get; init; } = 8;
    /// <summary>Live sessions a party may hold (people signed in with its key, on every device); a new one ends its oldest beyond.</summary>
    public int MaxSessionsPerParty { get; init; } = 100;
    /// <summary>Seconds between two refreshes of the live market depth chart.</summary>
    public int DepthRefreshSeconds { get; init; } = 5;
    /// <summary>Where buyers pay invoices by bank transfer when Stripe is not configured; unset: the page says to ask the operator.</summary>
    public BankTransferSettings? BankTransfer { get; init; }
    /// <summary>
    /// Stripe's publishable key (pk_…, configuration <c>ComputeNet:Stripe:PublishableKey</c>, beside the secret key): Stripe.js needs
    /// it to mount the Payment Element on the invoice page. Public by design; without it the page cannot take a payment online.
    /// </summary>
    public string? StripePublishableKey { get; init; }

    public static PortalSettings From(IConfiguration configuration) =>
        (configuration.GetSection(Section).Get<PortalSettings>() ?? new PortalSettings()) with
        {
            StripePublishableKey = configuration["ComputeNet:Stripe:PublishableKey"] is { Length: > 0 } pk ? pk : null,
        };
}

/// <summary>The platform's collection account for invoice payments by bank transfer (收款账户).</summary>
public sealed record BankTransferSettings
{
    public string? Payee { get; init; }
    public string? Bank { get; init; }
    public string? Account { get; init; }
}
