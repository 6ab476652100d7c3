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

    /// <summary>A buyer's credit-note chain (market-rules §14): separate from its invoice chain.</summary>
    public static string KeyOf(Disputes.CreditNoteIssued c) => $"credit-note/{c.Buyer}";

    /// <summary>A credit note as the buyer sees it (market-rules §14), with the previous credit note's hash.</summary>
    public static object Body(Disputes.CreditNoteIssued c, string previousHash) => new Dictionary<string, object?>
    {
        ["kind"] = "credit-note", ["id"] = c.Id, ["dispute"] = c.Dispute, ["period"] = c.Period, ["buyer"] = c.Buyer, ["bid"] = c.Bid, ["offer"] = c.Offer,
        ["lineKind"] = c.Kind, ["late"] = c.Late, ["line"] = c.Line, ["amountFen"] = c.AmountFen, ["taxFen"] = c.TaxFen, ["voucherFen"] = c.VoucherFen,
        ["dueFen"] = c.DueFen, ["reason"] = c.Reason, ["earner"] = c.Earner, ["issuer"] = c.Issuer,
        ["postings"] = c.Postings.Select(p => (object?)new Dictionary<string, object?> { ["account"] = p.Account, ["amountFen"] = p.AmountFen }).ToList(),
        ["at"] = NodaTime.Text.InstantPattern.ExtendedIso.Format(c.At), ["previousHash"] = previousHash,
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

    /// <summary>
    /// A ledger transaction as a Merkle leaf: its canonical JSON (RFC 8785) — keys at, kind, memo, period, postings
    /// (account, amountFen), txId, already in RFC 8785 order, so it is written directly (the same bytes as
    /// <see cref="Canonical.Utf8"/> of <see cref="LeafObject"/>, tested) to verify a million transactions in seconds.
    /// </summary>
    public static byte[] Leaf(TransactionPosted t) => System.Text.Encoding.UTF8.GetBytes(WriteLeaf(Builder(), t).ToString());

    /// <summary>SHA-256(0x00 ‖ <see cref="Leaf"/>), with no intermediate copies (thread-local buffers).</summary>
    public static byte[] LeafHash(TransactionPosted t)
    {
        var sb = WriteLeaf(Builder(), t);
        if (_chars is null || _chars.Length < sb.Length)
        {
            _chars = new char[Math.Max(sb.Length, 512) * 2];
            _bytes = new byte[_chars.Length * 3 + 1];
        }
        sb.CopyTo(0, _chars, 0, sb.Length);
        _bytes![0] = 0x00;
        var length = System.Text.Encoding.UTF8.GetBytes(_chars, 0, sb.Length, _bytes, 1);
        var hash = Merkle.Hasher();
        hash.AppendData(_bytes, 0, length + 1);
        return hash.GetHashAndReset();
    }

    [ThreadStatic] private static System.Text.StringBuilder? _builder;
    [ThreadStatic] private static char[]? _chars;
    [ThreadStatic] private static byte[]? _bytes;

    private static System.Text.StringBuilder Builder() => (_builder ??= new System.Text.StringBuilder(256)).Clear();

    private static System.Text.StringBuilder WriteLeaf(System.Text.StringBuilder sb, TransactionPosted t)
    {
        sb.Append("{\"at\":\"");
        AppendInstant(sb, t.At);
        sb.Append("\",\"kind\":");
        Canonical.WriteString(sb, t.Kind);
        sb.Append(",\"memo\":");
        Canonical.WriteString(sb, t.Memo);
        sb.Append(",\"period\":");
        Canonical.WriteString(sb, t.Period);
        sb.Append(",\"postings\":[");
        for (var i = 0; i < t.Postings.Count; i++)
        {
            sb.Append(i == 0 ? "{\"account\":" : ",{\"account\":");
            Canonical.WriteString(sb, t.Postings[i].Account);
            var amount = t.Postings[i].AmountFen;
            if (amount is > Canonical.MaxSafeInteger or < -Canonical.MaxSafeInteger)
            {
                throw new ArgumentException($"canonical JSON holds integers within ±{Canonical.MaxSafeInteger} (2^53 − 1) exactly; {amount} is beyond");
            }
            sb.Append(",\"amountFen\":").Append(amount).Append('}');
        }
        sb.Append("],\"txId\":");
        Canonical.WriteString(sb, t.TxId);
        return sb.Append('}');
    }

    /// <summary>NodaTime's <c>InstantPattern.ExtendedIso</c> (uuuu-MM-ddTHH:mm:ss;FFFFFFFFFZ), written without a pattern parse per call.</summary>
    private static void AppendInstant(System.Text.StringBuilder sb, NodaTime.Instant instant)
    {
        var t = instant.InUtc().LocalDateTime;
        if (t.Year is < 0 or > 9999)
        {
            sb.Append(InstantPattern.ExtendedIso.Format(instant));
            return;
        }
        Digits(sb, t.Year, 4).Append('-');
        Digits(sb, t.Month, 2).Append('-');
        Digits(sb, t.Day, 2).Append('T');
        Digits(sb, t.Hour, 2).Append(':');
        Digits(sb, t.Minute, 2).Append(':');
        Digits(sb, t.Second, 2);
        var nanos = t.NanosecondOfSecond;
        if (nanos > 0)
        {
            var width = 9;
            while (nanos % 10 == 0)
            {
                nanos /= 10;
                width--;
            }
            Digits(sb.Append('.'), nanos, width);
        }
        sb.Append('Z');
    }

    private static System.Text.StringBuilder Digits(System.Text.StringBuilder sb, int value, int width)
    {
        Span<char> digits = stackalloc char[9];
        for (var i = width - 1; i >= 0; i--, value /= 10)
        {
            digits[i] = (char)('0' + value % 10);
        }
        return sb.Append(digits[..width]);
    }

    /// <summary>The leaf as a generic canonical-JSON object (the definition <see cref="Leaf"/> must match).</summary>
    public static object LeafObject(TransactionPosted t) => new Dictionary<string, object?>
    {
        ["txId"] = t.TxId, ["period"] = t.Period, ["kind"] = t.Kind, ["memo"] = t.Memo, ["at"] = InstantPattern.ExtendedIso.Format(t.At),
        ["postings"] = t.Postings.Select(p => (object?)new Dictionary<string, object?> { ["account"] = p.Account, ["amountFen"] = p.AmountFen }).ToList(),
    };

    private static string Dec(decimal d) => d.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
