namespace ComputeNet.Application.Actions;

/// <summary>
/// Who is acting: the key that authenticated the request and the party it belongs to (market-rules: every accepted
/// command records its acting key; issue 13, "who did what").
/// </summary>
/// <param name="KeyId">A party key's id (its first 12 characters, <c>cnk_…</c>; never the secret), <c>operator:{fingerprint}</c>
/// for the configured operator key, <c>cli:{user}</c> for the operator's CLI, <c>scenario</c> for a scenario's actions and
/// <c>system</c> for the platform's own work (upgrades at start, background signing), <c>system:{creditNoteId}</c> for
/// the refund a credit note starts.</param>
/// <param name="Party">The acting party's id (<c>operator</c> for the operator, <c>platform</c> for the system).</param>
public sealed record Actor(string KeyId, string Party)
{
    public const int MaxKeyIdLength = 64;

    /// <summary>The platform's own work, when no request or command line is acting.</summary>
    public static readonly Actor System = new("system", "platform");

    /// <summary>
    /// The platform acting on behalf of a credit note: the refund a credit note starts by itself (ADR 0032) is logged as
    /// <c>system:{creditNoteId}</c>, not as the operator who accepted the dispute.
    /// </summary>
    public static Actor ForCreditNote(string creditNoteId) => new(Bounded("system:" + creditNoteId), System.Party);

    /// <summary>The operator at the command line (<c>computenet close</c>, <c>cash</c>, …), named by the OS user.</summary>
    public static Actor Cli() => new(Bounded("cli:" + Environment.UserName), "operator");

    /// <summary>The configured operator key, by a fingerprint of it (8 hex digits of its SHA-256): rotating it shows.</summary>
    public static Actor OperatorKey(string key) => new("operator:" + Parties.ApiKeys.Hash(key)[..8], "operator");

    private static string Bounded(string s) => s.Length <= MaxKeyIdLength ? s : s[..MaxKeyIdLength];
}

/// <summary>
/// The actor of the current flow of work (an <see cref="AsyncLocal{T}"/>: it follows awaits and the tasks a request
/// starts). Set by the hosts — the API after authentication, the CLI at start, the scenario runner per action — and read
/// where events are appended (<see cref="ActionRecorder"/>) and where the market queues a command.
/// </summary>
public static class Acting
{
    private static readonly AsyncLocal<Actor?> _current = new();

    /// <summary>The actor of this flow, or <see cref="Actor.System"/> when no host set one.</summary>
    public static Actor Current => _current.Value ?? Actor.System;

    /// <summary>Acts as <paramref name="actor"/> until the returned scope is disposed (then the previous actor again).</summary>
    public static IDisposable As(Actor actor)
    {
        var previous = _current.Value;
        _current.Value = actor;
        return new Scope(previous);
    }

    private sealed class Scope(Actor? previous) : IDisposable
    {
        public void Dispose() => _current.Value = previous;
    }
}
