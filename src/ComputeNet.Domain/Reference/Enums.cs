namespace ComputeNet.Domain.Reference;

/// <summary>Compute families (market-rules §2). Slugs: general, intelligent, super.</summary>
public enum ComputeFamily { General, Intelligent, Super }

/// <summary>Rated precision of a resource class. FP16 and BF16 share one factor.</summary>
public enum Precision { FP64, FP32, FP16, BF16, INT8 }

/// <summary>Latency tiers (market-rules §3), inclusive on the value rounded to 0.1 ms.</summary>
public enum LatencyTier { City, Regional, CrossHub }

public enum HubKind { Demand, Resource }

/// <summary>East or west for east→west flow reports (reference-data.md).</summary>
public enum CitySide { East, West }

public static class Slugs
{
    public static string Of(ComputeFamily f) => f switch
    {
        ComputeFamily.General => "general",
        ComputeFamily.Intelligent => "intelligent",
        ComputeFamily.Super => "super",
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    public static bool TryParseFamily(string? s, out ComputeFamily family)
    {
        switch (s)
        {
            case "general": family = ComputeFamily.General; return true;
            case "intelligent": family = ComputeFamily.Intelligent; return true;
            case "super": family = ComputeFamily.Super; return true;
            default: family = default; return false;
        }
    }

    public static string Of(LatencyTier t) => t switch
    {
        LatencyTier.City => "city",
        LatencyTier.Regional => "regional",
        LatencyTier.CrossHub => "cross-hub",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static bool TryParseTier(string? s, out LatencyTier tier)
    {
        switch (s)
        {
            case "city": tier = LatencyTier.City; return true;
            case "regional": tier = LatencyTier.Regional; return true;
            case "cross-hub": tier = LatencyTier.CrossHub; return true;
            default: tier = default; return false;
        }
    }

    /// <summary>Exactly one of FP64, FP32, FP16, BF16, INT8 (no numbers, lists or padding).</summary>
    public static bool TryParsePrecision(string? s, out Precision precision)
    {
        switch (s)
        {
            case "FP64": precision = Precision.FP64; return true;
            case "FP32": precision = Precision.FP32; return true;
            case "FP16": precision = Precision.FP16; return true;
            case "BF16": precision = Precision.BF16; return true;
            case "INT8": precision = Precision.INT8; return true;
            default: precision = default; return false;
        }
    }
}
