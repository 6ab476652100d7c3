using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Metering.RecordUsageBatch;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Platform.ConfigurePlatform;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetLedger;
using ComputeNet.Domain;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// market-rules §6 and §7 through the application (issue 13, item 2): the overflowing usage record is refused
/// `invalid` and its period closes; lone surrogates are `invalid` in any request; the calendar is frozen after the first
/// close; a closed period answers a repeat close as a repeat whatever the clock says.
/// </summary>
public sealed class MoneyBoundsUseCaseTests : IAsyncLifetime
{
    private TestPlatform _p = null!;
    private string _lease = "";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly Instant Dec1At20 = At("2026-12-01T20:00:00+08:00");

    public async ValueTask InitializeAsync()
    {
        _p = await TestPlatform.StartAsync(Nov30Morning);
        await _p.Sender.Send(new RegisterPartyRequest("carrier-1", ["carrier"], Routes: [new(["shanghai"], ["zhongwei"])]), Ct);
        _lease = await TradedLeaseAsync(_p, Ct);
    }

    public ValueTask DisposeAsync() => _p.DisposeAsync();

    private async Task<long> EventCountAsync()
    {
        await using var session = _p.Store.QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync(Ct);
    }

    private async Task<Rejection> RejectedWithoutChange(Func<Task> act)
    {
        var before = await EventCountAsync();
        var e = await Assert.ThrowsAsync<RejectedException>(act);
        Assert.Equal(before, await EventCountAsync());
        return e.Rejection;
    }

    [Fact]
    public async Task A_usage_record_with_transfer_gb_1e21_is_refused_invalid_and_the_period_closes()
    {
        _p.Clock.Set(Dec2);
        var huge = await RejectedWithoutChange(() => _p.Sender.Send(
            new RecordUsageRequest("prov-nx", "u1", _lease, Dec1, Dec1At20, 576_000, 0, 0, 1_000_000_000_000_000_000_000m), Ct).AsTask());
        Assert.Equal((Codes.Invalid, "transferGb"), (huge.Code, huge.Field));

        // In a batch too, record by record; the next one is stored.
        var batch = await _p.Sender.Send(new RecordUsageBatchRequest("prov-nx",
        [
            new UsageLine("u1", _lease, Dec1, Dec1At20, 576_000, 0, 0, 1_000_000_000_000_000_000_000m),
            new UsageLine("u2", _lease, Dec1, Dec1At20, 576_000, 1_000_000_001m, 0, 0),
            new UsageLine("u3", _lease, Dec1, Dec1At20, 576_000, 0, 0, 1_250.5m),
        ]), Ct);
        Assert.Equal([("rejected", "transferGb"), ("rejected", "energyKwh"), ("stored", null)], batch.Records.Select(r => (r.Status, r.Field)));

        var closed = await _p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        Assert.Equal((false, 1, 2), (closed.AlreadyClosed, closed.Invoices, closed.Lines));
        Assert.Equal(0, (await _p.Sender.Send(new GetLedgerRequest(), Ct)).TrialBalanceFen);
    }

    [Fact]
    public async Task Text_with_a_lone_surrogate_is_invalid_in_any_request_and_named()
    {
        var lone = new string((char)0xD800, 1);
        var party = await RejectedWithoutChange(() => _p.Sender.Send(new RegisterPartyRequest("sme-2", ["buyer"], "shanghai", DisplayName: "SME " + lone), Ct).AsTask());
        Assert.Equal((Codes.Invalid, "displayName"), (party.Code, party.Field));

        var batch = await RejectedWithoutChange(() => _p.Sender.Send(new RecordUsageBatchRequest("prov-nx",
            [new UsageLine("ok", _lease, Dec1, Dec1At20, 1, 0, 0, 0), new UsageLine("x" + lone, _lease, Dec1, Dec1At20, 1, 0, 0, 0)]), Ct).AsTask());
        Assert.Equal((Codes.Invalid, "records[1].id"), (batch.Code, batch.Field));

        // A valid pair is text like any other.
        await _p.Sender.Send(new RegisterPartyRequest("sme-3", ["buyer"], "shanghai", DisplayName: "SME 😂"), Ct);
    }

    [Fact]
    public async Task The_calendar_is_frozen_after_the_first_close_and_fees_still_change()
    {
        await _p.Sender.Send(new ConfigurePlatformRequest("day", "Asia/Shanghai", 300, 100, null, null), Ct);
        _p.Clock.Set(Dec2);
        await _p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);

        var month = await RejectedWithoutChange(() => _p.Sender.Send(new ConfigurePlatformRequest("month", "Asia/Shanghai", 300, 100, null, null), Ct).AsTask());
        Assert.Equal((Codes.Invalid, "period"), (month.Code, month.Field));
        var zone = await RejectedWithoutChange(() => _p.Sender.Send(new ConfigurePlatformRequest("day", "Europe/London", 300, 100, null, null), Ct).AsTask());
        Assert.Equal((Codes.Invalid, "timeZone"), (zone.Code, zone.Field));
        Assert.Equal(250, (await _p.Sender.Send(new ConfigurePlatformRequest("day", "Asia/Shanghai", 250, 100, null, null), Ct)).ComputeFeeBp);
    }

    [Fact]
    public async Task A_closed_period_answers_a_repeat_close_as_a_repeat_even_before_its_end_on_this_clock()
    {
        _p.Clock.Set(Dec2.Plus(Duration.FromHours(1)));
        var first = await _p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        Assert.False(first.AlreadyClosed);

        // A host whose clock is behind the close (as after a close recorded with an earlier --at): a repeat, not period-not-ended.
        await using var lagging = ComputeNetServices.Compose(new ComputeNetSettings(_p.ConnectionString, _p.Schema, TestDatabase.SigningKeyPath),
            new SettableClock(Dec1At20), TestDatabase.AddMediator);
        await lagging.InitialiseComputeNetAsync(Ct);
        var sender = lagging.GetRequiredService<ISender>();
        var again = await sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        Assert.Equal((true, first.Invoices, first.ClosedAt, first.Checkpoint), (again.AlreadyClosed, again.Invoices, again.ClosedAt, again.Checkpoint));
        // A period not closed and not ended is still refused.
        Assert.Equal(Codes.PeriodNotEnded, (await RejectedWithoutChange(() => sender.Send(new ClosePeriodRequest("2026-12-02"), Ct).AsTask())).Code);
    }
}
