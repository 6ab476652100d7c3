using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Ledger;

public sealed record ReverseTransaction(string? CorrectionId, string TxId, string Reason, Instant At);

/// <summary>
/// Corrections: history is never edited; a mistaken transaction is answered by a new one with every posting negated
/// (market-rules §10). A transaction is reversed at most once; reversals themselves are not reversed (post a new
/// correct transaction instead).
/// </summary>
public sealed class Corrections
{
    public const string Prefix = "reversal/";
    private readonly Dictionary<string, TransactionPosted> _byCorrectionId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _reversedBy = new(StringComparer.Ordinal);

    public IReadOnlyList<object> Decide(ReverseTransaction cmd, Func<string, TransactionPosted?> find)
    {
        if (string.IsNullOrWhiteSpace(cmd.CorrectionId) || cmd.CorrectionId.Length > 64)
        {
            throw RejectedException.Of(Codes.Invalid, "a correction needs an id of at most 64 characters", "id");
        }
        if (string.IsNullOrWhiteSpace(cmd.Reason) || cmd.Reason.Length > 500)
        {
            throw RejectedException.Of(Codes.Invalid, "a correction states its reason (at most 500 characters)", "reason");
        }
        if (_byCorrectionId.TryGetValue(cmd.CorrectionId, out var earlier))
        {
            return earlier.Memo.StartsWith($"reverses {cmd.TxId}:", StringComparison.Ordinal) ? []
                : throw RejectedException.Of(Codes.IdReused, $"correction id '{cmd.CorrectionId}' was already used for another transaction", "id");
        }
        var original = find(cmd.TxId) ?? throw RejectedException.Of(Codes.Invalid, $"no transaction '{cmd.TxId}'", "txId");
        if (original.TxId.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw RejectedException.Of(Codes.Invalid, "a reversal is not reversed; post a new correct transaction instead", "txId");
        }
        if (_reversedBy.TryGetValue(cmd.TxId, out var by))
        {
            throw RejectedException.Of(Codes.Invalid, $"transaction '{cmd.TxId}' was already reversed by correction '{by}'", "txId");
        }
        return
        [
            new TransactionPosted(Prefix + cmd.CorrectionId, original.Period, "reversal", $"reverses {cmd.TxId}: {cmd.Reason}",
                original.Postings.Select(p => new Posting(p.Account, -p.AmountFen)).ToList(), cmd.At).EnsureBalanced(),
        ];
    }

    public void Evolve(object e)
    {
        if (e is TransactionPosted t && t.TxId.StartsWith(Prefix, StringComparison.Ordinal))
        {
            var id = t.TxId[Prefix.Length..];
            _byCorrectionId[id] = t;
            var reversed = t.Memo["reverses ".Length..t.Memo.IndexOf(':')];
            _reversedBy[reversed] = id;
        }
    }
}
