using System.Numerics;

namespace ComputeNet.Domain.Market;

/// <summary>
/// A party's exposure (market-rules §6, ADR 0019): the most its orders and trades can ever be billed at, summed over the
/// party's whole life in the market. Every invoice, statement and balance of the party is a part of it, so keeping it
/// within ±(2^53 − 1) fen keeps them within it too. An order that would take it beyond is refused `invalid` on arrival.
/// <list type="bullet">
/// <item>A live bid counts its full window (devices × hours × the most SCU per device a lease of it can have × its limit
/// price); a live offer its full window at its own price.</item>
/// <item>A reduce releases the devices taken off. An order leaving the book (filled, cancelled, killed, expired) releases
/// what never traded: a bid keeps its filled devices, an offer the device-hours it leased.</item>
/// <item>A trade at a resting bid's price above the offer's (market-rules §5) adds the difference to the provider.</item>
/// </list>
/// Each value is the exact amount rounded half away from zero plus one fen, so it is never below what a close can bill for
/// it. Pure arithmetic on the market's events: the book rebuilt from the journal has the same exposures.
/// </summary>
public static class OrderExposure
{
    /// <summary>Saturates here: exposures of events journaled before the bound stay summable without wrapping.</summary>
    private const long Ceiling = long.MaxValue / 4;

    /// <summary>The most <paramref name="deviceHours"/> at <paramref name="scuPerDevice"/> and <paramref name="price"/> (yuan per SCU-hour) can be billed, in fen.</summary>
    public static long Value(long deviceHours, decimal scuPerDevice, decimal price)
    {
        if (deviceHours <= 0 || scuPerDevice <= 0 || price <= 0)
        {
            return 0;
        }
        if (TryValueInt128(deviceHours, scuPerDevice, price) is { } fast)
        {
            return fast;
        }
        return Exact(deviceHours, scuPerDevice, price);
    }

    /// <summary><see cref="Value"/> through <see cref="Settlement.Rating.ExactComputeAmount"/> (exact rationals): any size.</summary>
    internal static long Exact(long deviceHours, decimal scuPerDevice, decimal price)
    {
        var exact = Settlement.Rating.ExactComputeAmount((BigInteger)deviceHours * 3600, scuPerDevice, price) + 1;
        return exact >= Ceiling ? Ceiling : (long)exact;
    }

    private static readonly Int128[] PowersOfTen = [.. Enumerable.Range(0, 29).Select(n => Enumerable.Repeat((Int128)10, n).Aggregate((Int128)1, (a, b) => a * b))];

    /// <summary>
    /// The same value in 128-bit integers (the market writer decides every order with it, so no rationals on that path):
    /// devices-hours × SCU × price × 100 fen over 10^(scales), rounded half away from zero, plus one. Null when an operand
    /// is too large for the product to stay exact in 128 bits (then <see cref="Exact"/>).
    /// </summary>
    internal static long? TryValueInt128(long deviceHours, decimal scuPerDevice, decimal price)
    {
        if (deviceHours >= 1L << 40 || !Mantissa(scuPerDevice, out var scu, out var scuScale) || !Mantissa(price, out var yuan, out var priceScale))
        {
            return null;
        }
        // < 2^40 × 2^40 × 2^40 × 100 < 2^127: no overflow.
        var numerator = (Int128)deviceHours * scu * yuan * 100;
        var denominator = PowersOfTen[scuScale + priceScale];
        var quotient = Int128.DivRem(numerator, denominator);
        var rounded = quotient.Quotient + (quotient.Remainder * 2 >= denominator ? 1 : 0) + 1;
        return rounded >= Ceiling ? Ceiling : (long)rounded;
    }

    /// <summary>A positive decimal as mantissa × 10^−scale with the mantissa below 2^40 (false otherwise).</summary>
    private static bool Mantissa(decimal value, out long mantissa, out int scale)
    {
        scale = value.Scale;
        mantissa = 0;
        if (scale > 14)
        {
            return false;
        }
        var m = value * (decimal)PowersOfTen[scale];
        if (m >= 1L << 40 || m != decimal.Truncate(m))
        {
            return false;
        }
        mantissa = (long)m;
        return true;
    }

    /// <summary>What a bid counts for <paramref name="devices"/> of its devices.</summary>
    public static long Bid(BidPlaced bid, int devices) =>
        Value((long)devices * new HourWindow(bid.From, bid.To).Hours, bid.MaxScuPerDevice ?? bid.MinScuPerDevice, bid.Price);

    /// <summary>What an offer counts for <paramref name="deviceHours"/> of its capacity.</summary>
    public static long Offer(OfferListed offer, long deviceHours) => Value(deviceHours, offer.ScuPerDevice, offer.Price);

    /// <summary>What a trade adds to its provider: the difference when it traded at a resting bid's price above the offer's.</summary>
    public static long TradeAbove(OfferListed offer, LeaseTerms terms) => terms.Price <= offer.Price ? 0
        : Value((long)terms.Devices * new HourWindow(terms.From, terms.To).Hours, terms.ScuPerDevice, terms.Price - offer.Price);

    /// <summary><paramref name="a"/> + <paramref name="b"/>, saturating (never wraps), never below 0.</summary>
    public static long Add(long a, long b)
    {
        var sum = (BigInteger)a + b;
        return sum <= 0 ? 0 : sum >= Ceiling ? Ceiling : (long)sum;
    }
}
