using ComputeNet.Application.Audit.Verify;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetLedger;
using ComputeNet.Application.Vouchers;
using ComputeNet.Application.Vouchers.CreateProgramme;
using ComputeNet.Application.Vouchers.GetClaims;
using ComputeNet.Application.Vouchers.GrantVoucher;
using ComputeNet.Application.Vouchers.ListVouchers;
using ComputeNet.Domain;
using ComputeNet.Domain.Vouchers;
using Marten;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// One stream per programme: grant order across programmes, ids unique across programmes, and the upgrade of a schema
/// written with the single <c>vouchers</c> stream.
/// </summary>
public sealed class VoucherStreamsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly NodaTime.Instant Jan1 = At("2027-01-01T00:00:00+08:00");

    /// <summary>Two buyers with leases, two programmes expiring together, grants interleaved across them, 12-01 closed.</summary>
    private static async Task<TestPlatform> HistoryAsync()
    {
        var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(new RegisterPartyRequest("sh-gov", ["issuer"]), Ct);
        await p.Sender.Send(Offer(devices: 64), Ct);
        var leases = new List<string>();
        foreach (var b in new[] { "sme-0", "sme-1" })
        {
            await p.Sender.Send(Buyer(b), Ct);
            leases.Add(Assert.Single((await p.Sender.Send(Bid($"bid-{b}", b), Ct)).Leases));
        }
        await p.Sender.Send(new CreateProgrammeRequest("sh-gov", "pb", "compute", 3000, 60_000, 250_000, Dec1, Jan1), Ct);
        await p.Sender.Send(new CreateProgrammeRequest("sh-gov", "pa", "compute", 3000, 60_000, 250_000, Dec1, Jan1), Ct);
        // Ids and programmes in the opposite order to the grants: the close must pick by grant order, not by id or stream.
        await p.Sender.Send(new GrantVoucherRequest("sh-gov", "g9", "pb", "sme-0", 4_000), Ct);
        await p.Sender.Send(new GrantVoucherRequest("sh-gov", "g1", "pa", "sme-0", 50_000), Ct);
        await p.Sender.Send(new GrantVoucherRequest("sh-gov", "g5", "pa", "sme-1", 3_000), Ct);
        await p.Sender.Send(new GrantVoucherRequest("sh-gov", "g2", "pb", "sme-1", 50_000), Ct);
        p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        for (var i = 0; i < leases.Count; i++)
        {
            await p.Sender.Send(new RecordUsageRequest("prov-nx", $"u{i}", leases[i], Dec1, Dec2, 576_000, 1m, 1m, 0m), Ct);
        }
        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        return p;
    }

    [Fact]
    public async Task A_close_redeems_across_programme_streams_in_grant_order_and_appends_to_each_with_its_version()
    {
        await using var p = await HistoryAsync();
        var vouchers = (await p.Sender.Send(new ListVouchersRequest(), Ct)).ToDictionary(v => v.Id);
        Assert.Equal(["g9", "g1", "g5", "g2"], (await p.Sender.Send(new ListVouchersRequest(), Ct)).Select(v => v.Id));
        // One voucher per line, the first granted of each buyer's (same expiry): g9 (pb) before g1 (pa); g5 (pa) before g2 (pb).
        Assert.Equal((0L, 50_000L, 0L, 50_000L), (vouchers["g9"].BalanceFen, vouchers["g1"].BalanceFen, vouchers["g5"].BalanceFen, vouchers["g2"].BalanceFen));

        await using var session = p.Store.QuerySession();
        foreach (var programme in new[] { "pa", "pb" })
        {
            var events = await session.Events.FetchStreamAsync(VoucherProjections.StreamOf(programme), token: Ct);
            Assert.IsType<ProgrammeCreated>(events[0].Data);
            Assert.Single(events, e => e.Data is VoucherRedeemed);
        }
        Assert.Null(await session.Events.FetchStreamStateAsync(VoucherStreamsUpgrade.OldStream, Ct));
        var programmes = await p.Sender.Send(new ListProgrammesRequest(), Ct);
        Assert.Equal(["pa", "pb"], programmes.Select(x => x.Id));
        Assert.All(programmes, x => Assert.Equal((2, 2), (x.Vouchers, x.Enterprises)));
    }

    [Fact]
    public async Task A_grant_id_is_unique_across_programmes()
    {
        await using var p = await HistoryAsync();
        var e = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new GrantVoucherRequest("sh-gov", "g1", "pb", "sme-0", 50_000), Ct).AsTask());
        Assert.Equal((Codes.IdReused, "id"), (e.Rejection.Code, e.Rejection.Field));
        // The same grant again is a repeat; an unknown buyer is refused before the id is looked at, as before.
        Assert.True((await p.Sender.Send(new GrantVoucherRequest("sh-gov", "g1", "pa", "sme-0", 50_000), Ct)).Repeat);
        var unknown = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new GrantVoucherRequest("sh-gov", "g1", "pb", "nobody", 1), Ct).AsTask());
        Assert.Equal(Codes.UnknownParty, unknown.Rejection.Code);
    }

    [Fact]
    public async Task A_schema_with_the_single_vouchers_stream_is_upgraded_at_start_and_answers_and_closes_as_before()
    {
        await using var p = await HistoryAsync();
        string Json(object value) => p.Store.Options.Serializer().ToJson(value);
        var programmes = Json(await p.Sender.Send(new ListProgrammesRequest(), Ct));
        var vouchers = Json(await p.Sender.Send(new ListVouchersRequest(), Ct));
        var claims = Json(await p.Sender.Send(new GetClaimsRequest(), Ct));
        var report = Json(await p.Sender.Send(new GetProgrammeReportRequest(), Ct));

        // What the previous version wrote: every programme's events in one stream 'vouchers', in append order, and no
        // programme or voucher documents.
        await p.TamperAsync("""
            insert into {schema}.mt_streams (id, version, is_archived)
              select 'vouchers', count(*), false from {schema}.mt_events where stream_id like 'programme:%';
            update {schema}.mt_events e set stream_id = 'vouchers', version = o.n
              from (select seq_id, row_number() over (order by seq_id) as n from {schema}.mt_events where stream_id like 'programme:%') o
              where e.seq_id = o.seq_id;
            delete from {schema}.mt_streams where id like 'programme:%';
            delete from {schema}.mt_doc_programmedocument; delete from {schema}.mt_doc_voucherdocument;
            """);
        await using var restarted = await p.SecondProcessAsync();

        Assert.Equal(programmes, Json(await restarted.Sender.Send(new ListProgrammesRequest(), Ct)));
        Assert.Equal(vouchers, Json(await restarted.Sender.Send(new ListVouchersRequest(), Ct)));
        Assert.Equal(claims, Json(await restarted.Sender.Send(new GetClaimsRequest(), Ct)));
        Assert.Equal(report, Json(await restarted.Sender.Send(new GetProgrammeReportRequest(), Ct)));
        await using (var session = restarted.Store.QuerySession())
        {
            Assert.True((await session.Events.FetchStreamStateAsync(VoucherStreamsUpgrade.OldStream, Ct))!.IsArchived);
            Assert.Equal(8, (await session.LoadAsync<Infrastructure.StreamSplit.Marker>(Infrastructure.StreamSplit.MarkerKey("vouchers"), Ct))!.CopiedEvents);
            Assert.Equal(2, await session.Query<Settlement.RedemptionDocument>().CountAsync(Ct));
        }
        // A projection rebuild replays the programme streams, not the archived single stream: no redemption twice.
        Assert.True(await Infrastructure.SettlementReadModels.EnsureAsync(restarted.Store, force: true, null, Ct));
        Assert.Equal(claims, Json(await restarted.Sender.Send(new GetClaimsRequest(), Ct)));
        // Once: a further start copies nothing.
        await using var again = await restarted.SecondProcessAsync();
        await using (var session = again.Store.QuerySession())
        {
            Assert.Equal(4, (await session.Events.FetchStreamStateAsync(VoucherProjections.StreamOf("pa"), Ct))!.Version);
        }

        // The upgraded streams take grants (cap and budget as before) and the next close, and history verifies.
        var over = await Assert.ThrowsAsync<RejectedException>(() => again.Sender.Send(new GrantVoucherRequest("sh-gov", "g7", "pa", "sme-0", 10_001), Ct).AsTask());
        Assert.Equal(Codes.OverCap, over.Rejection.Code);
        await again.Sender.Send(new GrantVoucherRequest("sh-gov", "g7", "pa", "sme-0", 10_000), Ct);
        again.Clock.Set(At("2026-12-03T01:00:00+08:00"));
        await again.Sender.Send(new ClosePeriodRequest("2026-12-02"), Ct);
        var verified = await again.Sender.Send(new VerifyHistoryRequest(), Ct);
        Assert.True(verified.Ok, string.Join("\n", verified.Failures));
        Assert.Equal(0, (await again.Sender.Send(new GetLedgerRequest(), Ct)).TrialBalanceFen);
    }
}
