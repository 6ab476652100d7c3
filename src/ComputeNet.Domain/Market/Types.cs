using NodaTime;

namespace ComputeNet.Domain.Market;

public enum OrderSide { Bid, Offer }

public enum Commitment { Reserved, OnDemand }

public enum TimeInForce { GTC, IOC, FOK }

public enum OrderState { Resting, PartiallyFilled, Filled, Cancelled, Expired, Killed, Rejected }

public static class MarketSlugs
{
    public static string Of(OrderSide s) => s == OrderSide.Bid ? "bid" : "offer";

    public static string Of(Commitment c) => c == Commitment.Reserved ? "reserved" : "on-demand";

    public static bool TryParseCommitment(string? s, out Commitment c)
    {
        switch (s)
        {
            case "reserved": c = Commitment.Reserved; return true;
            case "on-demand": c = Commitment.OnDemand; return true;
            default: c = default; return false;
        }
    }

    /// <summary>Exactly "GTC", "IOC" or "FOK" (no numbers, lists or padding, which Enum.TryParse would take).</summary>
    public static bool TryParseTif(string? s, out TimeInForce tif)
    {
        switch (s)
        {
            case "GTC": tif = TimeInForce.GTC; return true;
            case "IOC": tif = TimeInForce.IOC; return true;
            case "FOK": tif = TimeInForce.FOK; return true;
            default: tif = default; return false;
        }
    }

    public static string Of(OrderState s) => s switch
    {
        OrderState.Resting => "resting",
        OrderState.PartiallyFilled => "partially-filled",
        OrderState.Filled => "filled",
        OrderState.Cancelled => "cancelled",
        OrderState.Expired => "expired",
        OrderState.Killed => "killed",
        OrderState.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };
}

/// <summary>
/// A half-open window <c>[From, To)</c> on whole hours. Invariant: From &lt; To, both on whole hours (UTC,
/// hence also Asia/Shanghai, whose offset is whole hours).
/// </summary>
public readonly record struct HourWindow(Instant From, Instant To)
{
    public int Hours => (int)((To - From).TotalHours);

    public static bool IsWholeHour(Instant t) => t.ToUnixTimeTicks() % NodaConstants.TicksPerHour == 0;

    public bool IsValid => From < To && IsWholeHour(From) && IsWholeHour(To);

    public bool Contains(HourWindow inner) => From <= inner.From && inner.To <= To;

    /// <summary>Hour index of <paramref name="t"/> inside this window (0-based). Requires t on a whole hour inside the window.</summary>
    public int HourIndex(Instant t) => (int)((t - From).TotalHours);

    public override string ToString() => $"[{From}, {To})";
}

/// <summary>Market limits (TigerStyle: put a limit on everything). Each breach is an `invalid` rejection naming the limit.</summary>
public static class MarketLimits
{
    /// <summary>Longest order window: 366 days of hours.</summary>
    public const int MaxWindowHours = 366 * 24;
    public const int MaxDevicesPerOrder = 1_000_000;
    /// <summary>Book depth: live (resting) orders across a market's families. The only bound on orders: finished ones leave memory.</summary>
    public const int MaxLiveOrders = 1_000_000;
    public const int MaxFillsPerOrder = 1_000;
    public const int MaxOrderIdLength = 64;
    /// <summary>Prices: yuan per SCU-hour, at most 4 decimal places, at most one million yuan.</summary>
    public const decimal MaxPrice = 1_000_000m;
}
