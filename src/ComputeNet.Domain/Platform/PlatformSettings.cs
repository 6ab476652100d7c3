using ComputeNet.Domain.Money;
using ComputeNet.Domain.Reference;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Platform;

/// <summary>
/// Event: the operator set how the platform settles (period unit, time zone), its fee schedule, and
/// reference data that extends the built-in catalogue (resource classes merged by id, measured latencies).
/// Each event replaces the previous settings whole.
/// </summary>
public sealed record PlatformConfigured(
    string PeriodUnit,
    string TimeZone,
    int ComputeFeeBp,
    int TransportFeeBp,
    IReadOnlyList<ResourceClassDefinition> ResourceClasses,
    IReadOnlyList<LatencyOverride> Latencies,
    Instant At);

/// <summary>A resource class as stored in events: family and precision as their stable slugs, never enum member names.</summary>
public sealed record ResourceClassDefinition(string Id, string Family, string Precision, decimal PeakTflops, int MemoryGb)
{
    public static ResourceClassDefinition Of(ResourceClass rc) => new(rc.Id, Slugs.Of(rc.Family), rc.Precision.ToString(), rc.PeakTflops, rc.MemoryGb);

    public ResourceClass ToResourceClass() =>
        Slugs.TryParseFamily(Family, out var family) && Slugs.TryParsePrecision(Precision, out var precision)
            ? new ResourceClass(Id, family, precision, PeakTflops, MemoryGb)
            : throw RejectedException.Of(Codes.Invalid, $"resource class '{Id}' has an unknown family '{Family}' or precision '{Precision}'", "resourceClasses");
}

/// <summary>
/// Event: the operator published a new version of the unified metering standard — precision factors and the
/// resource classes rated by it. Offers listed from now on are rated with it; every existing lease and usage record
/// keeps the version (and SCU per device) it was rated with, so history never changes.
/// </summary>
public sealed record MeteringStandardPublished(
    string Version,
    IReadOnlyDictionary<string, decimal> PrecisionFactors,
    IReadOnlyList<ResourceClassDefinition> ResourceClasses,
    Instant At);

/// <summary>The platform's current settings; defaults until the operator configures it.</summary>
public sealed class PlatformSettings
{
    /// <summary>
    /// Bounds on reference data, so that SCU per device (peak × factor / 1000, at most 100,000,000) and every quantity
    /// derived from it stay far inside decimal and 2^53 − 1 fen arithmetic (market-rules §6, ADR 0019).
    /// </summary>
    public const decimal MaxPeakTflops = 1_000_000_000m;

    public const decimal MaxPrecisionFactor = 100m;

    public PeriodCalendar Calendar { get; private set; } = PeriodCalendar.DailyShanghai;
    public FeeSchedule Fees { get; private set; } = FeeSchedule.Default;
    public IReadOnlyList<ResourceClass> ExtraResourceClasses { get; private set; } = [];
    public IReadOnlyList<LatencyOverride> Latencies { get; private set; } = [];
    public bool Configured { get; private set; }
    /// <summary>Metering standards published by the operator, oldest first; the last one is in force.</summary>
    public IReadOnlyList<MeteringStandardPublished> PublishedStandards => _published;
    private readonly List<MeteringStandardPublished> _published = [];

    /// <summary>The catalogue in force: the built-in places, the standard in force and its classes, then the operator's extensions.</summary>
    public Catalogue CatalogueOver(Catalogue builtIn)
    {
        var basis = builtIn;
        if (_published.Count > 0)
        {
            var current = _published[^1];
            basis = new Catalogue(builtIn.Hubs, builtIn.Clusters, builtIn.Cities, current.ResourceClasses.Select(d => d.ToResourceClass()),
                StandardOf(current));
        }
        return ExtraResourceClasses.Count == 0 && Latencies.Count == 0 ? basis : basis.With(ExtraResourceClasses, Latencies);
    }

    private static MeteringStandard StandardOf(MeteringStandardPublished p) =>
        new(p.Version, p.PrecisionFactors.ToDictionary(kv => Slugs.TryParsePrecision(kv.Key, out var precision) ? precision
            : throw new InvalidOperationException($"standard {p.Version}: unknown precision {kv.Key}"), kv => kv.Value));

    /// <summary>
    /// Checks a new standard: a version never used before (v1 is the built-in one), a positive factor for every
    /// precision, at least one class and at most 1000, each well formed with a unique id.
    /// </summary>
    public MeteringStandardPublished Decide(MeteringStandardPublished proposed, Catalogue builtIn)
    {
        if (string.IsNullOrWhiteSpace(proposed.Version) || proposed.Version.Length > 32)
        {
            throw RejectedException.Of(Codes.Invalid, "a metering standard needs a version label of at most 32 characters", "version");
        }
        if (proposed.Version == builtIn.Standard.Version || _published.Any(p => p.Version == proposed.Version))
        {
            throw RejectedException.Of(Codes.IdReused, $"metering standard {proposed.Version} was already published; publish a new version", "version");
        }
        foreach (var precision in Enum.GetValues<Precision>())
        {
            if (!proposed.PrecisionFactors.TryGetValue(precision.ToString(), out var factor) || factor <= 0 || factor > MaxPrecisionFactor)
            {
                throw RejectedException.Of(Codes.Invalid, $"the standard needs a factor above 0 and at most {MaxPrecisionFactor} for {precision}", "precisionFactors");
            }
        }
        if (proposed.PrecisionFactors.Keys.Any(k => !Slugs.TryParsePrecision(k, out _)))
        {
            throw RejectedException.Of(Codes.Invalid, "precision factors name FP64, FP32, FP16, BF16 and INT8 only", "precisionFactors");
        }
        if (proposed.ResourceClasses.Count is 0 or > 1000)
        {
            throw RejectedException.Of(Codes.Invalid, "a standard rates between 1 and 1000 resource classes", "resourceClasses");
        }
        if (proposed.ResourceClasses.Select(c => c.Id).Distinct().Count() != proposed.ResourceClasses.Count)
        {
            throw RejectedException.Of(Codes.Invalid, "resource class ids must be unique within a standard", "resourceClasses");
        }
        foreach (var rc in proposed.ResourceClasses.Select(d => d.ToResourceClass()))
        {
            if (string.IsNullOrWhiteSpace(rc.Id) || rc.PeakTflops <= 0 || rc.MemoryGb <= 0)
            {
                throw RejectedException.Of(Codes.Invalid, $"resource class '{rc.Id}' needs an id, peak TFLOPS above 0 and memory above 0", "resourceClasses");
            }
            if (rc.PeakTflops > MaxPeakTflops)
            {
                throw RejectedException.Of(Codes.Invalid, $"resource class '{rc.Id}': peak TFLOPS are at most {MaxPeakTflops:#,0} (no device delivers more)", "resourceClasses");
            }
        }
        return proposed;
    }

    public void Evolve(object e)
    {
        switch (e)
        {
            case PlatformConfigured c:
                Evolve(c);
                break;
            case MeteringStandardPublished p:
                _published.Add(p);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown platform event");
        }
    }

    /// <summary>
    /// Checks a configuration against the current settings too: the calendar (period unit, time zone) may change only
    /// before the first close (market-rules §7), since a month close after daily closes would bill their hours again and
    /// periods must never overlap or leave gaps. Fees and reference data may change at any time.
    /// </summary>
    public PlatformConfigured Decide(PlatformConfigured proposed, Catalogue builtIn, bool anyPeriodClosed)
    {
        var checkedProposal = Decide(proposed, builtIn);
        if (anyPeriodClosed)
        {
            var unit = Calendar.Unit == PeriodUnit.Month ? "month" : "day";
            if (proposed.PeriodUnit != unit)
            {
                throw RejectedException.Of(Codes.Invalid, $"the settlement period stays '{unit}': the calendar may change only before the first close", "period");
            }
            if (proposed.TimeZone != Calendar.Zone.Id)
            {
                throw RejectedException.Of(Codes.Invalid, $"the time zone stays '{Calendar.Zone.Id}': the calendar may change only before the first close", "timeZone");
            }
        }
        return checkedProposal;
    }

    /// <summary>Checks a configuration against the rules and the built-in catalogue; throws `invalid` naming the field.</summary>
    public static PlatformConfigured Decide(PlatformConfigured proposed, Catalogue builtIn)
    {
        if (proposed.PeriodUnit is not ("day" or "month"))
        {
            throw RejectedException.Of(Codes.Invalid, "the settlement period is 'day' or 'month'", "period");
        }
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(proposed.TimeZone) is null)
        {
            throw RejectedException.Of(Codes.Invalid, $"unknown time zone '{proposed.TimeZone}'", "timeZone");
        }
        if (!new BasisPoints(proposed.ComputeFeeBp).IsValidShare || !new BasisPoints(proposed.TransportFeeBp).IsValidShare)
        {
            throw RejectedException.Of(Codes.Invalid, "fees are basis points between 0 and 10000", "fees");
        }
        foreach (var rc in proposed.ResourceClasses.Select(d => d.ToResourceClass()))
        {
            if (string.IsNullOrWhiteSpace(rc.Id) || rc.PeakTflops <= 0 || rc.MemoryGb <= 0)
            {
                throw RejectedException.Of(Codes.Invalid, $"resource class '{rc.Id}' needs an id, peak TFLOPS above 0 and memory above 0", "resourceClasses");
            }
            if (rc.PeakTflops > MaxPeakTflops)
            {
                throw RejectedException.Of(Codes.Invalid, $"resource class '{rc.Id}': peak TFLOPS are at most {MaxPeakTflops:#,0} (no device delivers more)", "resourceClasses");
            }
        }
        foreach (var l in proposed.Latencies)
        {
            if (builtIn.City(l.City) is null || builtIn.Cluster(l.Cluster) is null)
            {
                throw RejectedException.Of(Codes.Invalid, $"latency override names unknown city '{l.City}' or cluster '{l.Cluster}'", "latencies");
            }
            if (l.Ms < 0 || decimal.Round(l.Ms, 1) != l.Ms)
            {
                throw RejectedException.Of(Codes.Invalid, "a measured latency is ms ≥ 0 with at most one decimal place", "latencies");
            }
        }
        return proposed;
    }

    public void Evolve(PlatformConfigured e)
    {
        Calendar = new PeriodCalendar(e.PeriodUnit == "month" ? PeriodUnit.Month : PeriodUnit.Day, DateTimeZoneProviders.Tzdb[e.TimeZone]);
        Fees = new FeeSchedule(new BasisPoints(e.ComputeFeeBp), new BasisPoints(e.TransportFeeBp));
        ExtraResourceClasses = e.ResourceClasses.Select(d => d.ToResourceClass()).ToList();
        Latencies = e.Latencies;
        Configured = true;
    }
}
