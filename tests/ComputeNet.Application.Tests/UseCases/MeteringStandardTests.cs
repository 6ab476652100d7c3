using ComputeNet.Application.Market.ListTrades;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Platform.PublishMeteringStandard;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetInvoices;
using ComputeNet.Domain;
using ComputeNet.Domain.Platform;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>The metering standard is versioned data: a new version rates new offers; old leases keep the rating they were made with.</summary>
public sealed class MeteringStandardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, decimal> Factors = new() { ["FP64"] = 2m, ["FP32"] = 1m, ["FP16"] = 0.5m, ["BF16"] = 0.5m, ["INT8"] = 0.25m };

    [Fact]
    public async Task Publishing_v2_rates_new_offers_with_it_while_a_v1_lease_keeps_its_v1_rating()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(Offer("of-v1"), Ct);
        var v1Lease = Assert.Single((await p.Sender.Send(Bid("b1"), Ct)).Leases);

        // v2 re-rates the 80 GB FP16 class at 400 TFLOPS: 400 × 0.5 / 1000 = 0.2 SCU per device.
        await p.Sender.Send(new PublishMeteringStandardRequest("v2", Factors,
            [new ResourceClassDefinition("ai-fp16-80g", "intelligent", "FP16", 400m, 80)]), Ct);
        await p.Sender.Send(Offer("of-v2", devices: 8, price: 57m), Ct);
        await p.Sender.Send(Bid("b2"), Ct);

        var trades = await p.Sender.Send(new ListTradesRequest(), Ct);
        var old = trades.Single(t => t.LeaseId == v1Lease);
        var fresh = trades.Single(t => t.Offer == "of-v2");
        Assert.Equal(("v1", 0.156m), (old.MeteringStandard, old.ScuPerDevice));
        Assert.Equal(("v2", 0.2m), (fresh.MeteringStandard, fresh.ScuPerDevice));

        p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        await p.Sender.Send(new RecordUsageRequest("prov-nx", "u1", v1Lease, Dec1, Dec2, 576_000, 1m, 1m, 0m), Ct);
        await p.Sender.Send(new RecordUsageRequest("prov-nx", "u2", fresh.LeaseId, Dec1, Dec2, 576_000, 1m, 1m, 0m), Ct);
        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);

        var lines = Assert.Single(await p.Sender.Send(new GetInvoicesRequest(), Ct)).Lines;
        // v1 lease: 576,000 × 0.156 × 58.00 / 3600 = 1,447.68 yuan; v2 lease (the cheaper resting offer, 57.00): 576,000 × 0.2 × 57.00 / 3600 = 1,824.00 yuan
        Assert.Equal(144_768, lines.Single(l => l.LeaseId == v1Lease).AmountFen);
        Assert.Equal(182_400, lines.Single(l => l.LeaseId == fresh.LeaseId).AmountFen);

        var standards = await p.Sender.Send(new ListMeteringStandardsRequest(), Ct);
        Assert.Equal(["v1", "v2"], standards.Select(s => s.Version));
        Assert.True(standards[^1].InForce);
    }

    [Fact]
    public async Task A_version_cannot_be_published_twice_nor_without_every_precision()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        ResourceClassDefinition[] classes = [new("ai-fp16-80g", "intelligent", "FP16", 400m, 80)];

        var again = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new PublishMeteringStandardRequest("v1", Factors, classes), Ct).AsTask());
        Assert.Equal(Codes.IdReused, again.Rejection.Code);
        var missing = new Dictionary<string, decimal>(Factors);
        missing.Remove("INT8");
        var incomplete = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new PublishMeteringStandardRequest("v2", missing, classes), Ct).AsTask());
        Assert.Equal(("invalid", "precisionFactors"), (incomplete.Rejection.Code, incomplete.Rejection.Field));
        var badClass = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new PublishMeteringStandardRequest("v2", Factors,
            [new("x", "quantum", "FP16", 1m, 1)]), Ct).AsTask());
        Assert.Equal(Codes.Invalid, badClass.Rejection.Code);
        Assert.Single(await p.Sender.Send(new ListMeteringStandardsRequest(), Ct));
    }
}
