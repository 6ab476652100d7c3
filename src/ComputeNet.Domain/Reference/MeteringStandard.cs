namespace ComputeNet.Domain.Reference;

/// <summary>
/// The unified metering standard: how a device's peak throughput at its rated precision converts to
/// standard compute units. 1 SCU = 1 PFLOPS of FP32-equivalent peak (market-rules §2). The version is
/// recorded with every lease and usage record so that history never changes when the table does.
/// </summary>
public sealed record MeteringStandard(string Version, IReadOnlyDictionary<Precision, decimal> FactorToFp32)
{
    public static readonly MeteringStandard V1 = new("v1", new Dictionary<Precision, decimal>
    {
        [Precision.FP64] = 2m,
        [Precision.FP32] = 1m,
        [Precision.FP16] = 0.5m,
        [Precision.BF16] = 0.5m,
        [Precision.INT8] = 0.25m,
    });

    /// <summary><c>scu_per_device = peak_tflops × factor / 1000</c>, exact in decimal, trailing zeros removed.</summary>
    public decimal ScuPerDevice(ResourceClass rc) => Normalise(rc.PeakTflops * FactorToFp32[rc.Precision] / 1000m);

    /// <summary>Removes trailing zeros so that equal values print alike ("0.156", not "0.15600").</summary>
    public static decimal Normalise(decimal value) => value / 1.000000000000000000000000000000000m;
}
