using ComputeNet.Domain.Parties;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §4 (roles), §6 (one carrier per route), §11 (overlapping-route, invalid): registration.</summary>
public class PartyRegistryTests
{
    private static readonly Instant At = Sh.Dec(1, 9);

    private static PartyRegistry Given(params PartyRegistered[] events) => PartyRegistry.From(events);

    private static RegisterParty Register(string id, string[] roles, string? city = null, bool sme = false, params RouteSet[] routes) =>
        new(id, roles, city, sme, routes, null, At);

    private static PartyRegistered Registered(string id, long ordinal, string[] roles, string? city = null, bool sme = false, params RouteSet[] routes) =>
        new(id, ordinal, roles, city, sme, routes, null, At);

    private static readonly RouteSet ShanghaiHangzhouToZhongweiAndYangtze = new(["shanghai", "hangzhou"], ["zhongwei", "yangtze-demo"]);

    [Fact]
    public void An_english_display_name_is_kept_and_a_repeat_with_another_one_is_id_reused()
    {
        var register = new RegisterParty("prov-nx", ["provider"], null, false, [], "中卫西部云", At, "Zhongwei West Cloud");
        var e = Assert.Single(Given().Decide(register, TestCatalogue.Default));
        Assert.Equal(("中卫西部云", "Zhongwei West Cloud"), (e.DisplayName, e.DisplayNameEn));

        var registry = Given(e);
        Assert.Equal("Zhongwei West Cloud", registry.Find("prov-nx")!.DisplayNameEn);
        Assert.Empty(registry.Decide(register, TestCatalogue.Default));
        var other = Assert.Throws<RejectedException>(() => registry.Decide(register with { DisplayNameEn = "West Cloud" }, TestCatalogue.Default));
        Assert.Equal(Codes.IdReused, other.Rejection.Code);
    }

    [Fact]
    public void A_buyer_registers_with_the_next_ordinal()
    {
        var registry = Given(Registered("prov-a", 1, ["provider"]));

        var events = registry.Decide(Register("buyer-sh", ["buyer"], "shanghai", sme: true), TestCatalogue.Default);

        var e = Assert.Single(events);
        Assert.Equal(("buyer-sh", 2L, "shanghai", true), (e.PartyId, e.Ordinal, e.City, e.Sme));
        Assert.Equal(["buyer"], e.Roles);
    }

    [Fact]
    public void A_party_may_hold_several_roles_listed_in_a_stable_order()
    {
        var e = Assert.Single(Given().Decide(Register("both", ["provider", "buyer", "carrier"], "shanghai"), TestCatalogue.Default));
        Assert.Equal(["buyer", "provider", "carrier"], e.Roles);

        var registry = Given(e);
        var party = registry.Find("both")!;
        Assert.True(party.Has(PartyRoles.Buyer) && party.Has(PartyRoles.Provider) && party.Has(PartyRoles.Carrier));
        Assert.False(party.Has(PartyRoles.Issuer));
    }

    [Fact]
    public void A_carrier_registers_every_city_cluster_pair_of_its_routes()
    {
        var registry = Given(Registered("carrier-x", 1, ["carrier"], routes: ShanghaiHangzhouToZhongweiAndYangtze));

        Assert.Equal("carrier-x", registry.CarrierFor("shanghai", "zhongwei"));
        Assert.Equal("carrier-x", registry.CarrierFor("hangzhou", "yangtze-demo"));
        Assert.Null(registry.CarrierFor("beijing", "zhongwei"));
        Assert.Equal(4, registry.Routes.Count);
    }

    [Fact]
    public void A_carrier_overlapping_another_carriers_route_is_refused_whole()
    {
        var registry = Given(Registered("carrier-x", 1, ["carrier"], routes: ShanghaiHangzhouToZhongweiAndYangtze));

        // beijing×zhongwei is new, shanghai×zhongwei is carrier-x's: the whole registration is refused.
        var ex = Assert.Throws<RejectedException>(() =>
            registry.Decide(Register("carrier-y", ["carrier"], routes: new RouteSet(["beijing", "shanghai"], ["zhongwei"])), TestCatalogue.Default));

        Assert.Equal((Codes.OverlappingRoute, "routes"), (ex.Rejection.Code, ex.Rejection.Field));
        Assert.Null(registry.Find("carrier-y"));
        Assert.Null(registry.CarrierFor("beijing", "zhongwei"));
    }

    [Fact]
    public void A_carrier_on_other_routes_is_accepted()
    {
        var registry = Given(Registered("carrier-x", 1, ["carrier"], routes: ShanghaiHangzhouToZhongweiAndYangtze));
        var events = registry.Decide(Register("carrier-y", ["carrier"], routes: new RouteSet(["beijing"], ["zhongwei", "zhangjiakou"])), TestCatalogue.Default);
        Assert.Single(events);
    }

    [Fact]
    public void Repeat_registration_with_the_same_content_gives_no_events()
    {
        var registry = Given(
            Registered("buyer-sh", 1, ["buyer"], "shanghai", sme: true),
            Registered("carrier-x", 2, ["carrier"], routes: ShanghaiHangzhouToZhongweiAndYangtze));

        Assert.Empty(registry.Decide(Register("buyer-sh", ["buyer"], "shanghai", sme: true), TestCatalogue.Default));
        // The carrier's own routes are not an overlap with itself, and the same pairs split differently are the same content.
        Assert.Empty(registry.Decide(Register("carrier-x", ["carrier"], routes:
            [new RouteSet(["shanghai"], ["zhongwei", "yangtze-demo"]), new RouteSet(["hangzhou"], ["yangtze-demo", "zhongwei"])]), TestCatalogue.Default));
    }

    [Fact]
    public void Same_id_with_other_content_is_id_reused()
    {
        var registry = Given(Registered("buyer-sh", 1, ["buyer"], "shanghai", sme: true));

        Assert.Equal(Codes.IdReused, Assert.Throws<RejectedException>(() => registry.Decide(Register("buyer-sh", ["buyer"], "beijing", sme: true), TestCatalogue.Default)).Rejection.Code);
        Assert.Equal(Codes.IdReused, Assert.Throws<RejectedException>(() => registry.Decide(Register("buyer-sh", ["buyer"], "shanghai", sme: false), TestCatalogue.Default)).Rejection.Code);
        Assert.Equal(Codes.IdReused, Assert.Throws<RejectedException>(() => registry.Decide(Register("buyer-sh", ["buyer", "provider"], "shanghai", sme: true), TestCatalogue.Default)).Rejection.Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("atlantis")]
    public void A_buyer_without_a_known_city_is_invalid(string? city)
    {
        var ex = Assert.Throws<RejectedException>(() => Given().Decide(Register("buyer-x", ["buyer"], city), TestCatalogue.Default));
        Assert.Equal((Codes.Invalid, "city"), (ex.Rejection.Code, ex.Rejection.Field));
    }

    [Fact]
    public void A_provider_needs_no_city_but_a_named_one_must_be_known()
    {
        Assert.Single(Given().Decide(Register("prov-a", ["provider"]), TestCatalogue.Default));
        Assert.Equal(Codes.Invalid, Assert.Throws<RejectedException>(() => Given().Decide(Register("prov-a", ["provider"], "atlantis"), TestCatalogue.Default)).Rejection.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("king")]
    [InlineData("buyer,Buyer")]
    public void Roles_must_be_known_and_at_least_one(string commaSeparatedRoles)
    {
        var roles = commaSeparatedRoles.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var ex = Assert.Throws<RejectedException>(() => Given().Decide(Register("p", roles, "shanghai"), TestCatalogue.Default));
        Assert.Equal((Codes.Invalid, "roles"), (ex.Rejection.Code, ex.Rejection.Field));
    }

    [Fact]
    public void Routes_are_for_carriers_and_name_known_cities_and_clusters()
    {
        var registry = Given();
        Assert.Equal(Codes.Invalid, Assert.Throws<RejectedException>(() =>
            registry.Decide(Register("prov-a", ["provider"], routes: new RouteSet(["shanghai"], ["zhongwei"])), TestCatalogue.Default)).Rejection.Code);
        Assert.Equal(Codes.Invalid, Assert.Throws<RejectedException>(() =>
            registry.Decide(Register("c", ["carrier"], routes: new RouteSet(["atlantis"], ["zhongwei"])), TestCatalogue.Default)).Rejection.Code);
        Assert.Equal(Codes.Invalid, Assert.Throws<RejectedException>(() =>
            registry.Decide(Register("c", ["carrier"], routes: new RouteSet(["shanghai"], ["moon"])), TestCatalogue.Default)).Rejection.Code);
    }

    [Fact]
    public void Registry_rebuilt_from_its_events_is_the_same()
    {
        var registry = new PartyRegistry();
        var all = new List<PartyRegistered>();
        foreach (var cmd in new[]
        {
            Register("buyer-sh", ["buyer"], "shanghai", sme: true),
            Register("prov-a", ["provider"]),
            Register("carrier-x", ["carrier"], routes: ShanghaiHangzhouToZhongweiAndYangtze),
        })
        {
            foreach (var e in registry.Decide(cmd, TestCatalogue.Default))
            {
                registry.Evolve(e);
                all.Add(e);
            }
        }

        var rebuilt = PartyRegistry.From(all);

        Assert.Equal(registry.Parties.OrderBy(p => p.Ordinal), rebuilt.Parties.OrderBy(p => p.Ordinal));
        Assert.Equal([1L, 2L, 3L], rebuilt.Parties.Select(p => p.Ordinal).Order());
        Assert.Equal(registry.Routes.OrderBy(kv => kv.Key), rebuilt.Routes.OrderBy(kv => kv.Key));
    }
}
