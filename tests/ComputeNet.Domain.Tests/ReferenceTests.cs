using System.Globalization;
using ComputeNet.Domain.Reference;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §2 (SCU) and §3 (latency tiers).</summary>
public class ScuTests
{
    [Theory]
    [InlineData("ai-fp16-80g", "0.156")]
    [InlineData("ai-fp16-80g-hi", "0.4945")]
    [InlineData("ai-fp16-64g", "0.16")]
    [InlineData("ai-int8-24g", "0.065")]
    [InlineData("cpu-fp32-vcpu", "0.000064")]
    [InlineData("hpc-fp64-node", "0.006")]
    public void Scu_per_device_of_every_built_in_class(string classId, string expected)
    {
        var scu = MeteringStandard.V1.ScuPerDevice(TestCatalogue.Default.ResourceClass(classId)!);
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), scu);
        // Normalised: prints without trailing zeros, so equal values print alike in outputs.
        Assert.Equal(expected, scu.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(Precision.FP64, "2")]
    [InlineData(Precision.FP32, "1")]
    [InlineData(Precision.FP16, "0.5")]
    [InlineData(Precision.BF16, "0.5")]
    [InlineData(Precision.INT8, "0.25")]
    public void Precision_factors_of_v1(Precision precision, string factor)
    {
        Assert.Equal("v1", MeteringStandard.V1.Version);
        Assert.Equal(decimal.Parse(factor, CultureInfo.InvariantCulture), MeteringStandard.V1.FactorToFp32[precision]);
    }

    [Fact]
    public void A_bf16_class_rates_like_fp16()
    {
        var bf16 = new ResourceClass("x-bf16", ComputeFamily.Intelligent, Precision.BF16, 312m, 80);
        Assert.Equal(0.156m, MeteringStandard.V1.ScuPerDevice(bf16));
    }
}

public class LatencyTests
{
    private static decimal Ms(Catalogue catalogue, string city, string cluster) =>
        catalogue.LatencyMs(catalogue.City(city)!, catalogue.Cluster(cluster)!);

    [Fact]
    public void Beijing_to_Zhangjiakou_is_1_1_ms_which_is_regional_not_city()
    {
        var ms = Ms(TestCatalogue.Default, "beijing", "zhangjiakou");
        Assert.Equal(1.1m, ms);
        Assert.Equal(LatencyTier.Regional, Latency.ActualTier(ms));
        Assert.False(Latency.Within(LatencyTier.City, ms));
        Assert.True(Latency.Within(LatencyTier.Regional, ms));
    }

    [Fact]
    public void Shanghai_to_Zhongwei_is_cross_hub()
    {
        var ms = Ms(TestCatalogue.Default, "shanghai", "zhongwei");
        Assert.Equal(11.5m, ms);
        Assert.Equal(LatencyTier.CrossHub, Latency.ActualTier(ms));
        Assert.False(Latency.Within(LatencyTier.Regional, ms));
    }

    [Theory]
    [InlineData("shanghai", "yangtze-demo", "0.4", LatencyTier.City)]
    [InlineData("hangzhou", "yangtze-demo", "0.8", LatencyTier.City)]  // 0.754 rounds half up to 0.8
    [InlineData("guangzhou", "shaoguan", "1.3", LatencyTier.Regional)]
    [InlineData("chengdu", "guian", "3.6", LatencyTier.Regional)]
    [InlineData("chengdu", "zhongwei", "5.4", LatencyTier.CrossHub)]
    [InlineData("guangzhou", "zhangjiakou", "13.8", LatencyTier.CrossHub)]
    public void Estimates_and_tiers_of_built_in_pairs(string city, string cluster, string expectedMs, LatencyTier tier)
    {
        var ms = Ms(TestCatalogue.Default, city, cluster);
        Assert.Equal(decimal.Parse(expectedMs, CultureInfo.InvariantCulture), ms);
        Assert.Equal(tier, Latency.ActualTier(ms));
    }

    [Theory]
    [InlineData("1.0", LatencyTier.City)]
    [InlineData("1.1", LatencyTier.Regional)]
    [InlineData("5.0", LatencyTier.Regional)]
    [InlineData("5.1", LatencyTier.CrossHub)]
    [InlineData("20.0", LatencyTier.CrossHub)]
    public void Tier_bounds_are_inclusive(string ms, LatencyTier expected)
    {
        var value = decimal.Parse(ms, CultureInfo.InvariantCulture);
        Assert.Equal(expected, Latency.ActualTier(value));
        Assert.True(Latency.Within(expected, value));
    }

    [Fact]
    public void Beyond_twenty_ms_no_tier_holds()
    {
        Assert.Null(Latency.ActualTier(20.1m));
        Assert.False(Latency.Within(LatencyTier.CrossHub, 20.1m));
    }

    [Fact]
    public void Estimate_is_rounded_half_up_to_a_tenth()
    {
        // One degree of latitude is 111.19 km → 0.7783 ms → 0.8; the tenth is kept as a one-place decimal.
        Assert.Equal(0.8m, Latency.EstimateMs(30.0, 120.0, 31.0, 120.0));
        Assert.Equal(0m, Latency.EstimateMs(30.0, 120.0, 30.0, 120.0));
        Assert.Equal(111.19, Latency.DistanceKm(30.0, 120.0, 31.0, 120.0), 0.01);
    }

    [Fact]
    public void Override_via_Catalogue_With_replaces_the_estimate_for_that_pair_only()
    {
        var measured = TestCatalogue.WithLatency(new LatencyOverride("beijing", "zhangjiakou", 0.9m));
        Assert.Equal(0.9m, Ms(measured, "beijing", "zhangjiakou"));
        Assert.Equal(LatencyTier.City, Latency.ActualTier(Ms(measured, "beijing", "zhangjiakou")));
        Assert.Equal(11.5m, Ms(measured, "shanghai", "zhongwei"));
        // The original catalogue is unchanged (a change is a new catalogue).
        Assert.Equal(1.1m, Ms(TestCatalogue.Default, "beijing", "zhangjiakou"));
        // A later override of the same pair replaces the earlier one; classes and standard carry over.
        var again = measured.With([], [new LatencyOverride("beijing", "zhangjiakou", 2.0m)]);
        Assert.Equal(2.0m, Ms(again, "beijing", "zhangjiakou"));
        Assert.Equal(TestCatalogue.Default.ResourceClasses.Count, again.ResourceClasses.Count);
        Assert.Same(MeteringStandard.V1, again.Standard);
    }

    [Fact]
    public void Catalogue_With_merges_resource_classes_by_id()
    {
        var faster = new ResourceClass("ai-fp16-80g", ComputeFamily.Intelligent, Precision.FP16, 400m, 80);
        var extra = new ResourceClass("ai-new", ComputeFamily.Intelligent, Precision.FP16, 100m, 40);
        var merged = TestCatalogue.Default.With([faster, extra], []);
        Assert.Equal(0.2m, merged.Standard.ScuPerDevice(merged.ResourceClass("ai-fp16-80g")!));
        Assert.NotNull(merged.ResourceClass("ai-new"));
        Assert.Equal(TestCatalogue.Default.ResourceClasses.Count + 1, merged.ResourceClasses.Count);
    }

    [Fact]
    public void A_cluster_naming_an_unknown_hub_is_refused() =>
        Assert.Throws<ArgumentException>(() => new Catalogue(TestCatalogue.Hubs,
            [new Cluster("nowhere", "?", "no-hub", 0, 0, 0m)], TestCatalogue.Cities, TestCatalogue.Classes, MeteringStandard.V1));
}
