using ComputeNet.Domain.Reference;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// The built-in reference data of src/ComputeNet.Application/ReferenceData/*.json, copied by hand: the
/// domain tests do not reference Application. Keep in step with those files (values are demo values).
/// </summary>
public static class TestCatalogue
{
    public static readonly IReadOnlyList<Hub> Hubs =
    [
        new("jingjinji", "京津冀", HubKind.Demand),
        new("yangtze-delta", "长三角", HubKind.Demand),
        new("gba", "粤港澳大湾区", HubKind.Demand),
        new("chengyu", "成渝", HubKind.Demand),
        new("inner-mongolia", "内蒙古", HubKind.Resource),
        new("guizhou", "贵州", HubKind.Resource),
        new("gansu", "甘肃", HubKind.Resource),
        new("ningxia", "宁夏", HubKind.Resource),
    ];

    public static readonly IReadOnlyList<Cluster> Clusters =
    [
        new("zhangjiakou", "张家口", "jingjinji", 40.77, 114.88, 0.80m),
        new("yangtze-demo", "长三角生态绿色一体化发展示范区", "yangtze-delta", 31.00, 120.90, 0.35m),
        new("wuhu", "芜湖", "yangtze-delta", 31.33, 118.38, 0.40m),
        new("shaoguan", "韶关", "gba", 24.80, 113.60, 0.55m),
        new("tianfu", "天府", "chengyu", 30.40, 104.07, 0.75m),
        new("chongqing", "重庆", "chengyu", 29.56, 106.55, 0.60m),
        new("horinger", "和林格尔", "inner-mongolia", 40.38, 111.82, 0.82m),
        new("guian", "贵安", "guizhou", 26.42, 106.45, 0.70m),
        new("qingyang", "庆阳", "gansu", 35.71, 107.64, 0.80m),
        new("zhongwei", "中卫", "ningxia", 37.51, 105.19, 0.85m),
    ];

    public static readonly IReadOnlyList<City> Cities =
    [
        new("beijing", "北京", 39.90, 116.41, CitySide.East),
        new("shanghai", "上海", 31.23, 121.47, CitySide.East),
        new("hangzhou", "杭州", 30.27, 120.16, CitySide.East),
        new("guangzhou", "广州", 23.13, 113.26, CitySide.East),
        new("chengdu", "成都", 30.57, 104.07, CitySide.West),
        new("zhangjiakou", "张家口", 40.77, 114.88, CitySide.East),
    ];

    public static readonly IReadOnlyList<ResourceClass> Classes =
    [
        new("ai-fp16-80g", ComputeFamily.Intelligent, Precision.FP16, 312m, 80),
        new("ai-fp16-80g-hi", ComputeFamily.Intelligent, Precision.FP16, 989m, 80),
        new("ai-fp16-64g", ComputeFamily.Intelligent, Precision.FP16, 320m, 64),
        new("ai-int8-24g", ComputeFamily.Intelligent, Precision.INT8, 260m, 24),
        new("cpu-fp32-vcpu", ComputeFamily.General, Precision.FP32, 0.064m, 4),
        new("hpc-fp64-node", ComputeFamily.Super, Precision.FP64, 3.0m, 256),
    ];

    /// <summary>The built-in catalogue with metering standard v1 and no latency overrides.</summary>
    public static readonly Catalogue Default = new(Hubs, Clusters, Cities, Classes, MeteringStandard.V1);

    /// <summary>The built-in catalogue with measured latencies replacing the estimate for some pairs.</summary>
    public static Catalogue WithLatency(params LatencyOverride[] overrides) => Default.With([], overrides);
}

/// <summary>Instants in Asia/Shanghai local time, as the rules and the examples write them.</summary>
public static class Sh
{
    public static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    public static Instant At(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new LocalDateTime(year, month, day, hour, minute, second).InZoneStrictly(Zone).ToInstant();

    /// <summary>2026-12-{day} at {hour}:{minute} Shanghai: the month every test lives in.</summary>
    public static Instant Dec(int day, int hour = 0, int minute = 0, int second = 0) => At(2026, 12, day, hour, minute, second);
}
