using ComputeNet.Domain.Settlement;
using NodaTime.Text;

namespace ComputeNet.Domain.Audit;

/// <summary>
/// What is hashed for each statement (market-rules §11): the statement as parties see it, with the hash of the previous
/// statement of the same party and kind, without its own hash. Verification rebuilds these bodies from the stored
/// events, so any change to a stored figure, id or link changes the hash.
/// </summary>
public static class Statements
{
    /// <summary>The previous hash of a chain's first statement.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string KeyOf(InvoiceIssued i) => $"invoice/{i.Buyer}";
    public static string KeyOf(StatementIssued s) => $"{s.Role}/{s.Party}";
    public static string KeyOf(IssuerClaimIssued c) => $"issuer/{c.Issuer}";
    public static string KeyOf(RegionShareIssued r) => $"region/{r.Region}";

    public static object Body(InvoiceIssued i, string previousHash) => new Dictionary<string, object?>
    {
        ["kind"] = "invoice", ["period"] = i.Period, ["buyer"] = i.Buyer, ["amountFen"] = i.AmountFen, ["voucherFen"] = i.VoucherFen, ["dueFen"] = i.DueFen,
        ["previousHash"] = previousHash,
        ["lines"] = i.Lines.Select(l => (object?)new Dictionary<string, object?>
        {
            ["lineNo"] = l.LineNo, ["lease"] = l.LeaseId, ["bid"] = l.Bid, ["offer"] = l.Offer, ["kind"] = l.Kind, ["late"] = l.Late,
            ["amountFen"] = l.AmountFen, ["taxFen"] = l.TaxFen, ["voucherFen"] = l.VoucherFen, ["voucher"] = l.Voucher, ["dueFen"] = l.DueFen,
            ["earner"] = l.Earner, ["feeFen"] = l.FeeFen,
            ["quantity"] = Dec(l.Quantity), ["unit"] = l.Unit, ["unitPriceYuan"] = Dec(l.UnitPriceYuan),
        }).ToList(),
    };

    public static object Body(StatementIssued s, string previousHash) => new Dictionary<string, object?>
    {
        ["kind"] = s.Role, ["period"] = s.Period, ["party"] = s.Party, ["grossFen"] = s.GrossFen, ["feeFen"] = s.FeeFen, ["netFen"] = s.NetFen,
        ["previousHash"] = previousHash,
    };

    public static object Body(IssuerClaimIssued c, string previousHash) => new Dictionary<string, object?>
    {
        ["kind"] = "issuer", ["period"] = c.Period, ["party"] = c.Issuer, ["redeemedFen"] = c.RedeemedFen, ["lapsedFen"] = c.LapsedFen,
        ["programmes"] = c.Programmes.ToDictionary(kv => kv.Key, kv => (object?)kv.Value), ["previousHash"] = previousHash,
    };

    public static object Body(RegionShareIssued r, string previousHash) => new Dictionary<string, object?>
    {
        ["kind"] = "region", ["period"] = r.Period, ["region"] = r.Region, ["shareFen"] = r.ShareFen, ["previousHash"] = previousHash,
    };

    /// <summary>A ledger transaction as a Merkle leaf: its canonical JSON.</summary>
    public static byte[] Leaf(TransactionPosted t) => Canonical.Utf8(new Dictionary<string, object?>
    {
        ["txId"] = t.TxId, ["period"] = t.Period, ["kind"] = t.Kind, ["memo"] = t.Memo, ["at"] = InstantPattern.ExtendedIso.Format(t.At),
        ["postings"] = t.Postings.Select(p => (object?)new Dictionary<string, object?> { ["account"] = p.Account, ["amountFen"] = p.AmountFen }).ToList(),
    });

    private static string Dec(decimal d) => d.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
