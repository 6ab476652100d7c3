using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// RFC 4180 quoting of a FOCUS cell that begins with a comma or quote, and the fast Merkle leaf hash of transactions longer than
/// its first buffers (market-rules §11).
/// </summary>
public class CsvQuotingAndLongLeafTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 12, 1, 16, 0);

    private static FocusRow Row(string accountName, string description) => new()
    {
        BilledCostFen = 100, BillingAccountId = "buyer-1", BillingAccountName = accountName, BillingPeriodStart = Start, BillingPeriodEnd = Start.Plus(Duration.FromDays(1)),
        ChargeCategory = "Usage", ChargeDescription = description, ChargeFrequency = "Usage-Based", ChargePeriodStart = Start,
        ChargePeriodEnd = Start.Plus(Duration.FromDays(1)), ConsumedQuantity = 1m, ConsumedUnit = "Device-Hours", ContractedCostFen = 100, EffectiveCostFen = 100,
        InvoiceId = "2026-12-02.buyer-1", ListCost = 1m, ListUnitPrice = 1m, PricingCategory = "Standard", PricingQuantity = 1m, PricingUnit = "SCU-Hours",
        ProviderName = "ComputeNet", PublisherName = "Prov", RegionId = "zhongwei", RegionName = "中卫", ResourceId = "lease-1", ResourceName = "1 x c in Zhongwei",
        ResourceType = "Compute lease", ServiceCategory = "Compute", ServiceName = "ComputeNet general compute", ServiceSubcategory = "Other (Compute)",
        LatencyTier = "city", StatementHash = "h", LineNo = 1,
    };

    [Fact]
    public void A_cell_beginning_with_a_comma_or_a_quote_is_quoted()
    {
        var csv = FocusExport.Csv([Row(",leading comma", "\"quoted\" start")]);

        Assert.Contains(",\",leading comma\",", csv);
        Assert.Contains(",\"\"\"quoted\"\" start\",", csv);
    }

    [Fact]
    public void The_fast_leaf_hash_of_transactions_longer_than_its_buffers_is_the_rfc_6962_leaf_hash()
    {
        // Run on a fresh thread: the leaf buffers are thread-static, so their first size is known (512 × 2 chars).
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                foreach (var length in new[] { 10, 700, 1_500, 5_000 })
                {
                    var t = new TransactionPosted($"tx-{length}", "2026-12-01", "charge", new string('中', length),
                        [new Posting("buyer:b", 5), new Posting("provider:p", -5)], Start);
                    Assert.Equal(Merkle.LeafHash(Statements.Leaf(t)), Statements.LeafHash(t));
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }
}
