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

/// <summary>The platform's current settings; defaults until the operator configures it.</summary>
public sealed class PlatformSettings
{
    public PeriodCalendar Calendar { get; private set; } = PeriodCalendar.DailyShanghai;
    public FeeSchedule Fees { get; private set; } = FeeSchedule.Default;
    public IReadOnlyList<ResourceClass> ExtraResourceClasses { get; private set; } = [];
    public IReadOnlyList<LatencyOverride> Latencies { get; private set; } = [];
    public bool Configured { get; private set; }

    public Catalogue CatalogueOver(Catalogue builtIn) =>
        ExtraResourceClasses.Count == 0 && Latencies.Count == 0 ? builtIn : builtIn.With(ExtraResourceClasses, Latencies);

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
