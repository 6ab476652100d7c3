using ComputeNet.Domain.Platform;
using ComputeNet.Domain.Reference;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Platform.ConfigurePlatform;

/// <summary>Operator: set the settlement calendar, fee schedule and reference-data extensions (replaces the previous settings).</summary>
public sealed record ConfigurePlatformRequest(
    string Period,
    string TimeZone,
    int ComputeFeeBp,
    int TransportFeeBp,
    IReadOnlyList<ResourceClass>? ResourceClasses,
    IReadOnlyList<LatencyOverride>? Latencies) : ICommand<PlatformSummary>;

public sealed record PlatformSummary(string Period, string TimeZone, int ComputeFeeBp, int TransportFeeBp, int ResourceClasses, int LatencyOverrides);

public sealed class ConfigurePlatformValidator : AbstractValidator<ConfigurePlatformRequest>
{
    public ConfigurePlatformValidator()
    {
        RuleFor(x => x.Period).NotEmpty();
        RuleFor(x => x.TimeZone).NotEmpty().MaximumLength(64);
        RuleFor(x => x.ResourceClasses).Must(l => l is null || l.Count <= 1000).WithMessage("at most 1000 resource classes");
        RuleFor(x => x.Latencies).Must(l => l is null || l.Count <= 10_000).WithMessage("at most 10000 latency overrides");
    }
}

public sealed class ConfigurePlatformHandler(PlatformService platform, IClock clock) : ICommandHandler<ConfigurePlatformRequest, PlatformSummary>
{
    public async ValueTask<PlatformSummary> Handle(ConfigurePlatformRequest r, CancellationToken ct)
    {
        var view = await platform.ConfigureAsync(new PlatformConfigured(r.Period, r.TimeZone, r.ComputeFeeBp, r.TransportFeeBp,
            (r.ResourceClasses ?? []).Select(ResourceClassDefinition.Of).ToList(), r.Latencies ?? [], clock.GetCurrentInstant()), ct);
        return new PlatformSummary(r.Period, view.Calendar.Zone.Id, view.Fees.Compute.Value, view.Fees.Transport.Value,
            view.Catalogue.ResourceClasses.Count, view.Catalogue.LatencyOverrides.Count);
    }
}
