using ComputeNet.Domain.Settlement;
using JasperFx.Events;
using Marten.Events.Projections;

namespace ComputeNet.Application.Settlement;

/// <summary>
/// The head of one statement chain (market-rules §11): the hash of its latest statement in close order. Closes run one
/// at a time under the exclusive settlement lock, so the last statement projected is the head the next close links to.
/// </summary>
public sealed class ChainHeadView
{
    /// <summary>The chain key: <c>invoice/{buyer}</c>, <c>provider/{id}</c>, <c>carrier/{id}</c>, <c>issuer/{id}</c>, <c>region/{id}</c>.</summary>
    public string Id { get; set; } = "";
    public string Hash { get; set; } = "";
    /// <summary>The period whose statement is the head.</summary>
    public string Period { get; set; } = "";
}

/// <summary>
/// One document per statement chain, updated inline as a close appends its statements: the close reads every head in
/// one query instead of every closed period's stream. Statements stored without a hash (before statement hashing) leave
/// the head as it was, as the reading of every period did.
/// </summary>
public sealed class ChainHeadProjection : MultiStreamProjection<ChainHeadView, string>
{
    public ChainHeadProjection()
    {
        Identity<InvoiceIssued>(Domain.Audit.Statements.KeyOf);
        Identity<StatementIssued>(Domain.Audit.Statements.KeyOf);
        Identity<IssuerClaimIssued>(Domain.Audit.Statements.KeyOf);
        Identity<RegionShareIssued>(Domain.Audit.Statements.KeyOf);
    }

    public override ChainHeadView? Evolve(ChainHeadView? snapshot, string id, IEvent e)
    {
        var (hash, period) = e.Data switch
        {
            InvoiceIssued i => (i.Hash, i.Period),
            StatementIssued s => (s.Hash, s.Period),
            IssuerClaimIssued c => (c.Hash, c.Period),
            RegionShareIssued r => (r.Hash, r.Period),
            _ => (null, ""),
        };
        return hash is null ? snapshot : new ChainHeadView { Id = id, Hash = hash, Period = period };
    }
}
