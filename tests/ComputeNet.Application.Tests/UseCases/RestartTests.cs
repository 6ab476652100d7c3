using ComputeNet.Application.Market.ListOrders;
using ComputeNet.Application.Market.ListTrades;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Pairings.AgreePairing;
using ComputeNet.Application.Parties.ListRoutes;
using ComputeNet.Application.Parties.ManageApiKeys;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Payments;
using ComputeNet.Application.Payments.SetPayoutAccount;
using ComputeNet.Application.Platform;
using ComputeNet.Application.Platform.ConfigurePlatform;
using ComputeNet.Application.Platform.PublishMeteringStandard;
using ComputeNet.Application.Vouchers.CreateProgramme;
using ComputeNet.Application.Vouchers.GrantVoucher;
using ComputeNet.Application.Vouchers.ListVouchers;
using ComputeNet.Domain;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Platform;
using ComputeNet.Domain.Settlement;
using Microsoft.Extensions.DependencyInjection;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// Restarts forget nothing (issue 12, item 1): after each kind of change the host is stopped — every singleton and the
/// state it held in memory go — and a new one starts on the same schema. Whatever changed must be in force at the new
/// host's first use, without any write in between to wake a cache up.
/// </summary>
public sealed class RestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, decimal> Factors = new() { ["FP64"] = 2m, ["FP32"] = 1m, ["FP16"] = 0.5m, ["BF16"] = 0.5m, ["INT8"] = 0.25m };

    [Fact]
    public async Task A_restart_changes_no_table_or_index_of_the_schema()
    {
        // Every start applies Marten's schema migration. An index whose definition it sees as changed would be dropped and
        // rebuilt at each start, which costs seconds once the market holds millions of orders (it did: the offers' partial
        // window-end index, bench history). Each relation keeps its identity across restarts.
        await using var first = await TestPlatform.StartAsync(Nov30Morning);
        async Task<Dictionary<string, uint>> RelationsAsync(TestPlatform p)
        {
            await using var connection = new Npgsql.NpgsqlConnection(p.ConnectionString);
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "select c.relname, c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = @schema and c.relkind in ('r', 'i')";
            command.Parameters.AddWithValue("schema", p.Schema);
            var relations = new Dictionary<string, uint>();
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                relations[reader.GetString(0)] = reader.GetFieldValue<uint>(1);
            }
            return relations;
        }
        var before = await RelationsAsync(first);
        Assert.Contains(ComputeNet.Application.Market.OrderIndexes.OfferWindowEnd, before.Keys);
        await using var second = await first.RestartAsync();
        var after = await RelationsAsync(second);
        Assert.Equal(before.OrderBy(r => r.Key), after.OrderBy(r => r.Key));
    }

    [Fact]
    public async Task Settings_fees_and_calendar_are_in_force_after_a_restart()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(new ConfigurePlatformRequest("month", "Asia/Shanghai", 250, 80, null, null), Ct);

        await using var restarted = await p.RestartAsync();
        var view = await restarted.Services.GetRequiredService<PlatformService>().CurrentAsync(Ct);

        Assert.Equal(PeriodUnit.Month, view.Calendar.Unit);
        Assert.Equal((250, 80), (view.Fees.Compute.Value, view.Fees.Transport.Value));
    }

    [Fact]
    public async Task A_published_metering_standard_is_in_force_after_a_restart()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(new PublishMeteringStandardRequest("v2", Factors,
            [new ResourceClassDefinition("ai-fp16-80g", "intelligent", "FP16", 400m, 80)]), Ct);

        await using var restarted = await p.RestartAsync();
        var view = await restarted.Services.GetRequiredService<PlatformService>().CurrentAsync(Ct);
        Assert.Equal("v2", view.Catalogue.Standard.Version);
        // The offer listed first thing after the restart is rated with v2: 400 TFLOPS × 0.5 / 1000 = 0.2 SCU per device.
        await restarted.Sender.Send(Offer(), Ct);
        await restarted.Sender.Send(Bid(), Ct);
        var trade = Assert.Single(await restarted.Sender.Send(new ListTradesRequest(), Ct));
        Assert.Equal(("v2", 0.2m), (trade.MeteringStandard, trade.ScuPerDevice));
    }

    [Fact]
    public async Task Parties_routes_and_keys_are_in_force_after_a_restart()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        var buyer = await p.Sender.Send(new RegisterPartyRequest("sme-sh-1", ["buyer"], "shanghai", Sme: true, IssueApiKey: true), Ct);
        var carrier = await p.Sender.Send(new RegisterPartyRequest("carrier-1", ["carrier"], Routes: [new RouteSet(["shanghai"], ["zhongwei"])],
            IssueApiKey: true), Ct);
        var rotated = await p.Sender.Send(new RotateApiKeyRequest("carrier-1"), Ct);
        var revoked = await p.Sender.Send(new RegisterPartyRequest("gone", ["provider"], IssueApiKey: true), Ct);
        await p.Sender.Send(new RevokeApiKeysRequest("gone"), Ct);

        await using var restarted = await p.RestartAsync();
        Assert.Equal("sme-sh-1", (await restarted.Sender.Send(new AuthenticateApiKeyRequest(buyer.ApiKey!), Ct))?.Id);
        Assert.Equal("carrier-1", (await restarted.Sender.Send(new AuthenticateApiKeyRequest(rotated.ApiKey), Ct))?.Id);
        Assert.Null(await restarted.Sender.Send(new AuthenticateApiKeyRequest(carrier.ApiKey!), Ct));
        Assert.Null(await restarted.Sender.Send(new AuthenticateApiKeyRequest(revoked.ApiKey!), Ct));
        Assert.Equal([new RouteView("shanghai", "zhongwei", "carrier-1")], await restarted.Sender.Send(new ListRoutesRequest(), Ct));
        // The registry is in force for decisions too: the same id with other content is a reuse, another carrier on the route overlaps.
        var reuse = await Assert.ThrowsAsync<RejectedException>(() =>
            restarted.Sender.Send(new RegisterPartyRequest("sme-sh-1", ["buyer"], "beijing", Sme: true), Ct).AsTask());
        Assert.Equal(Codes.IdReused, reuse.Rejection.Code);
        var overlap = await Assert.ThrowsAsync<RejectedException>(() =>
            restarted.Sender.Send(new RegisterPartyRequest("carrier-2", ["carrier"], Routes: [new RouteSet(["shanghai"], ["zhongwei"])]), Ct).AsTask());
        Assert.Equal(Codes.OverlappingRoute, overlap.Rejection.Code);
    }

    [Fact]
    public async Task Programmes_and_grants_with_their_counters_are_in_force_after_a_restart()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(new RegisterPartyRequest("sh-gov", ["issuer"]), Ct);
        await p.Sender.Send(new CreateProgrammeRequest("sh-gov", "p", "compute", 3000, 60_000, 100_000, Dec1, Dec8), Ct);
        await p.Sender.Send(new GrantVoucherRequest("sh-gov", "g1", "p", "sme-sh-1", 50_000), Ct);

        await using var restarted = await p.RestartAsync();
        var programme = Assert.Single(await restarted.Sender.Send(new ListProgrammesRequest(), Ct));
        Assert.Equal(("p", 100_000L, 60_000L), (programme.Id, programme.BudgetFen, programme.CapFen));
        var voucher = Assert.Single(await restarted.Sender.Send(new ListVouchersRequest(), Ct));
        Assert.Equal(("g1", 50_000L, 50_000L), (voucher.Id, voucher.FaceFen, voucher.BalanceFen));
        // The buyer's cap counts the grant made before the restart: 50,000 + 20,000 > 60,000.
        var over = await Assert.ThrowsAsync<RejectedException>(() =>
            restarted.Sender.Send(new GrantVoucherRequest("sh-gov", "g2", "p", "sme-sh-1", 20_000), Ct).AsTask());
        Assert.Equal(Codes.OverCap, over.Rejection.Code);
        // And a repeat of the first grant is still a repeat.
        Assert.True((await restarted.Sender.Send(new GrantVoucherRequest("sh-gov", "g1", "p", "sme-sh-1", 50_000), Ct)).Repeat);
    }

    [Fact]
    public async Task Pairings_are_in_force_after_a_restart()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(new AgreePairingRequest("sh-nx", "east-sh", ["shanghai"], "ningxia", 2, 1, 1, Dec1), Ct);

        await using var restarted = await p.RestartAsync();
        var pairing = Assert.Single(await restarted.Sender.Send(new ListPairingsRequest(), Ct));
        Assert.Equal(("sh-nx", Dec1), (pairing.PairingId, pairing.ValidFrom));
        var overlap = await Assert.ThrowsAsync<RejectedException>(() =>
            restarted.Sender.Send(new AgreePairingRequest("again", "east-sh", ["shanghai"], "ningxia", 1, 1, 1, Dec2), Ct).AsTask());
        Assert.Equal(Codes.OverlappingPairing, overlap.Rejection.Code);
    }

    [Fact]
    public async Task Payout_accounts_are_in_force_after_a_restart()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(new SetPayoutAccountRequest("prov-nx", "acct_restart"), Ct);

        await using var restarted = await p.RestartAsync();
        var book = await PaymentProjections.ReadPayeeAsync(restarted.Store, "prov-nx", Ct);
        Assert.Equal("acct_restart", book.PayoutAccountOf("prov-nx"));
    }

    [Fact]
    public async Task The_book_is_in_force_after_a_restart()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(Offer(devices: 10), Ct);
        await p.Sender.Send(Bid("b1", devices: 4), Ct);

        await using var restarted = await p.RestartAsync();
        // The first command after the restart trades against what rested before it: 6 devices are left of 10 on 12-01.
        var second = await restarted.Sender.Send(Bid("b2", devices: 8), Ct);
        Assert.Equal(("partially-filled", 6), (second.State, second.DevicesFilled));
        var offer = (await restarted.Sender.Send(new ListOrdersRequest(), Ct)).Single(o => o.Id == "of1");
        Assert.Equal(("partially-filled", 10), (offer.State, offer.DevicesFilled));
        // A repeat of an order placed before the restart is a repeat, and its id with other terms is a reuse.
        Assert.True((await restarted.Sender.Send(Bid("b1", devices: 4), Ct)).Repeat);
        var reuse = await Assert.ThrowsAsync<RejectedException>(() => restarted.Sender.Send(Bid("b1", devices: 5), Ct).AsTask());
        Assert.Equal(Codes.IdReused, reuse.Rejection.Code);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Usage_is_checked_against_every_stored_record_after_a_restart_and_after_an_upgrade(bool rowsLost)
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        var lease = await TradedLeaseAsync(p, Ct);
        p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        var first = await p.Sender.Send(new RecordUsageRequest("prov-nx", "u1", lease, Dec1, At("2026-12-01T12:00:00+08:00"), 100_000, 1m, 0.5m, 0m), Ct);
        Assert.False(first.Repeat);
        if (rowsLost)
        {
            // A schema written before the usage record table existed: the events are there, the rows are not.
            await p.TamperAsync("delete from {schema}.cn_usage_records");
        }

        await using var restarted = await p.RestartAsync();
        // The same record again is a repeat; its id with other content is a reuse; another id over the same hours overlaps.
        Assert.True((await restarted.Sender.Send(new RecordUsageRequest("prov-nx", "u1", lease, Dec1, At("2026-12-01T12:00:00+08:00"), 100_000, 1m, 0.5m, 0m), Ct)).Repeat);
        var reuse = await Assert.ThrowsAsync<RejectedException>(() => restarted.Sender.Send(
            new RecordUsageRequest("prov-nx", "u1", lease, Dec1, At("2026-12-01T12:00:00+08:00"), 99_000, 1m, 0.5m, 0m), Ct).AsTask());
        Assert.Equal((Codes.IdReused, "id"), (reuse.Rejection.Code, reuse.Rejection.Field));
        var overlap = await Assert.ThrowsAsync<RejectedException>(() => restarted.Sender.Send(
            new RecordUsageRequest("prov-nx", "u2", lease, At("2026-12-01T11:59:59+08:00"), At("2026-12-01T13:00:00+08:00"), 1_000, 1m, 0.5m, 0m), Ct).AsTask());
        Assert.Equal((Codes.Overlap, "from"), (overlap.Rejection.Code, overlap.Rejection.Field));
        // The record right after it is accepted: intervals are half-open.
        Assert.False((await restarted.Sender.Send(new RecordUsageRequest("prov-nx", "u3", lease, At("2026-12-01T12:00:00+08:00"), Dec2, 100_000, 1m, 0.5m, 0m), Ct)).Repeat);
    }
}
