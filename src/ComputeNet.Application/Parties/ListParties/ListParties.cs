using ComputeNet.Application.Parties.RegisterParty;
using Mediator;

namespace ComputeNet.Application.Parties.ListParties;

/// <summary>Every registered party in registration order.</summary>
public sealed record ListPartiesRequest : IQuery<IReadOnlyList<PartyView>>;

public sealed class ListPartiesHandler(PartyDirectory parties) : IQueryHandler<ListPartiesRequest, IReadOnlyList<PartyView>>
{
    public async ValueTask<IReadOnlyList<PartyView>> Handle(ListPartiesRequest query, CancellationToken ct) =>
        (await parties.AllAsync(ct)).Select(PartyView.Of).ToList();
}
