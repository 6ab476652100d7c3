using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Domain;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Disputes;
using ComputeNet.Domain.Settlement;
using Marten;

namespace ComputeNet.Application.Disputes;

/// <summary>A dispute as callers see it, with its credit note once accepted.</summary>
public sealed record DisputeView(string Id, string Buyer, string Period, string Bid, string Offer, string Kind, bool Late, long ClaimFen, string Reason,
    string State, long? AcceptedFen, NodaTime.Instant OpenedAt, NodaTime.Instant? DecidedAt, string? CreditNote, bool Repeat = false)
{
    public static DisputeView Of(DisputeDocument d, bool repeat = false) => new(d.Id, d.Buyer, d.Period, d.Opened.Line.Bid, d.Opened.Line.Offer,
        d.Opened.Line.Kind, d.Opened.Line.Late, d.Opened.ClaimFen, d.Opened.Reason, d.State, d.AcceptedFen, d.Opened.At, d.DecidedAt,
        d.State == DisputeStates.Accepted ? CreditNoteIssued.IdOf(d.Id) : null, repeat);

    public static DisputeView Of(DisputeOpened o, string state, long? accepted, NodaTime.Instant? decidedAt, bool repeat) => new(o.DisputeId, o.Buyer,
        o.Line.Period, o.Line.Bid, o.Line.Offer, o.Line.Kind, o.Line.Late, o.ClaimFen, o.Reason, state, accepted, o.At, decidedAt,
        state == DisputeStates.Accepted ? CreditNoteIssued.IdOf(o.DisputeId) : null, repeat);
}

/// <summary>
/// Disputes and credit notes (market-rules §14, ADR 0026). An opening decides on its invoice line's stream
/// (<c>dispute-line:{line}</c>) under an advisory lock on its id (disputes have their own id space across lines). A
/// resolution decides on the same line stream; an acceptance also appends the credit note and its transaction to the
/// <c>credit-notes</c> stream under the shared settlement lock and the ledger lock, as cash actions and reversals do — and,
/// when the note leaves its buyer in credit, the refund of that credit (ADR 0032) in the same transaction.
/// </summary>
public sealed class DisputeService(IDocumentStore store, PartyDirectory parties, Payments.IPaymentGateway gateway,
    Payments.RefundThroughStripe.RefundSettings refundSettings)
{
    public static string IdLock(string id) => "computenet-dispute-id:" + id;

    public async Task<DisputeView> OpenAsync(Domain.Disputes.OpenDispute cmd, CancellationToken ct)
    {
        var party = await parties.FindAsync(cmd.Party, ct);
        return await Decider.RunAsync(store, async (session, token) =>
        {
            var id = cmd.DisputeId ?? "";
            if (!string.IsNullOrWhiteSpace(id) && id.Length <= DisputeLine.MaxId)
            {
                await Decider.LockAsync(session, IdLock(id), token);
            }
            var same = string.IsNullOrWhiteSpace(id) ? null : await session.LoadAsync<DisputeDocument>(id, token);
            // The line is read only when the decision can get that far (a known buyer, a new id).
            var line = party is null || same is not null ? null : await LineAsync(session, cmd, token);
            var streamKey = DisputeProjections.StreamOf(same?.Opened.Line.Key ?? line?.Key ?? "none");
            var stream = await session.Events.FetchForWriting<DisputeLineStream>(streamKey, token);
            var state = stream.Aggregate ?? new DisputeLineStream { Id = streamKey };
            var decided = state.Line.Decide(cmd, party, same?.Opened, line);
            if (decided.Count == 0)
            {
                return new Decided<DisputeView>(DisputeView.Of(same!, repeat: true), false);
            }
            stream.AppendMany(decided.ToArray());
            return new Decided<DisputeView>(DisputeView.Of((DisputeOpened)decided[0], DisputeStates.Open, null, null, false), true);
        }, ct);
    }

    public Task<DisputeView> ResolveAsync(Domain.Disputes.ResolveDispute cmd, CancellationToken ct) =>
        Decider.RunAsync(store, async (session, token) =>
        {
            // The ledger lock before anything is read: the buyer's credit-note chain head and the balances stay as read.
            await SettlementLock.ShareAsync(session, token);
            await SettlementLock.LedgerAsync(session, token);
            var doc = string.IsNullOrWhiteSpace(cmd.DisputeId) || cmd.DisputeId.Length > DisputeLine.MaxId ? null
                : await session.LoadAsync<DisputeDocument>(cmd.DisputeId, token);
            if (doc is null)
            {
                throw RejectedException.Of(Codes.Invalid, $"no dispute '{cmd.DisputeId}'", "dispute");
            }
            var streamKey = DisputeProjections.StreamOf(doc.Opened.Line.Key);
            var stream = await session.Events.FetchForWriting<DisputeLineStream>(streamKey, token);
            var state = stream.Aggregate ?? new DisputeLineStream { Id = streamKey };
            var head = await session.Query<CreditNoteDocument>().Where(n => n.Buyer == doc.Buyer).OrderByDescending(n => n.Seq).Take(1).ToListAsync(token);
            var notesVersion = (await session.Events.FetchStreamStateAsync(DisputeProjections.CreditNotesStream, token))?.Version ?? 0;
            var decided = state.Line.Decide(cmd, head.Count == 0 ? Statements.Genesis : head[0].Note.Hash!);
            if (decided.Count == 0)
            {
                return new Decided<DisputeView>(DisputeView.Of(doc, repeat: true), false);
            }
            stream.AppendMany(decided.Where(e => e is DisputeAccepted or DisputeRejected).ToArray());
            var notes = decided.Where(e => e is CreditNoteIssued or TransactionPosted).ToArray();
            if (notes.Length > 0)
            {
                ExpectedVersion.Append(session, DisputeProjections.CreditNotesStream, notesVersion, notes);
                await StartRefundAsync(session, notes.OfType<CreditNoteIssued>().Single(), token);
            }
            var (outcome, amount) = decided[0] is DisputeAccepted a ? (DisputeStates.Accepted, (long?)a.AmountFen) : (DisputeStates.Rejected, null);
            return new Decided<DisputeView>(DisputeView.Of(doc.Opened, outcome, amount, cmd.At, false), true);
        }, ct);

    /// <summary>
    /// The refund a credit note starts by itself (ADR 0032): in the note's session — under the ledger lock, so the buyer's
    /// balance read here holds until the commit — the <c>refund</c> cash action <c>refund-{note}</c> of what the note leaves the
    /// buyer in credit (never above its credit balance; nothing while it owes), and, when the buyer paid through the payment
    /// provider, the refund's outbox entry (<see cref="Payments.RefundThroughStripe.RefundProjections.PlanAsync"/>), exactly as
    /// the operator's cash action would. The note and its refund commit together or not at all; the note is issued once, so the
    /// refund is started once. Logged as the platform acting for the note. Nothing when the setting is off, or when the cash id
    /// is already taken (an operator recorded it by hand).
    /// </summary>
    private async Task StartRefundAsync(IDocumentSession session, CreditNoteIssued note, CancellationToken ct)
    {
        if (!refundSettings.AutoRefundCreditNotes)
        {
            return;
        }
        var account = $"buyer:{note.Buyer}";
        var before = (await session.LoadAsync<Ledger.LedgerAccountView>(account, ct))?.BalanceFen ?? 0;
        if (CreditNoteRefunds.Decide(note, before) is not { } refund
            || await session.LoadAsync<Ledger.LedgerTransactionView>(Domain.Ledger.CashBook.TxIdOf(refund.CashId!), ct) is not null)
        {
            return;
        }
        var buyer = await parties.FindAsync(note.Buyer, ct);
        var after = CreditNoteRefunds.BalanceAfter(note, before);
        var decided = new Domain.Ledger.CashBook().Decide(refund, id => id == buyer?.Id ? buyer : null, a => a == account ? after : 0);
        var cashVersion = (await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Cash, ct))?.Version ?? 0;
        ExpectedVersion.Append(session, MartenSetup.Streams.Cash, cashVersion, [CreditNoteRefunds.Named((TransactionPosted)decided.Single(), note.Id)]);
        if (gateway.Configured)
        {
            await Payments.RefundThroughStripe.RefundProjections.PlanAsync(session, note.Buyer, refund.CashId!, refund.AmountFen, refund.At, ct);
        }
        Actions.ActionLog.ActAs(session, Actions.Actor.ForCreditNote(note.Id), note.At, MartenSetup.Streams.Cash,
            MartenSetup.Streams.Cash, Domain.Payments.Refunds.StreamOf(refund.CashId!));
    }

    /// <summary>
    /// The buyer's invoice line of <paramref name="period"/> with the most left to credit (its amount less what its credit
    /// notes credited), ties to the first in line order; never an SLA credit; null when none has anything left.
    /// </summary>
    public async Task<(InvoiceLine Line, long LeftFen)?> LargestLineAsync(string period, string buyer, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(period), token: ct);
        var invoice = events.Select(e => e.Data).OfType<InvoiceIssued>().FirstOrDefault(i => i.Buyer == buyer);
        (InvoiceLine Line, long LeftFen)? best = null;
        foreach (var line in invoice?.Lines.Where(l => l.Kind != LineKinds.SlaCredit) ?? [])
        {
            var key = DisputeProjections.StreamOf(DisputedLine.KeyOf(invoice!.Period, line.LeaseId, line.Kind, line.Late));
            var state = await session.Events.AggregateStreamAsync<DisputeLineStream>(key, token: ct);
            var left = line.AmountFen - (state?.Line.CreditedFen ?? 0);
            if (left > 0 && (best is null || left > best.Value.LeftFen))
            {
                best = (line, left);
            }
        }
        return best;
    }

    /// <summary>
    /// The buyer's issued line so named, from its period's stream (the invoice and the line's charge transaction): null when
    /// the period is not closed or the buyer has no such line. It reads one period's events, as a reversal of a close's
    /// transaction does: the cost of the period, not of the platform's age.
    /// </summary>
    private static async Task<DisputedLine?> LineAsync(IQuerySession session, Domain.Disputes.OpenDispute cmd, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(cmd.Period) || cmd.Period.Length > 16)
        {
            return null;
        }
        var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(cmd.Period), token: ct);
        var invoice = events.Select(e => e.Data).OfType<InvoiceIssued>().FirstOrDefault(i => i.Buyer == cmd.Party);
        var line = invoice?.Lines.FirstOrDefault(l => l.Bid == cmd.Bid && l.Offer == cmd.Offer && l.Kind == cmd.Kind && l.Late == cmd.Late);
        if (invoice is null || line is null)
        {
            return null;
        }
        var key = DisputedLine.KeyOf(invoice.Period, line.LeaseId, line.Kind, line.Late);
        var charge = events.Select(e => e.Data).OfType<TransactionPosted>().FirstOrDefault(t => t.TxId == key);
        return charge is null ? null : DisputedLine.From(invoice, line, charge);
    }
}
