using ComputeNet.Domain.Money;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Disputes;

// ---- Commands ----------------------------------------------------------------------------------------------------------

/// <summary>A buyer disputes one of its invoice lines (market-rules §14): the line by period, bid, offer, kind and late flag.</summary>
public sealed record OpenDispute(string? DisputeId, string Party, string Period, string Bid, string Offer, string Kind, bool Late, long AmountFen,
    string? Reason, Instant At);

/// <summary>The operator decides a dispute: <c>accept</c> with an amount (1 ≤ x ≤ the claim) or <c>reject</c>.</summary>
public sealed record ResolveDispute(string DisputeId, string Outcome, long? AmountFen, Instant At);

public static class Outcomes
{
    public const string Accept = "accept";
    public const string Reject = "reject";
}

// ---- Events ------------------------------------------------------------------------------------------------------------

/// <summary>
/// Event (stream <c>dispute-line:{line}</c>): a buyer disputed an invoice line, claiming <see cref="ClaimFen"/>. It carries
/// the line's facts as the close issued them, so a resolution decides on this stream and the credit note alone.
/// </summary>
public sealed record DisputeOpened(string DisputeId, string Buyer, long ClaimFen, string Reason, DisputedLine Line, Instant At);

/// <summary>Event (line stream): the operator accepted <see cref="AmountFen"/>; <see cref="Postings"/> are the credit note's, so the
/// line knows what each part has given back.</summary>
public sealed record DisputeAccepted(string DisputeId, long AmountFen, IReadOnlyList<Posting> Postings, Instant At);

/// <summary>Event (line stream): the operator rejected the dispute.</summary>
public sealed record DisputeRejected(string DisputeId, Instant At);

/// <summary>
/// Event (stream <c>credit-notes</c>): the document an accepted dispute issues (market-rules §14). Amounts are negative
/// (−x, −tax, −v, −(x − v)); chained per buyer like invoices (§11). Its transaction follows it in the same stream.
/// </summary>
public sealed record CreditNoteIssued(string Id, string Dispute, string Period, string Buyer, string Bid, string Offer, string Kind, bool Late,
    string Line, long AmountFen, long TaxFen, long VoucherFen, long DueFen, string Reason, string Earner, string? Issuer,
    IReadOnlyList<Posting> Postings, Instant At, string? Hash = null, string? PreviousHash = null)
{
    public static string IdOf(string disputeId) => $"cn-{disputeId}";

    public static string TxIdOf(string disputeId) => $"credit-note/{disputeId}";
}

// ---- The disputed line -------------------------------------------------------------------------------------------------

/// <summary>
/// The facts of one issued invoice line that disputes and credit notes work on, read from its invoice and its ledger
/// transaction: the parts the line moved. Debit side: buyer A − V, issuer V. Credit side, in §14's tie order: the earner
/// A − F, <c>platform:fees</c> P, the demand region Rd, the supply region Rs (missing regions: none, or 0).
/// </summary>
public sealed record DisputedLine(string Key, string Period, string Buyer, string LeaseId, string Bid, string Offer, string Kind, bool Late,
    long AmountFen, long VoucherFen, string? Issuer, string Earner, long EarnerFen, long PlatformFen, IReadOnlyList<Posting> Regions, Instant IssuedAt)
{
    public const string PlatformFees = "platform:fees";

    /// <summary>The line as its charge transaction posted it (the close's <c>{period}/{lease}/{kind}[-late]</c> transaction).</summary>
    public static DisputedLine From(InvoiceIssued invoice, InvoiceLine line, TransactionPosted charge)
    {
        var earner = $"{line.EarnerRole}:{line.Earner}";
        var issuer = charge.Postings.FirstOrDefault(p => p.Account.StartsWith("issuer:", StringComparison.Ordinal))?.Account;
        var regions = charge.Postings.Where(p => p.Account.StartsWith("region:", StringComparison.Ordinal)).Select(p => new Posting(p.Account, -p.AmountFen)).ToList();
        var platform = -charge.Postings.Where(p => p.Account == PlatformFees).Sum(p => p.AmountFen);
        var earnerFen = -charge.Postings.Where(p => p.Account == earner).Sum(p => p.AmountFen);
        return new DisputedLine(charge.TxId, invoice.Period, invoice.Buyer, line.LeaseId, line.Bid, line.Offer, line.Kind, line.Late, line.AmountFen,
            line.VoucherFen, issuer, earner, earnerFen, platform, regions, invoice.At);
    }

    /// <summary>The transaction id of a line's charge, which is also the key of its dispute stream.</summary>
    public static string KeyOf(string period, string leaseId, string kind, bool late) => $"{period}/{leaseId}/{kind}{(late ? "-late" : "")}";
}

// ---- The decider -------------------------------------------------------------------------------------------------------

/// <summary>
/// The disputes of one invoice line (stream <c>dispute-line:{line}</c>): at most one undecided at a time, each decided
/// once, and every part of the line given back at most once over all its credit notes (market-rules §14).
/// </summary>
public sealed class DisputeLine
{
    public const int MaxReason = 500;
    public const int MaxId = 64;
    public static readonly Duration Window = Duration.FromHours(30 * 24);

    private readonly Dictionary<string, DisputeOpened> _disputes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Outcome, long AmountFen)> _decided = new(StringComparer.Ordinal);
    /// <summary>What earlier credit notes moved, per account (debit +: the earner side; credit −: the buyer and issuer).</summary>
    private readonly Dictionary<string, long> _given = new(StringComparer.Ordinal);

    public IReadOnlyCollection<DisputeOpened> Disputes => _disputes.Values;
    public string? Undecided { get; private set; }
    /// <summary>The sum of x over this line's credit notes.</summary>
    public long CreditedFen { get; private set; }

    public DisputeOpened? Find(string id) => _disputes.GetValueOrDefault(id);

    public (string Outcome, long AmountFen)? Decision(string id) => _decided.TryGetValue(id, out var d) ? d : null;

    /// <summary>
    /// Opens a dispute, checked in §14's order: <c>unknown-party</c>, <c>wrong-role</c>, the id (its own id space:
    /// <paramref name="sameId"/> is the dispute already holding it anywhere), <c>invalid</c>, <c>dispute-open</c>,
    /// <c>dispute-window-ended</c>. <paramref name="line"/> is the buyer's issued line so named, or null.
    /// </summary>
    public IReadOnlyList<object> Decide(OpenDispute cmd, Party? party, DisputeOpened? sameId, DisputedLine? line)
    {
        if (party is null)
        {
            throw RejectedException.Of(Codes.UnknownParty, $"no party '{cmd.Party}' is registered", "party");
        }
        if (!party.Has(PartyRoles.Buyer))
        {
            throw RejectedException.Of(Codes.WrongRole, $"'{cmd.Party}' is not a buyer", "party");
        }
        if (string.IsNullOrWhiteSpace(cmd.DisputeId) || cmd.DisputeId.Length > MaxId)
        {
            throw RejectedException.Of(Codes.Invalid, $"a dispute needs an id of at most {MaxId} characters", "id");
        }
        if (sameId is not null)
        {
            return Same(sameId, cmd) ? [] : throw RejectedException.Of(Codes.IdReused, $"dispute id '{cmd.DisputeId}' was already used with other content", "id");
        }
        if (line is null || line.Buyer != cmd.Party)
        {
            throw RejectedException.Of(Codes.Invalid,
                $"'{cmd.Party}' has no {cmd.Kind}{(cmd.Late ? " (late)" : "")} line of {cmd.Bid}/{cmd.Offer} in a closed period '{cmd.Period}'", "period");
        }
        if (line.Kind == LineKinds.SlaCredit)
        {
            throw RejectedException.Of(Codes.Invalid, "an SLA credit line is not disputed", "kind");
        }
        var left = line.AmountFen - CreditedFen;
        if (cmd.AmountFen <= 0 || cmd.AmountFen > left)
        {
            throw RejectedException.Of(Codes.Invalid, $"a claim is whole fen from 1 to what is left of the line ({left} fen)", "amountFen");
        }
        if (string.IsNullOrWhiteSpace(cmd.Reason) || cmd.Reason.Length > MaxReason)
        {
            throw RejectedException.Of(Codes.Invalid, $"a dispute states its reason (at most {MaxReason} characters)", "reason");
        }
        if (Undecided is { } open)
        {
            throw RejectedException.Of(Codes.DisputeOpen, $"the line already has the undecided dispute '{open}'", "id");
        }
        if (cmd.At >= line.IssuedAt + Window)
        {
            throw RejectedException.Of(Codes.DisputeWindowEnded, $"disputes of this line were open for 30 days from its close at {line.IssuedAt}", "at");
        }
        return [new DisputeOpened(cmd.DisputeId, cmd.Party, cmd.AmountFen, cmd.Reason, line, cmd.At)];
    }

    /// <summary>
    /// Decides a dispute of this line. Accept: the line event, then the credit note (chained after
    /// <paramref name="previousHash"/>, the buyer's last credit-note hash) and its transaction. A repeat with the same
    /// outcome and amount: nothing. Another decision of a decided dispute, or an unknown one: <c>invalid</c>.
    /// </summary>
    public IReadOnlyList<object> Decide(ResolveDispute cmd, string previousHash)
    {
        if (string.IsNullOrWhiteSpace(cmd.DisputeId) || !_disputes.TryGetValue(cmd.DisputeId, out var dispute))
        {
            throw RejectedException.Of(Codes.Invalid, $"no dispute '{cmd.DisputeId}'", "dispute");
        }
        if (cmd.Outcome is not (Outcomes.Accept or Outcomes.Reject))
        {
            throw RejectedException.Of(Codes.Invalid, "the outcome is 'accept' or 'reject'", "outcome");
        }
        var amount = cmd.Outcome == Outcomes.Accept ? cmd.AmountFen ?? 0 : 0;
        if (_decided.TryGetValue(cmd.DisputeId, out var earlier))
        {
            return earlier.Outcome == cmd.Outcome && earlier.AmountFen == amount ? []
                : throw RejectedException.Of(Codes.Invalid, $"dispute '{cmd.DisputeId}' was already decided ({earlier.Outcome}{(earlier.Outcome == Outcomes.Accept ? $" {earlier.AmountFen} fen" : "")})", "outcome");
        }
        if (cmd.Outcome == Outcomes.Reject)
        {
            return cmd.AmountFen is null ? [new DisputeRejected(dispute.DisputeId, cmd.At)]
                : throw RejectedException.Of(Codes.Invalid, "a rejection carries no amount", "amountFen");
        }
        if (cmd.AmountFen is not { } x || x < 1 || x > dispute.ClaimFen)
        {
            throw RejectedException.Of(Codes.Invalid, $"an accepted amount is whole fen from 1 to the claim ({dispute.ClaimFen} fen)", "amountFen");
        }
        var line = dispute.Line;
        var (v, postings) = Split(line, x);
        var note = Chain(new CreditNoteIssued(CreditNoteIssued.IdOf(dispute.DisputeId), dispute.DisputeId, line.Period, line.Buyer, line.Bid, line.Offer,
            line.Kind, line.Late, line.Key, -x, -Exact.IncludedVat(new Fen(x)).Value, -v, -(x - v), dispute.Reason, line.Earner, line.Issuer, postings, cmd.At),
            previousHash);
        var tx = new TransactionPosted(CreditNoteIssued.TxIdOf(dispute.DisputeId), line.Period, "credit-note",
            $"credit note {note.Id} on {line.Key}: {note.Hash}", postings, cmd.At).EnsureBalanced();
        return [new DisputeAccepted(dispute.DisputeId, x, postings, cmd.At), note, tx];
    }

    /// <summary>
    /// The credit note's posting of <paramref name="x"/> fen (market-rules §14): v over (A − V, V) ties to the buyer; the
    /// earner, platform and regions over (A − F, P, Rd, Rs) ties in that order; each weight what earlier credit notes left
    /// of that part. Debit the earner side, credit the buyer x − v and the issuer v; zero parts are not posted.
    /// </summary>
    public (long VoucherFen, IReadOnlyList<Posting> Postings) Split(DisputedLine line, long x)
    {
        var buyer = $"buyer:{line.Buyer}";
        var buyerLeft = line.AmountFen - line.VoucherFen + _given.GetValueOrDefault(buyer);
        var issuerLeft = line.Issuer is null ? 0 : line.VoucherFen + _given.GetValueOrDefault(line.Issuer);
        var debit = Exact.SplitLargestRemainder(new Fen(x), [buyerLeft, issuerLeft]);
        var v = debit[1].Value;
        var sides = new List<(string Account, long Left)> { (line.Earner, line.EarnerFen - _given.GetValueOrDefault(line.Earner)) };
        sides.Add((DisputedLine.PlatformFees, line.PlatformFen - _given.GetValueOrDefault(DisputedLine.PlatformFees)));
        sides.AddRange(line.Regions.Select(r => (r.Account, r.AmountFen - _given.GetValueOrDefault(r.Account))));
        var credit = Exact.SplitLargestRemainder(new Fen(x), sides.Select(s => s.Left).ToList());
        var postings = new List<Posting>();
        for (var i = 0; i < sides.Count; i++)
        {
            if (credit[i].Value != 0)
            {
                postings.Add(new Posting(sides[i].Account, credit[i].Value));
            }
        }
        if (x - v != 0)
        {
            postings.Add(new Posting(buyer, -(x - v)));
        }
        if (v != 0)
        {
            postings.Add(new Posting(line.Issuer!, -v));
        }
        return (v, postings);
    }

    public static CreditNoteIssued Chain(CreditNoteIssued note, string previousHash)
    {
        var unhashed = note with { Hash = null, PreviousHash = previousHash };
        return unhashed with { Hash = Audit.Canonical.Sha256(Audit.Statements.Body(unhashed, previousHash)) };
    }

    public void Evolve(object e)
    {
        switch (e)
        {
            case DisputeOpened o:
                _disputes[o.DisputeId] = o;
                Undecided = o.DisputeId;
                break;
            case DisputeAccepted a:
                _decided[a.DisputeId] = (Outcomes.Accept, a.AmountFen);
                CreditedFen += a.AmountFen;
                foreach (var p in a.Postings)
                {
                    _given[p.Account] = _given.GetValueOrDefault(p.Account) + p.AmountFen;
                }
                Undecided = Undecided == a.DisputeId ? null : Undecided;
                break;
            case DisputeRejected r:
                _decided[r.DisputeId] = (Outcomes.Reject, 0);
                Undecided = Undecided == r.DisputeId ? null : Undecided;
                break;
        }
    }

    private static bool Same(DisputeOpened d, OpenDispute c) =>
        d.Buyer == c.Party && d.Line.Period == c.Period && d.Line.Bid == c.Bid && d.Line.Offer == c.Offer && d.Line.Kind == c.Kind && d.Line.Late == c.Late
        && d.ClaimFen == c.AmountFen && d.Reason == c.Reason;
}
