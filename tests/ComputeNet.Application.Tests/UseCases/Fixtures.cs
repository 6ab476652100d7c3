using ComputeNet.Application.Market.PlaceBid;
using ComputeNet.Application.Market.PlaceOffer;
using ComputeNet.Application.Parties.RegisterParty;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>Requests for the §13 market day, so tests read as the story they tell.</summary>
public static class Market
{
    public static Instant At(string isoWithOffset) => OffsetDateTimePattern.ExtendedIso.Parse(isoWithOffset).GetValueOrThrow().ToInstant();

    public static readonly Instant Nov30Morning = At("2026-11-30T08:00:00+08:00");
    public static readonly Instant Dec1 = At("2026-12-01T00:00:00+08:00");
    public static readonly Instant Dec2 = At("2026-12-02T00:00:00+08:00");
    public static readonly Instant Dec8 = At("2026-12-08T00:00:00+08:00");

    /// <summary>The §13 set-up: the Shanghai SME and the 中卫 provider registered, of1 listed, b1 traded; returns b1's lease.</summary>
    public static async Task<string> TradedLeaseAsync(TestPlatform p, CancellationToken ct)
    {
        await p.Sender.Send(Buyer(), ct);
        await p.Sender.Send(Provider(), ct);
        await p.Sender.Send(Offer(), ct);
        return Assert.Single((await p.Sender.Send(Bid(), ct)).Leases);
    }

    public static RegisterPartyRequest Buyer(string id = "sme-sh-1", string city = "shanghai") => new(id, ["buyer"], city, Sme: true);

    public static RegisterPartyRequest Provider(string id = "prov-nx") => new(id, ["provider"]);

    public static PlaceOfferRequest Offer(string id = "of1", string party = "prov-nx", int devices = 64, decimal price = 58.00m) =>
        new(party, id, "zhongwei", "ai-fp16-80g", devices, Dec1, Dec8, price);

    public static PlaceBidRequest Bid(string id = "b1", string party = "sme-sh-1", int devices = 8, decimal price = 60.00m,
        string commitment = "on-demand") =>
        new(party, id, "intelligent", devices, 0.1m, 40, Dec1, Dec2, "cross-hub", 0.5m, price, commitment, true, "GTC");
}
