using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.ReferenceData;
using ComputeNet.Domain.Platform;
using ComputeNet.Domain.Reference;
using ComputeNet.Domain.Settlement;
using Marten;

namespace ComputeNet.Application.Platform;

/// <summary>The platform's settings as every decision sees them: calendar, fees and the effective catalogue.</summary>
public sealed record PlatformView(PeriodCalendar Calendar, FeeSchedule Fees, Catalogue Catalogue);

/// <summary>Holds the platform stream (settings) current and answers with the effective catalogue.</summary>
public sealed class PlatformService(IDocumentStore store)
{
    private readonly StreamCache<PlatformSettings> _cache = new(store, MartenSetup.Streams.Platform, () => new PlatformSettings(),
        (s, e) => s.Evolve((PlatformConfigured)e));

    public static Catalogue BuiltIn => ReferenceDataLoader.Default;

    public Task<PlatformView> CurrentAsync(CancellationToken ct) =>
        _cache.ReadAsync(s => new PlatformView(s.Calendar, s.Fees, s.CatalogueOver(BuiltIn)), ct);

    public Task<PlatformView> ConfigureAsync(PlatformConfigured proposed, CancellationToken ct) =>
        _cache.WriteAsync(
            _ => PlatformSettings.Decide(proposed, BuiltIn),
            e => [e],
            null,
            (s, _) => new PlatformView(s.Calendar, s.Fees, s.CatalogueOver(BuiltIn)),
            ct);
}
