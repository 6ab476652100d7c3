namespace ComputeNet.Domain.Market.Engine;

/// <summary>
/// Prices inside the engine: whole ticks of 0.0001 yuan per SCU-hour (market-rules §1 allows at most 4 decimals, so
/// the conversion is exact). At every boundary prices are decimals again.
/// </summary>
public static class PriceTicks
{
    public const long PerYuan = 10_000;

    /// <summary>The exact tick count of <paramref name="yuan"/>; throws when it has more than 4 decimals.</summary>
    public static long Of(decimal yuan)
    {
        var ticks = yuan * PerYuan;
        return ticks == decimal.Truncate(ticks)
            ? (long)ticks
            : throw new ArgumentOutOfRangeException(nameof(yuan), yuan, "prices have at most 4 decimal places");
    }

    public static decimal ToYuan(long ticks) => ticks / (decimal)PerYuan;
}
