using ComputeNet.Domain.Market;
using ComputeNet.Domain.Money;
using ComputeNet.Domain.Vouchers;

namespace ComputeNet.Domain.Settlement;

/// <summary>Event: an issuer's reimbursement claim for a period: what its vouchers redeemed (per programme) and what lapsed.</summary>
public sealed record IssuerClaimIssued(string Period, string Issuer, long RedeemedFen, long LapsedFen, IReadOnlyDictionary<string, long> Programmes,
    NodaTime.Instant At, string? Hash = null, string? PreviousHash = null);

/// <summary>
/// Voucher redemption during a close (market-rules §9): lines are offered in invoice-line order; at most one voucher
/// per line; among the buyer's eligible vouchers with a balance, the one expiring first, then the one granted first;
/// <c>discount = min(share(amount, coverage), remaining)</c>. Balances are tracked as the close goes, so a voucher's
/// last fen goes to the earliest line and no voucher ever goes below zero.
/// </summary>
internal sealed class Redemption(CloseInput input, IReadOnlyDictionary<string, long> partyOrder)
{
    private readonly VoucherBook? _book = input.Vouchers;
    private readonly Dictionary<string, long> _balance = input.Vouchers?.Vouchers.Where(v => !v.Lapsed)
        .ToDictionary(v => v.Grant.GrantId, v => v.BalanceFen, StringComparer.Ordinal) ?? new(StringComparer.Ordinal);
    private readonly List<object> _events = [];

    public IReadOnlyList<object> Events => _events;

    public VoucherRedeemed? Redeem(LeaseTerms lease, string lineKind, bool late, Fen amount, string txId)
    {
        if (_book is null || amount <= Fen.Zero)
        {
            return null;
        }
        var buyerCity = input.Parties.FirstOrDefault(p => p.Id == lease.Buyer)?.City;
        var chosen = _book.Vouchers
            .Where(v => v.Grant.Buyer == lease.Buyer && _balance.GetValueOrDefault(v.Grant.GrantId) > 0)
            .Select(v => (Voucher: v, Programme: _book.Programme(v.Grant.ProgrammeId)!.Terms))
            .Where(x => Eligible(x.Programme, lineKind, lease, buyerCity))
            .OrderBy(x => x.Programme.ValidTo).ThenBy(x => x.Voucher.GrantOrder)
            .Select(x => ((Voucher Voucher, ProgrammeCreated Programme)?)x)
            .FirstOrDefault();
        if (chosen is not { } c)
        {
            return null;
        }
        var remaining = _balance[c.Voucher.Grant.GrantId];
        var discount = Math.Min(Exact.Share(amount, new BasisPoints(c.Programme.CoverageBp)).Value, remaining);
        if (discount <= 0)
        {
            return null;
        }
        _balance[c.Voucher.Grant.GrantId] = checked(remaining - discount);
        var redeemed = new VoucherRedeemed(c.Voucher.Grant.GrantId, c.Programme.ProgrammeId, lease.Buyer, input.Period.Key, txId, lease.LeaseId,
            lineKind, late, discount, input.At);
        _events.Add(redeemed);
        return redeemed;
    }

    public string IssuerOf(VoucherRedeemed r) => _book!.Programme(r.ProgrammeId)!.Terms.Issuer;

    /// <summary>Vouchers every one of whose covered periods is now closed lapse: what is left returns to the budget.</summary>
    public void Lapse()
    {
        if (_book is null)
        {
            return;
        }
        var closed = new HashSet<string>(input.ClosedBefore ?? new HashSet<string>(), StringComparer.Ordinal) { input.Period.Key };
        foreach (var v in _book.Vouchers.Where(v => !v.Lapsed).OrderBy(v => v.GrantOrder))
        {
            var terms = _book.Programme(v.Grant.ProgrammeId)!.Terms;
            var left = _balance.GetValueOrDefault(v.Grant.GrantId);
            if (left > 0 && VoucherBook.PeriodStartsInside(input.Calendar, terms.ValidFrom, terms.ValidTo).All(p => closed.Contains(p.Key)))
            {
                _events.Add(new VoucherLapsed(v.Grant.GrantId, terms.ProgrammeId, v.Grant.Buyer, input.Period.Key, left, input.At));
                _balance[v.Grant.GrantId] = 0;
            }
        }
    }

    public IReadOnlyList<IssuerClaimIssued> Claims()
    {
        if (_book is null)
        {
            return [];
        }
        var byIssuer = new Dictionary<string, (long Redeemed, long Lapsed, SortedDictionary<string, long> Programmes)>(StringComparer.Ordinal);
        foreach (var e in _events)
        {
            var (programmeId, redeemed, lapsed) = e switch
            {
                VoucherRedeemed r => (r.ProgrammeId, r.AmountFen, 0L),
                VoucherLapsed l => (l.ProgrammeId, 0L, l.AmountFen),
                _ => throw new InvalidOperationException("unexpected voucher event"),
            };
            var issuer = _book.Programme(programmeId)!.Terms.Issuer;
            if (!byIssuer.TryGetValue(issuer, out var claim))
            {
                claim = (0, 0, new SortedDictionary<string, long>(StringComparer.Ordinal));
            }
            if (redeemed > 0)
            {
                claim.Programmes[programmeId] = MoneyMath.Add(claim.Programmes.GetValueOrDefault(programmeId), redeemed,
                    $"the redemptions of programme {programmeId} in {input.Period.Key}");
            }
            var claimOf = $"the claim of {issuer} for {input.Period.Key}";
            byIssuer[issuer] = (MoneyMath.Add(claim.Redeemed, redeemed, claimOf), MoneyMath.Add(claim.Lapsed, lapsed, claimOf + " (lapsed)"), claim.Programmes);
        }
        return byIssuer
            .OrderBy(kv => partyOrder.GetValueOrDefault(kv.Key, long.MaxValue)).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new IssuerClaimIssued(input.Period.Key, kv.Key, kv.Value.Redeemed, kv.Value.Lapsed, kv.Value.Programmes, input.At))
            .ToList();
    }

    /// <summary>A programme covers a line when kinds match, its rules match the lease and buyer, and the period starts inside its validity.</summary>
    private bool Eligible(ProgrammeCreated p, string lineKind, LeaseTerms lease, string? buyerCity) =>
        p.Kind == lineKind
        && input.Period.Start >= p.ValidFrom && input.Period.Start < p.ValidTo
        && (p.BuyerCities is null || (buyerCity is not null && p.BuyerCities.Contains(buyerCity)))
        && (p.Families is null || p.Families.Contains(lease.Family))
        && (p.SupplyHubs is null || p.SupplyHubs.Contains(lease.Hub));
}
