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
        var exact = Settlement.Rating.ExactComputeAmount((BigInteger)deviceHours * 3600, scuPerDevice, price) + 1;
        return exact >= Ceiling ? Ceiling : (long)exact;
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
