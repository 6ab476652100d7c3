using System.Diagnostics;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Metering;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Platform;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Parties;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Benchmarks;

/// <summary>The shape of a generated period: how many usage records over how many leases.</summary>
public sealed record LargePeriodSpec(int Records, int Leases)
{
    /// <summary>The generated day (Asia/Shanghai): 2026-12-01, i.e. <c>[2026-11-30T16:00Z, 2026-12-01T16:00Z)</c>.</summary>
    public const string Period = "2026-12-01";

    public static readonly Instant PeriodStart = Instant.FromUtc(2026, 11, 30, 16, 0);
    public static readonly Instant PeriodEnd = PeriodStart + Duration.FromDays(1);

    /// <summary>When the fixture's facts are recorded, and the instant a deterministic close of it is run at.</summary>
    public static readonly Instant RecordedAt = PeriodEnd + Duration.FromHours(1);

    public static readonly Instant CloseAt = PeriodEnd + Duration.FromHours(2);
}

public sealed record LargePeriodFigures(int Records, int Leases, int Events, TimeSpan Elapsed);

/// <summary>
/// Generates a large, deterministic settlement period for benchmarks and crash tests: parties are registered through
/// the ordinary requests; lease openings and usage batches are built in memory and appended through Marten in big
/// batches (the same events (and usage record rows) trading and <c>POST /v1/usage/batch</c> write, without the per-record HTTP and validation
/// cost, which <c>bench usage</c> measures separately). The same spec always gives byte-identical events, so two schemas
/// generated from one spec close to the same statements and hashes.
/// </summary>
/// <remarks>
/// Shape: 20 SME buyers in Shanghai, 10 providers in 中卫 (ningxia hub), one carrier serving Shanghai–中卫. Every tenth
/// lease is reserved (a compute line whatever the usage); the others are on-demand. Records are spread evenly over the
/// leases and tile the day without overlap; every fourth record of an even-numbered lease carries transferred GB, so
/// about half the leases also get a transport line.
/// </remarks>
public static class LargePeriodFixture
{
    public const int Buyers = 20;
    public const int Providers = 10;
    public const string Carrier = "bench-carrier";

    /// <summary>Records per appended batch event (the ingestion limit, ADR 0007).</summary>
    public const int BatchRecords = 10_000;

    public static string BuyerId(int i) => $"bench-buyer-{i:D2}";

    public static string ProviderId(int i) => $"bench-prov-{i:D2}";

    public static async Task<LargePeriodFigures> GenerateAsync(ISender sender, IDocumentStore store, LargePeriodSpec spec, CancellationToken ct)
    {
        if (spec.Leases < 1 || spec.Records < spec.Leases || spec.Records / spec.Leases > 86_400)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), "need 1 ≤ leases ≤ records ≤ 86,400 × leases");
        }
        var watch = Stopwatch.StartNew();
        for (var b = 0; b < Buyers; b++)
        {
            await sender.Send(new RegisterPartyRequest(BuyerId(b), ["buyer"], "shanghai", Sme: true, DisplayName: $"Bench buyer {b:D2}"), ct);
        }
        for (var p = 0; p < Providers; p++)
        {
            await sender.Send(new RegisterPartyRequest(ProviderId(p), ["provider"], DisplayName: $"Bench provider {p:D2}"), ct);
        }
        await sender.Send(new RegisterPartyRequest(Carrier, ["carrier"], Routes: [new RouteSet(["shanghai"], ["zhongwei"])],
            DisplayName: "Bench carrier"), ct);

        var leases = Enumerable.Range(0, spec.Leases).Select(Lease).ToList();
        var events = 0;
        foreach (var chunk in leases.Chunk(1_000))
        {
            await using var session = store.LightweightSession();
            foreach (var terms in chunk)
            {
                session.Insert(LeaseDocument.Of(terms, LargePeriodSpec.RecordedAt));
            }
            await session.SaveChangesAsync(ct);
            events += chunk.Length;
        }

        // Each provider's stream is written by one writer in order; two providers at a time.
        var byProvider = leases.GroupBy(l => l.Provider).ToList();
        var batches = 0;
        await Parallel.ForEachAsync(byProvider, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (group, token) =>
        {
            foreach (var batch in RecordsOf(group.ToList(), spec).Chunk(BatchRecords))
            {
                await using var session = store.LightweightSession();
                session.Events.Append(MeteringService.StreamOf(group.Key),
                    new UsageBatchRecorded(group.Key, LargePeriodSpec.Period, batch, LargePeriodSpec.RecordedAt));
                UsageRecordTable.Insert(session, batch);
                await session.SaveChangesAsync(token);
                Interlocked.Increment(ref batches);
            }
        });
        return new LargePeriodFigures(spec.Records, spec.Leases, events + batches, watch.Elapsed);
    }

    private static LeaseTerms Lease(int i)
    {
        var reserved = i % 10 == 9;
        return new LeaseTerms($"lease-{i + 1:D6}", i + 1, $"bid-{i + 1:D6}", BuyerId(i % Buyers), "shanghai", $"offer-{i % Providers:D2}",
            ProviderId(i % Providers), "zhongwei", "ningxia", "ai-fp16-80g", "intelligent", PlatformService.BuiltIn.Standard.Version, 0.156m,
            Devices: 8, LargePeriodSpec.PeriodStart, LargePeriodSpec.PeriodEnd, Price: 58.00m + i % 7, reserved ? "reserved" : "on-demand", 14.3m);
    }

    /// <summary>The records of one provider's leases, lease by lease; record k of a lease covers the k-th slot of the day.</summary>
    private static IEnumerable<UsageRecorded> RecordsOf(IReadOnlyList<LeaseTerms> leases, LargePeriodSpec spec)
    {
        foreach (var lease in leases)
        {
            var index = (int)lease.TradeSeq - 1;
            var count = spec.Records / spec.Leases + (index < spec.Records % spec.Leases ? 1 : 0);
            var slot = 86_400 / Math.Max(1, spec.Records / spec.Leases + 1);
            for (var k = 0; k < count; k++)
            {
                var from = LargePeriodSpec.PeriodStart + Duration.FromSeconds((long)k * slot);
                var transfer = index % 2 == 0 && k % 4 == 0 ? 1.5m + k % 3 : 0m;
                yield return new UsageRecorded($"r-{lease.LeaseId}-{k:D5}", lease.LeaseId, lease.Provider, from, from + Duration.FromSeconds(slot),
                    DeviceSeconds: (long)lease.Devices * slot * (90 + (k + index) % 10) / 100, EnergyKwh: 0.5m, GreenKwh: 0.1m * (k % 6),
                    TransferGb: transfer, lease.MeteringStandard, lease.ScuPerDevice, LargePeriodSpec.Period, LargePeriodSpec.Period,
                    LargePeriodSpec.RecordedAt, transfer > 0 ? Carrier : null);
            }
        }
    }
}
