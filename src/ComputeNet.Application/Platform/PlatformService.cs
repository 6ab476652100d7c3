using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.ReferenceData;
using ComputeNet.Domain.Platform;
using ComputeNet.Domain.Reference;
using ComputeNet.Domain.Settlement;
using Marten;

namespace ComputeNet.Application.Platform;

/// <summary>The platform's settings as every decision sees them: calendar, fees and the effective catalogue.</summary>
public sealed record PlatformView(PeriodCalendar Calendar, FeeSchedule Fees, Catalogue Catalogue);

/// <summary>The platform stream (one aggregate: the settings) as its decisions see it.</summary>
public sealed class PlatformStream : IAggregateState
{
    public string Id { get; set; } = "";
    public PlatformSettings Settings { get; } = new();

    public void Apply(object data, long sequence) => Settings.Evolve(data);
}

/// <summary>
/// The platform's settings: one stream (<c>platform</c>, one aggregate), written through the <see cref="Decider"/>, read from
/// a cache that catches up with the stream's new events at most <see cref="StreamCache{TState}.MaxStaleness"/> after the
/// last read (at once after a write through this host).
/// </summary>
public sealed class PlatformService(IDocumentStore store)
{
    private readonly StreamCache<PlatformSettings> _cache = new(store, MartenSetup.Streams.Platform, () => new PlatformSettings(),
        (s, e) => s.Evolve(e));

    public static Catalogue BuiltIn => ReferenceDataLoader.Default;

    public Task<PlatformView> CurrentAsync(CancellationToken ct) =>
        _cache.ReadAsync(s => new PlatformView(s.Calendar, s.Fees, s.CatalogueOver(BuiltIn)), _ => true, ct);

    public Task<PlatformView> PublishStandardAsync(MeteringStandardPublished proposed, CancellationToken ct) =>
        DecideAsync(s => [s.Decide(proposed, BuiltIn)], ct);

    private async Task<PlatformView> DecideAsync(Func<PlatformSettings, IReadOnlyList<object>> decide, CancellationToken ct,
        Func<IDocumentSession, CancellationToken, Task>? begin = null)
    {
        var view = await Decider.DecideAsync<PlatformStream, PlatformView>(store, MartenSetup.Streams.Platform, s => decide(s.Settings),
            (s, _) => new PlatformView(s.Settings.Calendar, s.Settings.Fees, s.Settings.CatalogueOver(BuiltIn)), ct, begin);
        _cache.Invalidate();
        return view;
    }

    /// <summary>Every metering standard: the built-in one, then those the operator published, oldest first.</summary>
    public Task<IReadOnlyList<MeteringStandardPublished>> StandardsAsync(CancellationToken ct) =>
        _cache.ReadAsync<IReadOnlyList<MeteringStandardPublished>>(s =>
        [
            new MeteringStandardPublished(BuiltIn.Standard.Version,
                BuiltIn.Standard.FactorToFp32.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
                BuiltIn.ResourceClasses.OrderBy(c => c.Id, StringComparer.Ordinal).Select(ResourceClassDefinition.Of).ToList(), default),
            .. s.PublishedStandards,
        ], ct);

    /// <summary>
    /// Replaces the settings. Under the settlement lock, shared (a close holds it exclusively), it reads whether any period
    /// was closed (the inline <see cref="Settlement.ClosedPeriodView"/>, one indexed row): after the first close the calendar
    /// may no longer change (market-rules §7).
    /// </summary>
    public Task<PlatformView> ConfigureAsync(PlatformConfigured proposed, CancellationToken ct)
    {
        var anyClosed = false;
        return DecideAsync(s => [s.Decide(proposed, BuiltIn, anyClosed)], ct, async (session, token) =>
        {
            await SettlementLock.ShareAsync(session, token);
            anyClosed = await session.Query<Settlement.ClosedPeriodView>().AnyAsync(token);
        });
    }
}
