namespace ComputeNet.Domain.Reference;

/// <summary>Latency estimate and tiers (market-rules §3).</summary>
public static class Latency
{
    public const double EarthRadiusKm = 6371.0;

    /// <summary>Great-circle distance by haversine, in km.</summary>
    public static double DistanceKm(double lat1, double lon1, double lat2, double lon2)
    {
        static double Rad(double deg) => deg * Math.PI / 180.0;
        var dPhi = Rad(lat2 - lat1);
        var dLambda = Rad(lon2 - lon1);
        var a = Math.Sin(dPhi / 2) * Math.Sin(dPhi / 2)
              + Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Sin(dLambda / 2) * Math.Sin(dLambda / 2);
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(a));
    }

    /// <summary>
    /// Estimated one-way latency <c>d × 1.4 / 200</c> ms, computed in double precision and rounded half up
    /// to 0.1 ms. The result is a decimal with one place, compared exactly against tier bounds.
    /// </summary>
    public static decimal EstimateMs(double lat1, double lon1, double lat2, double lon2)
    {
        var ms = DistanceKm(lat1, lon1, lat2, lon2) * 1.4 / 200.0;
        var tenths = Math.Floor(ms * 10.0 + 0.5);
        return (decimal)tenths / 10m;
    }

    /// <summary>Upper bound of a tier in ms, inclusive.</summary>
    public static decimal MaxMs(LatencyTier tier) => tier switch
    {
        LatencyTier.City => 1.0m,
        LatencyTier.Regional => 5.0m,
        LatencyTier.CrossHub => 20.0m,
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };

    public static bool Within(LatencyTier tier, decimal latencyMs) => latencyMs <= MaxMs(tier);

    /// <summary>The tightest tier a latency falls in, or null beyond the cross-hub bound.</summary>
    public static LatencyTier? ActualTier(decimal latencyMs) =>
        latencyMs <= 1.0m ? LatencyTier.City
        : latencyMs <= 5.0m ? LatencyTier.Regional
        : latencyMs <= 20.0m ? LatencyTier.CrossHub
        : null;
}
