using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Pairings;
using Marten;

namespace ComputeNet.Application.Pairings;

/// <summary>A schema written with the single <c>pairings</c> stream gets one stream per agreement, once, at start (<see cref="StreamSplit"/>).</summary>
public static class PairingStreamsUpgrade
{
    public const string OldStream = "pairings";

    public static Task<bool> EnsureAsync(IDocumentStore store, Action<string>? log, CancellationToken ct) =>
        StreamSplit.EnsureAsync(store, OldStream, e => PairingProjections.StreamOf(e switch
        {
            PairingAgreed a => a.PairingId,
            PairingEnded x => x.PairingId,
            _ => throw new InvalidOperationException($"unexpected {e.GetType().Name} in the pairings stream"),
        }), null, log, ct);
}
