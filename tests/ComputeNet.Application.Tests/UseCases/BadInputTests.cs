using ComputeNet.Application.Market.ListOrders;
using ComputeNet.Application.Market.PlaceBid;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Parties.ListParties;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Domain;
using ComputeNet.Domain.Parties;
using Marten;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>Invalid requests are refused with a code and a reason, and leave the event store exactly as it was.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private TestPlatform _p = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _p = await TestPlatform.StartAsync(Nov30Morning);
        await _p.Sender.Send(Buyer(), Ct);
        await _p.Sender.Send(Provider(), Ct);
        await _p.Sender.Send(Offer(), Ct);
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
        Assert.False(string.IsNullOrWhiteSpace(e.Rejection.Reason));
        return e.Rejection;
    }

    public static TheoryData<string, PlaceBidRequest, string, string?> BadBids() => new()
    {
        { "unknown party", Bid(party: "nobody"), Codes.UnknownParty, "party" },
        { "provider bidding", Bid(party: "prov-nx"), Codes.WrongRole, "party" },
        { "missing id", Bid() with { BidId = null }, Codes.Invalid, "id" },
        { "unknown family", Bid() with { Family = "quantum" }, Codes.Invalid, "family" },
        { "zero devices", Bid(devices: 0), Codes.Invalid, "devices" },
        { "five decimal places", Bid(price: 60.00001m), Codes.Invalid, "price" },
        { "window not on whole hours", Bid() with { From = Dec1.Plus(NodaTime.Duration.FromMinutes(30)) }, Codes.Invalid, "from" },
        { "window backwards", Bid() with { From = Dec2, To = Dec1 }, Codes.Invalid, "from" },
        { "green share above 1", Bid() with { MinGreen = 1.5m }, Codes.Invalid, "minGreen" },
        { "unknown city", Bid() with { City = "atlantis" }, Codes.Invalid, "city" },
        { "window started", Bid() with { From = Nov30Morning, To = Dec1 }, Codes.WindowStarted, "from" },
        { "unknown party before malformed fields", Bid(party: "nobody", devices: -1), Codes.UnknownParty, "party" },
    };

    [Theory]
    [MemberData(nameof(BadBids))]
    public async Task Bad_bid_is_refused_with_its_code_and_changes_nothing(string why, PlaceBidRequest bid, string code, string? field)
    {
        var rejection = await RejectedWithoutChange(() => _p.Sender.Send(bid, Ct).AsTask());
        Assert.True(rejection.Code == code, $"{why}: expected {code}, got {rejection}");
        Assert.Equal(field, rejection.Field);
        Assert.Single(await _p.Sender.Send(new ListOrdersRequest(), Ct));
    }

    [Fact]
    public async Task Rejected_bid_does_not_use_up_its_id()
    {
        await RejectedWithoutChange(() => _p.Sender.Send(Bid(devices: 0), Ct).AsTask());
        var accepted = await _p.Sender.Send(Bid(), Ct);
        Assert.Equal("filled", accepted.State);
    }

    [Fact]
    public async Task Bad_registrations_are_refused()
    {
        Assert.Equal(Codes.Invalid, (await RejectedWithoutChange(() => _p.Sender.Send(new RegisterPartyRequest("", ["buyer"], "shanghai"), Ct).AsTask())).Code);
        Assert.Equal(Codes.Invalid, (await RejectedWithoutChange(() => _p.Sender.Send(new RegisterPartyRequest("Bad Id!", ["buyer"], "shanghai"), Ct).AsTask())).Code);
        Assert.Equal(Codes.Invalid, (await RejectedWithoutChange(() => _p.Sender.Send(new RegisterPartyRequest("x", ["king"]), Ct).AsTask())).Code);
        Assert.Equal(Codes.Invalid, (await RejectedWithoutChange(() => _p.Sender.Send(new RegisterPartyRequest("x", ["buyer"]), Ct).AsTask())).Code);
        Assert.Equal(Codes.IdReused, (await RejectedWithoutChange(() => _p.Sender.Send(new RegisterPartyRequest("sme-sh-1", ["provider"]), Ct).AsTask())).Code);

        await _p.Sender.Send(new RegisterPartyRequest("carrier-1", ["carrier"], Routes: [new RouteSet(["shanghai"], ["zhongwei"])]), Ct);
        var overlap = await RejectedWithoutChange(() => _p.Sender.Send(
            new RegisterPartyRequest("carrier-2", ["carrier"], Routes: [new RouteSet(["beijing", "shanghai"], ["zhongwei"])]), Ct).AsTask());
        Assert.Equal(Codes.OverlappingRoute, overlap.Code);
        Assert.DoesNotContain(await _p.Sender.Send(new ListPartiesRequest(), Ct), x => x.Id == "carrier-2");
    }

    [Fact]
    public async Task Bad_usage_and_close_requests_are_refused()
    {
        _p.Clock.Set(Dec2);
        Assert.Equal(Codes.UnknownLease, (await RejectedWithoutChange(() =>
            _p.Sender.Send(new RecordUsageRequest("prov-nx", "u1", "lease-999999", Dec1, Dec2, 1, 0, 0, 0), Ct).AsTask())).Code);
        Assert.Equal(Codes.WrongRole, (await RejectedWithoutChange(() =>
            _p.Sender.Send(new RecordUsageRequest("sme-sh-1", "u1", "lease-999999", Dec1, Dec2, 1, 0, 0, 0), Ct).AsTask())).Code);
        Assert.Equal(Codes.Invalid, (await RejectedWithoutChange(() =>
            _p.Sender.Send(new RecordUsageRequest("prov-nx", "", "lease-1", Dec1, Dec2, 1, 0, 0, 0), Ct).AsTask())).Code);
        Assert.Equal(Codes.Invalid, (await RejectedWithoutChange(() => _p.Sender.Send(new ClosePeriodRequest("2026-13-01"), Ct).AsTask())).Code);
        Assert.Equal(Codes.Invalid, (await RejectedWithoutChange(() => _p.Sender.Send(new ClosePeriodRequest("2026-12"), Ct).AsTask())).Code);
        Assert.Equal(Codes.PeriodNotEnded, (await RejectedWithoutChange(() => _p.Sender.Send(new ClosePeriodRequest("2026-12-02"), Ct).AsTask())).Code);
    }
}
