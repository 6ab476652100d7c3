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
        (s, e) => s.Evolve(e));

    public static Catalogue BuiltIn => ReferenceDataLoader.Default;

    public Task<PlatformView> CurrentAsync(CancellationToken ct) =>
        _cache.ReadAsync(s => new PlatformView(s.Calendar, s.Fees, s.CatalogueOver(BuiltIn)), _ => true, ct);

    public Task<PlatformView> PublishStandardAsync(MeteringStandardPublished proposed, CancellationToken ct) =>
        _cache.WriteAsync(
            s => s.Decide(proposed, BuiltIn),
            e => [e],
            null,
            (s, _) => new PlatformView(s.Calendar, s.Fees, s.CatalogueOver(BuiltIn)),
            ct);

    /// <summary>Every metering standard: the built-in one, then those the operator published, oldest first.</summary>
    public Task<IReadOnlyList<MeteringStandardPublished>> StandardsAsync(CancellationToken ct) =>
        _cache.ReadAsync<IReadOnlyList<MeteringStandardPublished>>(s =>
        [
            new MeteringStandardPublished(BuiltIn.Standard.Version,
                BuiltIn.Standard.FactorToFp32.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
                BuiltIn.ResourceClasses.OrderBy(c => c.Id, StringComparer.Ordinal).Select(ResourceClassDefinition.Of).ToList(), default),
            .. s.PublishedStandards,
        ], ct);

    public Task<PlatformView> ConfigureAsync(PlatformConfigured proposed, CancellationToken ct) =>
        _cache.WriteAsync(
            _ => PlatformSettings.Decide(proposed, BuiltIn),
            e => [e],
            null,
            (s, _) => new PlatformView(s.Calendar, s.Fees, s.CatalogueOver(BuiltIn)),
            ct);
}
