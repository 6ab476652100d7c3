using ComputeNet.Domain.Pairings;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Pairings.AgreePairing;

/// <summary>
/// Operator: record a pairing agreement (结对子) — a demand region (id and cities), a supply hub, weights for platform,
/// demand region and supply region, validity [from, to) (open bounds allowed). Refused whole when it overlaps another.
/// </summary>
public sealed record AgreePairingRequest(string? Id, string DemandRegion, IReadOnlyList<string> DemandCities, string SupplyHub,
    int PlatformWeight, int DemandWeight, int SupplyWeight, Instant? ValidFrom = null, Instant? ValidTo = null) : ICommand<PairingAgreed>;

/// <summary>Operator: end an agreement at an instant; its successor may start from that instant.</summary>
public sealed record EndPairingRequest(string Id, Instant EndAt) : ICommand<PairingAgreed>;

public sealed record ListPairingsRequest : IQuery<IReadOnlyList<PairingAgreed>>;

public sealed class PairingHandler(PairingService pairings, Platform.PlatformService platform, IClock clock) :
    ICommandHandler<AgreePairingRequest, PairingAgreed>,
    ICommandHandler<EndPairingRequest, PairingAgreed>,
    IQueryHandler<ListPairingsRequest, IReadOnlyList<PairingAgreed>>
{
    public async ValueTask<PairingAgreed> Handle(AgreePairingRequest r, CancellationToken ct)
    {
        var catalogue = (await platform.CurrentAsync(ct)).Catalogue;
        var proposed = new PairingAgreed(r.Id ?? "", r.DemandRegion ?? "", r.DemandCities ?? [], r.SupplyHub ?? "", r.PlatformWeight, r.DemandWeight,
            r.SupplyWeight, r.ValidFrom, r.ValidTo, clock.GetCurrentInstant());
        return await pairings.AgreeAsync(proposed, catalogue, ct);
    }

    public async ValueTask<PairingAgreed> Handle(EndPairingRequest r, CancellationToken ct) =>
        await pairings.EndAsync(new PairingEnded(r.Id, r.EndAt, clock.GetCurrentInstant()), ct);

    public async ValueTask<IReadOnlyList<PairingAgreed>> Handle(ListPairingsRequest q, CancellationToken ct) =>
        await pairings.AllAsync(ct);
}
