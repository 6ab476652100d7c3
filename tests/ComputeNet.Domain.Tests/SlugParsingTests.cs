using ComputeNet.Domain.Market;
using ComputeNet.Domain.Reference;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>The enumerated fields of orders and reference data accept exactly their slugs (market-rules §11: anything else is invalid).</summary>
public class SlugParsingTests
{
    [Theory]
    [InlineData("GTC", TimeInForce.GTC)]
    [InlineData("IOC", TimeInForce.IOC)]
    [InlineData("FOK", TimeInForce.FOK)]
    public void Time_in_force_slugs_parse(string slug, TimeInForce expected)
    {
        Assert.True(MarketSlugs.TryParseTif(slug, out var tif));
        Assert.Equal(expected, tif);
    }

    [Theory]
    [InlineData("gtc")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("DAY")]
    public void Unknown_time_in_force_does_not_parse(string? slug) => Assert.False(MarketSlugs.TryParseTif(slug, out _));

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("GTC, IOC")]
    [InlineData(" FOK")]
    public void Numbers_lists_and_padded_names_are_not_time_in_force_slugs(string slug) => Assert.False(MarketSlugs.TryParseTif(slug, out _));

    [Fact]
    public void Regression_numeric_tif_is_invalid_not_accepted_then_id_reused_on_repeat()
    {
        var market = Market.Given(M.Listed(1, "o1", ProvA, M.Offer(devices: 2)));
        var rejection = market.RejectedBid(new PlaceBid(BuyerSh, "b1", M.Bid(tif: "1"), M.Now));
        Assert.Equal((Codes.Invalid, "tif"), (rejection.Code, rejection.Field));
    }

    [Fact]
    public void Precision_slugs_parse()
    {
        foreach (var p in Enum.GetValues<Precision>())
        {
            Assert.True(Slugs.TryParsePrecision(p.ToString(), out var parsed));
            Assert.Equal(p, parsed);
        }
        Assert.False(Slugs.TryParsePrecision("fp16", out _));
        Assert.False(Slugs.TryParsePrecision("FP8", out _));
        Assert.False(Slugs.TryParsePrecision(null, out _));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("FP32, FP16")]
    [InlineData(" FP16")]
    public void Numbers_lists_and_padded_names_are_not_precision_slugs(string slug) => Assert.False(Slugs.TryParsePrecision(slug, out _));

    [Theory]
    [InlineData("general", ComputeFamily.General)]
    [InlineData("intelligent", ComputeFamily.Intelligent)]
    [InlineData("super", ComputeFamily.Super)]
    public void Family_slugs_round_trip(string slug, ComputeFamily family)
    {
        Assert.True(Slugs.TryParseFamily(slug, out var parsed));
        Assert.Equal(family, parsed);
        Assert.Equal(slug, Slugs.Of(family));
    }

    [Theory]
    [InlineData("city", LatencyTier.City)]
    [InlineData("regional", LatencyTier.Regional)]
    [InlineData("cross-hub", LatencyTier.CrossHub)]
    public void Tier_slugs_round_trip(string slug, LatencyTier tier)
    {
        Assert.True(Slugs.TryParseTier(slug, out var parsed));
        Assert.Equal(tier, parsed);
        Assert.Equal(slug, Slugs.Of(tier));
    }
}
