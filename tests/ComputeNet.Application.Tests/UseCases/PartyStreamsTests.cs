using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Parties.ListParties;
using ComputeNet.Application.Parties.ListRoutes;
using ComputeNet.Application.Parties.ManageApiKeys;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Domain;
using ComputeNet.Domain.Parties;
using Marten;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>One stream per party: keys by index, routes unique across carriers under races, and the upgrade of a schema with the single <c>parties</c> stream.</summary>
public sealed class PartyStreamsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Carriers_racing_for_one_route_leave_exactly_one_serving_it_and_registration_order_has_no_gap()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await using var q = await p.SecondProcessAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await (i % 2 == 0 ? p : q).Sender.Send(new RegisterPartyRequest($"carrier-{i}", ["carrier"],
                    Routes: [new RouteSet(["shanghai"], ["zhongwei", $"{(i == 0 ? "wuhu" : "zhongwei")}"])]), Ct);
                return "registered";
            }
            catch (RejectedException e)
            {
                return e.Rejection.Code;
            }
        }));
        Assert.Single(outcomes, o => o == "registered");
        Assert.All(outcomes.Where(o => o != "registered"), o => Assert.Equal(Codes.OverlappingRoute, o));
        var winner = Assert.Single(await p.Sender.Send(new ListPartiesRequest(), Ct));
        Assert.Equal(1, winner.Ordinal);
        Assert.All(await p.Sender.Send(new ListRoutesRequest(), Ct), r => Assert.Equal(winner.Id, r.Carrier));
        await p.Sender.Send(Buyer(), Ct);
        Assert.Equal([1L, 2L], (await q.Sender.Send(new ListPartiesRequest(), Ct)).Select(x => x.Ordinal));
    }

    [Fact]
    public async Task An_unknown_key_is_refused_and_a_revocation_on_another_host_holds_within_the_staleness_bound()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await using var q = await p.SecondProcessAsync();
        var buyer = await p.Sender.Send(Buyer() with { IssueApiKey = true }, Ct);
        Assert.Null(await p.Sender.Send(new AuthenticateApiKeyRequest(ApiKeys.New().Key), Ct));
        Assert.Equal("sme-sh-1", (await q.Sender.Send(new AuthenticateApiKeyRequest(buyer.ApiKey!), Ct))?.Id);
        Assert.True(await p.Sender.Send(new RevokeApiKeysRequest("sme-sh-1"), Ct));
        Assert.Null(await p.Sender.Send(new AuthenticateApiKeyRequest(buyer.ApiKey!), Ct));
        await Task.Delay(PartyDirectory.MaxStaleness + TimeSpan.FromMilliseconds(100), Ct);
        Assert.Null(await q.Sender.Send(new AuthenticateApiKeyRequest(buyer.ApiKey!), Ct));
    }

    [Fact]
    public async Task A_schema_with_the_single_parties_stream_is_upgraded_at_start_with_keys_routes_and_order_kept()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        var buyer = await p.Sender.Send(Buyer() with { IssueApiKey = true }, Ct);
        var carrier = await p.Sender.Send(new RegisterPartyRequest("carrier-1", ["carrier"], Routes: [new RouteSet(["shanghai", "beijing"], ["zhongwei"])],
            IssueApiKey: true), Ct);
        await p.Sender.Send(Provider(), Ct);
        var rotated = await p.Sender.Send(new RotateApiKeyRequest("carrier-1"), Ct);
        var provider = await p.Sender.Send(new RotateApiKeyRequest("prov-nx"), Ct);
        await p.Sender.Send(new RevokeApiKeysRequest("prov-nx"), Ct);
        string Json(object value) => p.Store.Options.Serializer().ToJson(value);
        var parties = Json(await p.Sender.Send(new ListPartiesRequest(), Ct));
        var routes = Json(await p.Sender.Send(new ListRoutesRequest(), Ct));

        await p.TamperAsync("""
            insert into {schema}.mt_streams (id, version, is_archived)
              select 'parties', count(*), false from {schema}.mt_events where stream_id like 'party:%';
            update {schema}.mt_events e set stream_id = 'parties', version = o.n
              from (select seq_id, row_number() over (order by seq_id) as n from {schema}.mt_events where stream_id like 'party:%') o
              where e.seq_id = o.seq_id;
            delete from {schema}.mt_streams where id like 'party:%';
            delete from {schema}.mt_doc_partydocument; delete from {schema}.mt_doc_routedocument;
            """);
        await using var restarted = await p.SecondProcessAsync();

        Assert.Equal(parties, Json(await restarted.Sender.Send(new ListPartiesRequest(), Ct)));
        Assert.Equal(routes, Json(await restarted.Sender.Send(new ListRoutesRequest(), Ct)));
        Assert.Equal("sme-sh-1", (await restarted.Sender.Send(new AuthenticateApiKeyRequest(buyer.ApiKey!), Ct))?.Id);
        Assert.Equal("carrier-1", (await restarted.Sender.Send(new AuthenticateApiKeyRequest(rotated.ApiKey), Ct))?.Id);
        Assert.Null(await restarted.Sender.Send(new AuthenticateApiKeyRequest(carrier.ApiKey!), Ct));
        Assert.Null(await restarted.Sender.Send(new AuthenticateApiKeyRequest(provider.ApiKey), Ct));
        await using (var session = restarted.Store.QuerySession())
        {
            Assert.True((await session.Events.FetchStreamStateAsync(PartyStreamsUpgrade.OldStream, Ct))!.IsArchived);
            Assert.Equal(8, (await session.LoadAsync<StreamSplit.Marker>(StreamSplit.MarkerKey("parties"), Ct))!.CopiedEvents);
            Assert.Equal(3, (await session.Events.FetchStreamStateAsync(PartyProjections.StreamOf("prov-nx"), Ct))!.Version);
        }
        var overlap = await Assert.ThrowsAsync<RejectedException>(() =>
            restarted.Sender.Send(new RegisterPartyRequest("carrier-2", ["carrier"], Routes: [new RouteSet(["beijing"], ["zhongwei"])]), Ct).AsTask());
        Assert.Equal(Codes.OverlappingRoute, overlap.Rejection.Code);
        Assert.False((await restarted.Sender.Send(Buyer(), Ct)).Created);
        Assert.Equal(4, (await restarted.Sender.Send(new RegisterPartyRequest("sh-gov", ["issuer"]), Ct)).Party.Ordinal);
    }
}
