using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Parties;
using Marten;

namespace ComputeNet.Application.Parties;

/// <summary>A schema written with the single <c>parties</c> stream gets one stream per party, once, at start (<see cref="StreamSplit"/>).</summary>
public static class PartyStreamsUpgrade
{
    public const string OldStream = "parties";

    public static Task<bool> EnsureAsync(IDocumentStore store, Action<string>? log, CancellationToken ct) =>
        StreamSplit.EnsureAsync(store, OldStream, e => PartyProjections.StreamOf(e switch
        {
            PartyRegistered r => r.PartyId,
            ApiKeyIssued k => k.PartyId,
            ApiKeysRevoked v => v.PartyId,
            _ => throw new InvalidOperationException($"unexpected {e.GetType().Name} in the parties stream"),
        }), null, log, ct);
}
