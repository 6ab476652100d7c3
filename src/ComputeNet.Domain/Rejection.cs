namespace ComputeNet.Domain;

/// <summary>
/// Why the platform refused an action. Codes are the stable market-rules codes
/// (market-rules §4, §6, §9, §11); the reason is a sentence for people; the field, when
/// known, names the offending input. A rejected action changes nothing and uses up no id.
/// </summary>
public sealed record Rejection(string Code, string Reason, string? Field = null)
{
    public override string ToString() => Field is null ? $"{Code}: {Reason}" : $"{Code} ({Field}): {Reason}";
}

/// <summary>The rejection codes of market-rules, spelled exactly as the rules and scenario outputs use them.</summary>
public static class Codes
{
    public const string Invalid = "invalid";
    public const string UnknownParty = "unknown-party";
    public const string WrongRole = "wrong-role";
    public const string IdReused = "id-reused";
    public const string WindowStarted = "window-started";
    public const string TimeBackwards = "time-backwards";
    public const string NotSupported = "not-supported";

    public const string UnknownLease = "unknown-lease";
    public const string NotLeaseProvider = "not-lease-provider";
    public const string NegativeValue = "negative-value";
    public const string EmptyInterval = "empty-interval";
    public const string OutsideWindow = "outside-window";
    public const string ReportedEarly = "reported-early";
    public const string OverCapacity = "over-capacity";
    public const string GreenAboveEnergy = "green-above-energy";
    public const string Overlap = "overlap";
    public const string NoCarrier = "no-carrier";

    public const string PeriodNotEnded = "period-not-ended";
    public const string OverlappingRoute = "overlapping-route";
    public const string OverlappingPairing = "overlapping-pairing";
    public const string OverBalance = "over-balance";
    public const string OverCap = "over-cap";
    public const string OverBudget = "over-budget";
    public const string NotSme = "not-sme";
    public const string NotEligible = "not-eligible";

    // Disputes and credit notes (market-rules §14)
    /// <summary>The line already has an undecided dispute.</summary>
    public const string DisputeOpen = "dispute-open";
    /// <summary>The dispute arrived 30 × 24 hours or more after the close that issued the line.</summary>
    public const string DisputeWindowEnded = "dispute-window-ended";

    /// <summary>Audit queries: no such transaction, period or checkpoint (404).</summary>
    public const string NotFound = "not-found";
    /// <summary>An inclusion proof was asked for a transaction no signed checkpoint covers yet (the next close will).</summary>
    public const string NotCheckpointed = "not-checkpointed";

    // Payments through the provider (Stripe): docs/payments.md
    public const string StripeNotConfigured = "stripe-not-configured";
    public const string StripeError = "stripe-error";
    public const string InvalidSignature = "invalid-signature";
    public const string NothingDue = "nothing-due";
    public const string NoPayoutAccount = "no-payout-account";
    public const string UnknownPayout = "unknown-payout";
    public const string NotRetryable = "not-retryable";
    /// <summary>The database could not be reached (HTTP 503 with Retry-After): a write's outcome is unknown; repeat it with the same id.</summary>
    public const string Unavailable = "unavailable";
    /// <summary>
    /// The market's owner cannot take the command now (HTTP 503 with Retry-After: 1; ADR 0030): no host holds the market's lease
    /// (a takeover is under way), the owner did not answer in time, or this host lost the lease. Nothing was written by this
    /// request; repeat it with the same order id (a repeat is answered as a repeat, never a second order).
    /// </summary>
    public const string MarketOwnerUnavailable = "market-owner-unavailable";
    /// <summary>Over the caller's rate limit (HTTP 429 with Retry-After; ADR 0020).</summary>
    public const string RateLimited = "rate-limited";
    /// <summary>The request ran past its timeout, or its body arrived too slowly (HTTP 503 / 408; ADR 0020).</summary>
    public const string TimedOut = "timed-out";

    // The sandbox's test clock (ADR 0024, docs/api.md#sandbox)
    /// <summary>The test clock exists only on a platform served with <c>--sandbox</c> (HTTP 404).</summary>
    public const string NotSandbox = "not-sandbox";
    /// <summary>The test clock moves forward only (HTTP 409).</summary>
    public const string ClockBackwards = "clock-backwards";
}

/// <summary>Thrown by use cases to refuse an action; hosts turn it into problem details or a scenario rejection.</summary>
public sealed class RejectedException(Rejection rejection) : Exception(rejection.ToString())
{
    public Rejection Rejection { get; } = rejection;

    public static RejectedException Of(string code, string reason, string? field = null) => new(new Rejection(code, reason, field));
}
