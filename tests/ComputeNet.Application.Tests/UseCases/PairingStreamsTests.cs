using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Pairings;
using ComputeNet.Application.Pairings.AgreePairing;
using ComputeNet.Domain;
using Marten;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>One stream per pairing agreement: overlaps refused under races on one hub, and the upgrade of the single <c>pairings</c> stream.</summary>
public sealed class PairingStreamsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Overlapping_agreements_racing_on_one_hub_leave_exactly_one()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await using var q = await p.SecondProcessAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            try
            {
                await (i % 2 == 0 ? p : q).Sender.Send(new AgreePairingRequest($"pair-{i}", "east-sh", ["shanghai"], "ningxia", 2, 1, 1, Dec1), Ct);
                return "agreed";
            }
            catch (RejectedException e)
            {
                return e.Rejection.Code;
            }
        }));
        Assert.Single(outcomes, o => o == "agreed");
        Assert.All(outcomes.Where(o => o != "agreed"), o => Assert.Equal(Codes.OverlappingPairing, o));
        Assert.Single(await p.Sender.Send(new ListPairingsRequest(), Ct));
    }

    [Fact]
    public async Task A_schema_with_the_single_pairings_stream_is_upgraded_at_start()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(new AgreePairingRequest("b", "east-sh", ["shanghai"], "ningxia", 2, 1, 1, Dec1), Ct);
        await p.Sender.Send(new EndPairingRequest("b", Dec8), Ct);
        await p.Sender.Send(new AgreePairingRequest("a", "east-sh", ["shanghai"], "ningxia", 1, 1, 1, Dec8), Ct);
        string Json(object value) => p.Store.Options.Serializer().ToJson(value);
        var before = Json(await p.Sender.Send(new ListPairingsRequest(), Ct));

        await p.TamperAsync("""
            insert into {schema}.mt_streams (id, version, is_archived)
              select 'pairings', count(*), false from {schema}.mt_events where stream_id like 'pairing:%';
            update {schema}.mt_events e set stream_id = 'pairings', version = o.n
              from (select seq_id, row_number() over (order by seq_id) as n from {schema}.mt_events where stream_id like 'pairing:%') o
              where e.seq_id = o.seq_id;
            delete from {schema}.mt_streams where id like 'pairing:%';
            delete from {schema}.mt_doc_pairingdocument;
            """);
        await using var restarted = await p.SecondProcessAsync();

        Assert.Equal(before, Json(await restarted.Sender.Send(new ListPairingsRequest(), Ct)));
        await using (var session = restarted.Store.QuerySession())
        {
            Assert.True((await session.Events.FetchStreamStateAsync(PairingStreamsUpgrade.OldStream, Ct))!.IsArchived);
            Assert.Equal(3, (await session.LoadAsync<StreamSplit.Marker>(StreamSplit.MarkerKey("pairings"), Ct))!.CopiedEvents);
            Assert.Equal(Dec8, (await PairingService.ValidAtAsync(session, Dec2, Ct)).Pairings.Single().ValidTo);
        }
        var overlap = await Assert.ThrowsAsync<RejectedException>(() =>
            restarted.Sender.Send(new AgreePairingRequest("c", "east-sh", ["shanghai"], "ningxia", 1, 1, 1, Dec2), Ct).AsTask());
        Assert.Equal(Codes.OverlappingPairing, overlap.Rejection.Code);
    }
}
