using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Parties;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Marten.Events.Projections;

namespace ComputeNet.Application.Parties;

/// <summary>One party's stream (<c>party:{id}</c>) as its decisions see it: its registration and its current key.</summary>
public sealed class PartyStream : IAggregateState
{
    public string Id { get; set; } = "";
    public PartyRegistered? Registered { get; private set; }
    public ApiKeyIssued? Key { get; private set; }

    public void Apply(object data, long sequence)
    {
        switch (data)
        {
            case PartyRegistered r:
                Registered = r;
                break;
            case ApiKeyIssued k:
                Key = k;
                break;
            case ApiKeysRevoked:
                Key = null;
                break;
        }
    }

    /// <summary>
    /// The registry a decision about this party runs on: this party (if registered) with its key, and the registrations
    /// of <paramref name="others"/> (the carriers serving the routes it asks for).
    /// </summary>
    public PartyRegistry Registry(IEnumerable<PartyRegistered> others)
    {
        var registry = new PartyRegistry();
        foreach (var other in others.Where(o => Registered is null || o.PartyId != Registered.PartyId))
        {
            registry.Evolve(other);
        }
        if (Registered is not null)
        {
            registry.Evolve(Registered);
        }
        if (Key is not null)
        {
            registry.Evolve(Key);
        }
        return registry;
    }
}

/// <summary>
/// A party as authentication, lists and decisions read it, written inline with every event of its stream; indexed by
/// its current key's SHA-256, so an API key is found by one indexed read, and by registration order.
/// </summary>
public sealed class PartyDocument
{
    /// <summary>The stream key <c>party:{id}</c>.</summary>
    public string Id { get; set; } = "";
    public string PartyId { get; set; } = "";
    public long Ordinal { get; set; }
    public PartyRegistered Registered { get; set; } = null!;
    public string? KeyId { get; set; }
    public string? KeyHash { get; set; }

    public Party Party() => PartyRegistry.From([Registered]).Find(PartyId)!;
}

/// <summary>A city–cluster route and the one carrier serving it (market-rules §6), by key <c>{city}|{cluster}</c>.</summary>
public sealed class RouteDocument
{
    public string Id { get; set; } = "";
    public string City { get; set; } = "";
    public string Cluster { get; set; } = "";
    public string Carrier { get; set; } = "";

    public static string KeyOf(string city, string cluster) => $"{city}|{cluster}";
}

public static class PartyProjections
{
    public static string StreamOf(string partyId) => $"party:{partyId}";

    public static bool IsPartyStream(string? key) => key is not null && key.StartsWith("party:", StringComparison.Ordinal);

    public static void Configure(StoreOptions opts)
    {
        opts.Projections.Add(new LiveAggregation<PartyStream>(), JasperFx.Events.Projections.ProjectionLifecycle.Live);
        opts.Schema.For<PartyDocument>().Index(x => x.KeyHash!).Index(x => x.Ordinal);
        opts.Schema.For<RouteDocument>().Index(x => x.Carrier);
        opts.Projections.Add(new PartyDocumentProjection(), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        opts.Projections.Add(new RouteDocumentProjection(), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
    }
}

public sealed class PartyDocumentProjection : SingleStreamProjection<PartyDocument, string>
{
    public PartyDocumentProjection()
    {
        IncludeType<PartyRegistered>();
        IncludeType<ApiKeyIssued>();
        IncludeType<ApiKeysRevoked>();
    }

    public override PartyDocument? Evolve(PartyDocument? snapshot, string id, IEvent e)
    {
        if (!PartyProjections.IsPartyStream(e.StreamKey))
        {
            return snapshot;
        }
        switch (e.Data)
        {
            case PartyRegistered r:
                return new PartyDocument { Id = id, PartyId = r.PartyId, Ordinal = r.Ordinal, Registered = r, KeyId = snapshot?.KeyId, KeyHash = snapshot?.KeyHash };
            case ApiKeyIssued k when snapshot is not null:
                snapshot.KeyId = k.KeyId;
                snapshot.KeyHash = k.KeyHash;
                break;
            case ApiKeysRevoked when snapshot is not null:
                snapshot.KeyId = null;
                snapshot.KeyHash = null;
                break;
        }
        return snapshot;
    }
}

public sealed class RouteDocumentProjection : MultiStreamProjection<RouteDocument, string>
{
    public RouteDocumentProjection() =>
        Identities<PartyRegistered>(r => r.Routes.SelectMany(s => s.Pairs()).Select(p => RouteDocument.KeyOf(p.City, p.Cluster)).Distinct().ToList());

    public override RouteDocument? Evolve(RouteDocument? snapshot, string id, IEvent e)
    {
        if (!PartyProjections.IsPartyStream(e.StreamKey) || e.Data is not PartyRegistered r)
        {
            return snapshot;
        }
        var bar = id.IndexOf('|');
        return new RouteDocument { Id = id, City = id[..bar], Cluster = id[(bar + 1)..], Carrier = r.PartyId };
    }
}
