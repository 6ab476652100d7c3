using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Settlement;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Application.Ledger;

/// <summary>
/// One ledger account's balance (signed fen, debit +) over every <c>TransactionPosted</c> of the period, cash and
/// corrections streams. Kept inline: its writers (closes under the exclusive settlement lock; cash actions and reversals
/// under the ledger lock, <see cref="SettlementLock.LedgerAsync"/>) never run at once, so no update is lost.
/// </summary>
public sealed class LedgerAccountView
{
    /// <summary>The account, e.g. <c>buyer:sme-sh-1</c>.</summary>
    public string Id { get; set; } = "";
    public long BalanceFen { get; set; }
    /// <summary>The earliest <c>at</c> of a transaction posting to it: balances as of an earlier instant do not list it.</summary>
    public Instant FirstAt { get; set; }
}

public sealed class LedgerAccountProjection : MultiStreamProjection<LedgerAccountView, string>
{
    public LedgerAccountProjection() =>
        Identities<TransactionPosted>(t => t.Postings.Select(p => p.Account).Distinct(StringComparer.Ordinal).ToList());

    public override LedgerAccountView? Evolve(LedgerAccountView? snapshot, string id, IEvent e)
    {
        if (e.Data is not TransactionPosted t)
        {
            return snapshot;
        }
        snapshot ??= new LedgerAccountView { Id = id, FirstAt = t.At };
        // Every balance stays within ±(2^53 − 1) fen (market-rules §6): a transaction that would take one beyond fails the
        // whole commit with a MoneyRangeException naming the account, rather than wrap or lose precision (ADR 0019).
        snapshot.BalanceFen = Domain.Money.MoneyMath.Add(snapshot.BalanceFen,
            Domain.Money.MoneyMath.Sum(t.Postings.Where(p => p.Account == id), p => p.AmountFen, $"transaction {t.TxId} on {id}"), $"the balance of {id}");
        if (t.At < snapshot.FirstAt)
        {
            snapshot.FirstAt = t.At;
        }
        return snapshot;
    }
}

/// <summary>
/// One cash or reversal transaction by its id (the streams that grow with the platform's age; a period's transactions are
/// in its own stream and in <see cref="PeriodLedgerView"/>): a reversal finds what it reverses, a cash action finds an
/// earlier use of its id, and balances as of an instant subtract what was posted after it, each by index.
/// </summary>
public sealed class LedgerTransactionView
{
    /// <summary>The transaction id (<c>{period}/{lease}/{kind}</c>, <c>cash/{id}</c>, <c>reversal/{id}</c>).</summary>
    public string Id { get; set; } = "";
    public string Stream { get; set; } = "";
    /// <summary><c>at</c> in Unix ticks (100 ns, rounded down), for range queries; <see cref="Transaction"/> holds the exact instant.</summary>
    public long AtTicks { get; set; }
    /// <summary>For a reversal, the transaction it reverses (read from its memo as <c>Corrections</c> does).</summary>
    public string? Reverses { get; set; }
    public TransactionPosted Transaction { get; set; } = null!;
}

public sealed partial class LedgerTransactionProjection : EventProjection
{
    public LedgerTransactionProjection() => IncludeType<TransactionPosted>();

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (e.Data is TransactionPosted t && LedgerLogProjection.InLog(e.StreamKey))
        {
            operations.Store(new LedgerTransactionView
            {
                Id = t.TxId, Stream = e.StreamKey ?? "", AtTicks = t.At.ToUnixTimeTicks(), Reverses = ReversedBy(t), Transaction = t,
            });
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The transaction a reversal reverses, parsed from its memo exactly as <see cref="Corrections"/> does.</summary>
    public static string? ReversedBy(TransactionPosted t) =>
        t.TxId.StartsWith(Corrections.Prefix, StringComparison.Ordinal) ? t.Memo["reverses ".Length..t.Memo.IndexOf(':')] : null;
}

/// <summary>
/// The whole ledger in one document: how many transactions were posted, and the ledger log (every cash and reversal
/// transaction in commit order, audit.md) as an RFC 6962 frontier, so a checkpoint reads the log's size and root
/// without reading the log.
/// </summary>
public sealed class LedgerLogView
{
    public const string Key = "ledger";
    public string Id { get; set; } = Key;
    /// <summary>Every <c>TransactionPosted</c> in the store, period, cash and corrections streams.</summary>
    public long Transactions { get; set; }
    public long LogSize { get; set; }
    /// <summary>The log's frontier: hex subtree roots, largest first, with their heights.</summary>
    public List<LogPeak> LogPeaks { get; set; } = [];

    public MerkleFrontier Frontier() => MerkleFrontier.Restore(LogSize, LogPeaks.Select(p => (p.Level, Convert.FromHexString(p.Hash))));

    public string LogRoot() => Convert.ToHexStringLower(Frontier().Root());
}

public sealed record LogPeak(int Level, string Hash);

public sealed class LedgerLogProjection : MultiStreamProjection<LedgerLogView, string>
{
    public LedgerLogProjection() => Identity<TransactionPosted>(_ => LedgerLogView.Key);

    /// <summary>Whether a transaction belongs to the ledger log: cash actions, reversals and credit notes, not period transactions.</summary>
    public static bool InLog(string? stream) => stream is MartenSetup.Streams.Cash or MartenSetup.Streams.Corrections or Disputes.DisputeProjections.CreditNotesStream;

    public override LedgerLogView? Evolve(LedgerLogView? snapshot, string id, IEvent e)
    {
        if (e.Data is not TransactionPosted t)
        {
            return snapshot;
        }
        snapshot ??= new LedgerLogView();
        snapshot.Transactions++;
        if (InLog(e.StreamKey))
        {
            var frontier = snapshot.Frontier();
            frontier.Append(Statements.LeafHash(t));
            snapshot.LogSize = frontier.Size;
            snapshot.LogPeaks = frontier.Peaks.Select(p => new LogPeak(p.Level, Convert.ToHexStringLower(p.Hash))).ToList();
        }
        return snapshot;
    }
}

/// <summary>
/// What one close posted at one instant: the number of transactions and each account's net change. A close posts all its
/// transactions at its own instant, so this is one document per close (keyed by period and instant, so it stays exact
/// even if a close ever posted at several): balances as of an instant subtract the documents after it instead of reading
/// a period's transactions. A period's transactions themselves are read from its stream (reversals of them, verification).
/// </summary>
public sealed class PeriodLedgerView
{
    public string Id { get; set; } = "";
    public string Period { get; set; } = "";
    public Instant At { get; set; }
    /// <summary><see cref="At"/> in Unix ticks (100 ns, rounded down), indexed.</summary>
    public long AtTicks { get; set; }
    public long Transactions { get; set; }
    public Dictionary<string, long> Deltas { get; set; } = new(StringComparer.Ordinal);

    public static string KeyOf(TransactionPosted t) => $"{t.Period}@{InstantPattern.ExtendedIso.Format(t.At)}";
}

public sealed class PeriodLedgerProjection : MultiStreamProjection<PeriodLedgerView, string>
{
    public PeriodLedgerProjection()
    {
        IncludeType<TransactionPosted>();
        CustomGrouping((_, events, grouping) =>
        {
            foreach (var e in events)
            {
                if (e.Data is TransactionPosted t && !LedgerLogProjection.InLog(e.StreamKey))
                {
                    grouping.AddEvent(PeriodLedgerView.KeyOf(t), e);
                }
            }
            return Task.CompletedTask;
        });
    }

    public override PeriodLedgerView? Evolve(PeriodLedgerView? snapshot, string id, IEvent e)
    {
        if (e.Data is not TransactionPosted t)
        {
            return snapshot;
        }
        snapshot ??= new PeriodLedgerView { Id = id, Period = t.Period, At = t.At, AtTicks = t.At.ToUnixTimeTicks() };
        snapshot.Transactions++;
        foreach (var p in t.Postings)
        {
            snapshot.Deltas[p.Account] = snapshot.Deltas.GetValueOrDefault(p.Account) + p.AmountFen;
        }
        return snapshot;
    }
}
