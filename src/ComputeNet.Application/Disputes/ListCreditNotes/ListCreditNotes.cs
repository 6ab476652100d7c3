using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain;
using ComputeNet.Domain.Disputes;
using Marten;
using Mediator;

namespace ComputeNet.Application.Disputes.ListCreditNotes;

/// <summary>Whose credit notes a list shows: a buyer's own, those debiting an earner, those returning an issuer's voucher part, or all.</summary>
public enum CreditNoteScope
{
    All,
    Buyer,
    Earner,
    Issuer,
}

/// <summary>
/// The refund a credit note started by itself (ADR 0032): its id (the cash action's), the fen paid back, and its status —
/// that of the refund through the payment provider (<c>requested</c>, <c>pending</c>, <c>refunded</c>, <c>failed</c>;
/// <c>GET /v1/refunds/{refundId}</c>), or <c>bank</c> for a refund the operator pays by bank transfer (no provider).
/// </summary>
public sealed record CreditNoteRefundView(string RefundId, long AmountFen, string Status);

/// <summary>
/// A credit note as one party sees it: the document, and what it means to that party — for the buyer the due it is
/// credited (x − v), for the earner what it gives back, for the issuer what it owes less (v). <see cref="Refund"/> is the
/// refund the note started, shown to the buyer, operators and regulators (null when it started none).
/// </summary>
public sealed record CreditNoteView(string Id, string Dispute, string Period, string Buyer, string Bid, string Offer, string Kind, bool Late,
    long AmountFen, long TaxFen, long VoucherFen, long DueFen, string Reason, string Earner, string? Issuer, IReadOnlyList<Domain.Settlement.Posting> Postings,
    NodaTime.Instant At, string? Hash, string? PreviousHash, long? GivesBackFen = null, long? OwesLessFen = null, CreditNoteRefundView? Refund = null)
{
    public static CreditNoteView Of(CreditNoteIssued n, string? earner = null, string? issuer = null, CreditNoteRefundView? refund = null) => new(n.Id, n.Dispute, n.Period, n.Buyer, n.Bid,
        n.Offer, n.Kind, n.Late, n.AmountFen, n.TaxFen, n.VoucherFen, n.DueFen, n.Reason, n.Earner, n.Issuer, n.Postings, n.At, n.Hash, n.PreviousHash,
        earner is null ? null : n.Postings.Where(p => DisputeProjections.PartyOf(p.Account) == earner && p.AmountFen > 0 && p.Account == n.Earner).Sum(p => p.AmountFen),
        issuer is null ? null : -n.VoucherFen, refund);
}

/// <summary>Credit notes in issue order for a scope (<see cref="Party"/> its party), paged in PostgreSQL by the (party, seq) indexes.</summary>
public sealed record ListCreditNotesRequest(CreditNoteScope Scope, string? Party = null, int Offset = 0, int? Limit = null) : IQuery<IReadOnlyList<CreditNoteView>>;

/// <summary>One credit note, if <see cref="Party"/> may read it under <see cref="Scope"/> (else not found).</summary>
public sealed record GetCreditNoteRequest(string Id, CreditNoteScope Scope, string? Party = null) : IQuery<CreditNoteView>;

public sealed class ListCreditNotesHandler(IDocumentStore store) : IQueryHandler<ListCreditNotesRequest, IReadOnlyList<CreditNoteView>>,
    IQueryHandler<GetCreditNoteRequest, CreditNoteView>
{
    public async ValueTask<IReadOnlyList<CreditNoteView>> Handle(ListCreditNotesRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var query = session.Query<CreditNoteDocument>().AsQueryable();
        var party = q.Party ?? "";
        query = q.Scope switch
        {
            CreditNoteScope.Buyer => query.Where(d => d.Buyer == party),
            CreditNoteScope.Earner => query.Where(d => d.Earner == party),
            CreditNoteScope.Issuer => query.Where(d => d.Issuer == party),
            _ => q.Party is null ? query : query.Where(d => d.Buyer == party),
        };
        var page = await Settlement.SettlementReader.Page(query.OrderBy(d => d.Seq), q.Offset, q.Limit).ToListAsync(ct);
        var refunds = await RefundsAsync(session, q.Scope, page, ct);
        return page.Select(d => View(d, q.Scope, party, refunds.GetValueOrDefault(d.Id))).ToList();
    }

    public async ValueTask<CreditNoteView> Handle(GetCreditNoteRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var d = q.Id is { Length: > 0 and <= 80 } ? await session.LoadAsync<CreditNoteDocument>(q.Id, ct) : null;
        var party = q.Party ?? "";
        var visible = d is not null && q.Scope switch
        {
            CreditNoteScope.Buyer => d.Buyer == party,
            CreditNoteScope.Earner => d.Earner == party,
            CreditNoteScope.Issuer => d.Issuer == party,
            _ => true,
        };
        if (!visible)
        {
            throw RejectedException.Of(Codes.NotFound, $"no credit note '{q.Id}'", "id");
        }
        var refunds = await RefundsAsync(session, q.Scope, [d!], ct);
        return View(d!, q.Scope, party, refunds.GetValueOrDefault(d!.Id));
    }

    private static CreditNoteView View(CreditNoteDocument d, CreditNoteScope scope, string party, CreditNoteRefundView? refund) => scope switch
    {
        CreditNoteScope.Earner => CreditNoteView.Of(d.Note, earner: party),
        CreditNoteScope.Issuer => CreditNoteView.Of(d.Note, issuer: party),
        _ => CreditNoteView.Of(d.Note, refund: refund),
    };

    /// <summary>
    /// The refunds the notes started, by note id: their cash postings (<c>cash/refund-{note}</c>, a refund of the note's buyer)
    /// and refund documents, two reads by id for the page. An earner or an issuer is not shown the buyer's refund.
    /// </summary>
    private static async Task<Dictionary<string, CreditNoteRefundView>> RefundsAsync(IQuerySession session, CreditNoteScope scope,
        IReadOnlyList<CreditNoteDocument> notes, CancellationToken ct)
    {
        var found = new Dictionary<string, CreditNoteRefundView>(StringComparer.Ordinal);
        if (scope is CreditNoteScope.Earner or CreditNoteScope.Issuer || notes.Count == 0)
        {
            return found;
        }
        var ids = notes.ToDictionary(n => CreditNoteRefunds.CashIdOf(n.Id), StringComparer.Ordinal);
        var posted = await session.LoadManyAsync<Ledger.LedgerTransactionView>(ct, ids.Keys.Select(Domain.Ledger.CashBook.TxIdOf).ToArray());
        var through = (await session.LoadManyAsync<Payments.RefundThroughStripe.RefundDocument>(ct, ids.Keys.ToArray()))
            .ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var t in posted)
        {
            var cashId = t.Id[Domain.Ledger.CashBook.TxIdOf("").Length..];
            var note = ids[cashId];
            var buyerPosting = t.Transaction.Postings.FirstOrDefault(p => p.Account == $"buyer:{note.Buyer}");
            if (t.Stream == MartenSetup.Streams.Cash && t.Transaction.Kind == "refund" && buyerPosting is not null)
            {
                found[note.Id] = new CreditNoteRefundView(cashId, buyerPosting.AmountFen, through.GetValueOrDefault(cashId)?.Status ?? "bank");
            }
        }
        return found;
    }
}
