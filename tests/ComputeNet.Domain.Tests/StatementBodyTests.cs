using System.Security.Cryptography;
using System.Text;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// market-rules §11: what is hashed for each statement (its canonical JSON without its own hash, with the previous hash)
/// and the ledger transaction as a Merkle leaf — pinned byte for byte, since regulators recompute these outside the platform.
/// </summary>
public class StatementBodyTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 12, 2, 18, 0);
    private static readonly string Prev = new('7', 64);

    [Fact]
    public void The_chain_keys_name_the_kind_and_party()
    {
        Assert.Equal("invoice/b", Statements.KeyOf(new InvoiceIssued("p", "b", [], 0, 0, 0, At)));
        Assert.Equal("provider/x", Statements.KeyOf(new StatementIssued("p", "x", "provider", 0, 0, 0, At)));
        Assert.Equal("carrier/x", Statements.KeyOf(new StatementIssued("p", "x", "carrier", 0, 0, 0, At)));
        Assert.Equal("issuer/i", Statements.KeyOf(new IssuerClaimIssued("p", "i", 0, 0, new Dictionary<string, long>(), At)));
        Assert.Equal("region/r", Statements.KeyOf(new RegionShareIssued("p", "r", 0, At)));
        Assert.Equal(new string('0', 64), Statements.Genesis);
    }

    [Fact]
    public void Invoice_body()
    {
        var line = new InvoiceLine(1, "lease-1", "b1", "o1", "compute", true, 144_768, 8_194, 43_430, "p1", 101_338, "prov", "provider", 4_343, 24.96m,
            "SCU-hour", 58.0000m);
        var invoice = new InvoiceIssued("2026-12-02", "buyer-sh", [line, line with { LineNo = 2, Kind = "sla-credit", Late = false, Voucher = null }],
            1, 2, 3, At, Hash: "ignored", PreviousHash: "ignored too");

        Assert.Equal("{\"amountFen\":1,\"buyer\":\"buyer-sh\",\"dueFen\":3,\"kind\":\"invoice\",\"lines\":["
            + "{\"amountFen\":144768,\"bid\":\"b1\",\"dueFen\":101338,\"earner\":\"prov\",\"feeFen\":4343,\"kind\":\"compute\",\"late\":true,\"lease\":\"lease-1\","
            + "\"lineNo\":1,\"offer\":\"o1\",\"quantity\":\"24.96\",\"taxFen\":8194,\"unit\":\"SCU-hour\",\"unitPriceYuan\":\"58.0000\",\"voucher\":\"p1\",\"voucherFen\":43430},"
            + "{\"amountFen\":144768,\"bid\":\"b1\",\"dueFen\":101338,\"earner\":\"prov\",\"feeFen\":4343,\"kind\":\"sla-credit\",\"late\":false,\"lease\":\"lease-1\","
            + "\"lineNo\":2,\"offer\":\"o1\",\"quantity\":\"24.96\",\"taxFen\":8194,\"unit\":\"SCU-hour\",\"unitPriceYuan\":\"58.0000\",\"voucher\":null,\"voucherFen\":43430}],"
            + $"\"period\":\"2026-12-02\",\"previousHash\":\"{Prev}\",\"voucherFen\":2}}",
            Canonical.Json(Statements.Body(invoice, Prev)));
    }

    [Fact]
    public void Provider_and_carrier_statement_body()
    {
        Assert.Equal($"{{\"feeFen\":2,\"grossFen\":1,\"kind\":\"carrier\",\"netFen\":3,\"party\":\"c\",\"period\":\"2026-12\",\"previousHash\":\"{Prev}\"}}",
            Canonical.Json(Statements.Body(new StatementIssued("2026-12", "c", "carrier", 1, 2, 3, At, "h", "p"), Prev)));
    }

    [Fact]
    public void Issuer_claim_body()
    {
        var claim = new IssuerClaimIssued("2026-12-02", "iss", 10, 20, new SortedDictionary<string, long>(StringComparer.Ordinal) { ["z"] = 4, ["a"] = 6 }, At);

        Assert.Equal($"{{\"kind\":\"issuer\",\"lapsedFen\":20,\"party\":\"iss\",\"period\":\"2026-12-02\",\"previousHash\":\"{Prev}\",\"programmes\":{{\"a\":6,\"z\":4}},\"redeemedFen\":10}}",
            Canonical.Json(Statements.Body(claim, Prev)));
    }

    [Fact]
    public void Region_share_body()
    {
        Assert.Equal($"{{\"kind\":\"region\",\"period\":\"2026-12-02\",\"previousHash\":\"{Prev}\",\"region\":\"ningxia\",\"shareFen\":-5}}",
            Canonical.Json(Statements.Body(new RegionShareIssued("2026-12-02", "ningxia", -5, At), Prev)));
    }

    private static TransactionPosted Tx(Instant at, string memo = "m \"q\"") => new("2026-12-02/lease-1/compute", "2026-12-02", "charge", memo,
        [new Posting("buyer:b", 5), new Posting("provider:p", -5)], at);

    [Fact]
    public void Transaction_leaf_bytes()
    {
        Assert.Equal("{\"at\":\"2026-12-02T18:00:00Z\",\"kind\":\"charge\",\"memo\":\"m \\\"q\\\"\",\"period\":\"2026-12-02\","
            + "\"postings\":[{\"account\":\"buyer:b\",\"amountFen\":5},{\"account\":\"provider:p\",\"amountFen\":-5}],\"txId\":\"2026-12-02/lease-1/compute\"}",
            Encoding.UTF8.GetString(Statements.Leaf(Tx(At))));
        Assert.Equal("{\"at\":\"2026-12-02T18:00:00Z\",\"kind\":\"k\",\"memo\":\"\",\"period\":\"\",\"postings\":[],\"txId\":\"t\"}",
            Encoding.UTF8.GetString(Statements.Leaf(new TransactionPosted("t", "", "k", "", [], At))));
    }

    [Theory]
    [InlineData(0, "2026-12-02T18:00:00Z")]
    [InlineData(1, "2026-12-02T18:00:00.000000001Z")]
    [InlineData(1_500, "2026-12-02T18:00:00.0000015Z")]
    [InlineData(10, "2026-12-02T18:00:00.00000001Z")]
    [InlineData(120_000_000, "2026-12-02T18:00:00.12Z")]
    [InlineData(999_999_999, "2026-12-02T18:00:00.999999999Z")]
    public void Leaf_instants_are_extended_iso_with_trailing_zeros_dropped(long nanos, string expected) =>
        Assert.Contains($"\"at\":\"{expected}\"", Encoding.UTF8.GetString(Statements.Leaf(Tx(At.PlusNanoseconds(nanos)))));

    [Fact]
    public void Leaf_instants_of_every_width_match_the_generic_definition()
    {
        foreach (var at in new[]
        {
            Instant.FromUtc(1, 1, 1, 0, 0), Instant.FromUtc(999, 9, 9, 9, 9, 9), Instant.FromUtc(9999, 12, 31, 23, 59, 59).PlusNanoseconds(7),
            Instant.FromUtc(-5, 3, 4, 5, 6, 7), Instant.FromUtc(0, 1, 1, 0, 0), Instant.FromUtc(2026, 10, 11, 12, 13, 14),
        })
        {
            var t = Tx(at);
            Assert.Equal(Canonical.Json(Statements.LeafObject(t)), Encoding.UTF8.GetString(Statements.Leaf(t)));
        }
        Assert.Contains("\"at\":\"0999-09-09T09:09:09Z\"", Encoding.UTF8.GetString(Statements.Leaf(Tx(Instant.FromUtc(999, 9, 9, 9, 9, 9)))));
    }

    [Fact]
    public void Leaf_hash_is_sha256_of_zero_and_the_leaf_for_short_and_long_transactions_alike()
    {
        foreach (var memo in new[] { "short", new string('x', 600), "中卫 " + new string('y', 5_000), "again short", "" })
        {
            var t = Tx(At, memo);
            Assert.Equal(SHA256.HashData([0x00, .. Statements.Leaf(t)]), Statements.LeafHash(t));
            Assert.Equal(Merkle.LeafHash(Statements.Leaf(t)), Statements.LeafHash(t));
        }
    }
}
