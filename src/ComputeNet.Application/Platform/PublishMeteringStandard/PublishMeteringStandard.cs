using ComputeNet.Domain.Platform;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Platform.PublishMeteringStandard;

/// <summary>
/// Operator: publish a new version of the unified metering standard. New offers are rated with it; existing leases
/// and their usage keep the version they were rated with.
/// </summary>
public sealed record PublishMeteringStandardRequest(
    string Version,
    IReadOnlyDictionary<string, decimal> PrecisionFactors,
    IReadOnlyList<ResourceClassDefinition> ResourceClasses) : ICommand<MeteringStandardView>;

public sealed record MeteringStandardView(string Version, IReadOnlyDictionary<string, decimal> PrecisionFactors,
    IReadOnlyList<ResourceClassDefinition> ResourceClasses, Instant? PublishedAt, bool InForce);

/// <summary>Every metering standard, oldest first; the last is in force.</summary>
public sealed record ListMeteringStandardsRequest : IQuery<IReadOnlyList<MeteringStandardView>>;

public sealed class PublishMeteringStandardValidator : AbstractValidator<PublishMeteringStandardRequest>
{
    public PublishMeteringStandardValidator()
    {
        RuleFor(x => x.PrecisionFactors).NotNull().Must(f => f.Count <= 10).WithMessage("at most 10 precision factors");
        RuleFor(x => x.ResourceClasses).NotNull();
    }
}

public sealed class MeteringStandardHandler(PlatformService platform, IClock clock) :
    ICommandHandler<PublishMeteringStandardRequest, MeteringStandardView>,
    IQueryHandler<ListMeteringStandardsRequest, IReadOnlyList<MeteringStandardView>>
{
    public async ValueTask<MeteringStandardView> Handle(PublishMeteringStandardRequest r, CancellationToken ct)
    {
        var published = new MeteringStandardPublished(r.Version, r.PrecisionFactors, r.ResourceClasses, clock.GetCurrentInstant());
        await platform.PublishStandardAsync(published, ct);
        return new MeteringStandardView(r.Version, r.PrecisionFactors, r.ResourceClasses, published.At, true);
    }

    public async ValueTask<IReadOnlyList<MeteringStandardView>> Handle(ListMeteringStandardsRequest q, CancellationToken ct)
    {
        var all = await platform.StandardsAsync(ct);
        return all.Select((s, i) => new MeteringStandardView(s.Version, s.PrecisionFactors, s.ResourceClasses,
            i == 0 ? null : s.At, i == all.Count - 1)).ToList();
    }
}
