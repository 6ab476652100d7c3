using ComputeNet.Domain.Pairings;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §8: pairing agreements (结对子) as a decider — validity, no overlaps, ending and succession.</summary>
public class PairingBookTests
{
    public static PairingAgreed Agreed(string id = "sh-nx", string region = "shanghai-region", string[]? cities = null, string hub = "ningxia",
        int platform = 50, int demand = 25, int supply = 25, Instant? from = null, Instant? to = null, bool open = false) =>
        new(id, region, cities ?? ["shanghai", "hangzhou"], hub, platform, demand, supply, open ? null : from ?? Sh.Dec(1), open ? null : to ?? Sh.Dec(10), Sh.Dec(1));

    public static PairingBook Given(params object[] events)
    {
        var book = new PairingBook();
        foreach (var e in events)
        {
            book.Evolve(e);
        }
        return book;
    }

    private static IReadOnlyList<object> When(PairingBook book, PairingAgreed proposed) => book.Decide(proposed, TestCatalogue.Default);

    [Fact]
    public void A_valid_agreement_is_agreed_as_proposed()
    {
        var proposed = Agreed();
        Assert.Equal([proposed], When(Given(), proposed));
        var book = Given(proposed);
        Assert.Equal([proposed], book.Pairings);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void An_agreement_needs_an_id(string? id) =>
        Then.Rejected(Codes.Invalid, "id", () => When(Given(), Agreed() with { PairingId = id! }));

    [Fact]
    public void Ids_and_region_names_are_at_most_64_characters()
    {
        Assert.Single(When(Given(), Agreed(id: new string('x', 64), region: new string('r', 64))));
        Then.Rejected(Codes.Invalid, "id", () => When(Given(), Agreed(id: new string('x', 65))));
        Then.Rejected(Codes.Invalid, "demandRegion", () => When(Given(), Agreed(region: new string('r', 65))));
    }

    [Fact]
    public void A_repeat_with_the_same_terms_changes_nothing_other_terms_are_id_reused()
    {
        var book = Given(Agreed());

        Assert.Empty(When(book, Agreed(cities: ["hangzhou", "shanghai"])));
        Assert.Empty(When(book, Agreed() with { At = Sh.Dec(5) }));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Agreed(region: "other")));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Agreed(cities: ["shanghai"])));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Agreed(cities: ["shanghai", "beijing"])));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Agreed(hub: "gansu")));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Agreed(platform: 51)));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Agreed(demand: 26)));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Agreed(supply: 26)));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Agreed(from: Sh.Dec(2))));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Agreed(to: Sh.Dec(11))));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Agreed(open: true)));
    }

    [Fact]
    public void The_demand_region_is_named_and_lists_known_cities()
    {
        Then.Rejected(Codes.Invalid, "demandRegion", () => When(Given(), Agreed(region: " ")));
        Then.Rejected(Codes.Invalid, "demandRegion", () => When(Given(), Agreed() with { DemandRegion = null! }));
        Then.Rejected(Codes.Invalid, "demandCities", () => When(Given(), Agreed(cities: [])));
        Then.Rejected(Codes.Invalid, "demandCities", () => When(Given(), Agreed(cities: ["shanghai", "atlantis"])));
        Then.Rejected(Codes.Invalid, "supplyHub", () => When(Given(), Agreed(hub: "zhongwei")));
    }

    [Theory]
    [InlineData(-1, 50, 51)]
    [InlineData(50, -1, 51)]
    [InlineData(50, 51, -1)]
    [InlineData(0, 0, 0)]
    public void Weights_are_whole_numbers_not_negative_and_not_all_zero(int platform, int demand, int supply) =>
        Then.Rejected(Codes.Invalid, "weights", () => When(Given(), Agreed(platform: platform, demand: demand, supply: supply)));

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(0, 1, 0)]
    [InlineData(0, 0, 1)]
    [InlineData(25, 25, 50)]
    [InlineData(50, 50, 0)]
    [InlineData(0, 50, 50)]
    public void A_single_nonzero_weight_is_enough(int platform, int demand, int supply) =>
        Assert.Single(When(Given(), Agreed(platform: platform, demand: demand, supply: supply)));

    [Fact]
    public void The_validity_ends_after_it_starts()
    {
        Then.Rejected(Codes.Invalid, "validTo", () => When(Given(), Agreed(from: Sh.Dec(3), to: Sh.Dec(3))));
        Then.Rejected(Codes.Invalid, "validTo", () => When(Given(), Agreed(from: Sh.Dec(3), to: Sh.Dec(2))));
        Assert.Single(When(Given(), Agreed(from: Sh.Dec(3), to: Sh.Dec(3) + Duration.Epsilon)));
        Assert.Single(When(Given(), Agreed() with { ValidFrom = null }));
        Assert.Single(When(Given(), Agreed() with { ValidTo = null }));
    }

    [Fact]
    public void An_agreement_covering_a_city_hub_pair_of_another_for_an_overlapping_validity_is_refused()
    {
        var book = Given(Agreed(from: Sh.Dec(1), to: Sh.Dec(10)));

        var r = Then.Rejected(Codes.OverlappingPairing, "id", () => When(book, Agreed("b", cities: ["hangzhou", "guangzhou"], from: Sh.Dec(9), to: Sh.Dec(20))));
        Assert.Contains("sh-nx", r.Reason);
        Then.Rejected(Codes.OverlappingPairing, "id", () => When(book, Agreed("b", from: Sh.Dec(1) - Duration.FromDays(5), to: Sh.Dec(1) + Duration.Epsilon)));
        Then.Rejected(Codes.OverlappingPairing, "id", () => When(book, Agreed("b", open: true)));
        Then.Rejected(Codes.OverlappingPairing, "id", () => When(book, Agreed("b", from: Sh.Dec(2), to: Sh.Dec(3))));
        Then.Rejected(Codes.OverlappingPairing, "id", () => When(book, Agreed("b") with { ValidFrom = null, ValidTo = Sh.Dec(2) }));
        Then.Rejected(Codes.OverlappingPairing, "id", () => When(book, Agreed("b") with { ValidFrom = Sh.Dec(9), ValidTo = null }));
    }

    [Fact]
    public void A_successor_may_start_exactly_where_its_predecessor_ends()
    {
        var book = Given(Agreed(from: Sh.Dec(1), to: Sh.Dec(10)));

        Assert.Single(When(book, Agreed("after", from: Sh.Dec(10), to: Sh.Dec(20))));
        Assert.Single(When(book, Agreed("before", from: Sh.Dec(1) - Duration.FromDays(10), to: Sh.Dec(1))));
        Assert.Single(When(book, Agreed("after-open") with { ValidFrom = Sh.Dec(10), ValidTo = null }));
        Assert.Single(When(book, Agreed("before-open") with { ValidFrom = null, ValidTo = Sh.Dec(1) }));
    }

    [Fact]
    public void Other_cities_or_another_hub_do_not_overlap()
    {
        var book = Given(Agreed(open: true));

        Assert.Single(When(book, Agreed("bj", cities: ["beijing"], open: true)));
        Assert.Single(When(book, Agreed("gs", hub: "gansu", open: true)));
    }

    [Fact]
    public void An_agreement_is_ended_at_a_date_and_its_successor_starts_there()
    {
        var book = Given(Agreed(open: true) with { ValidFrom = Sh.Dec(1) });
        var end = new PairingEnded("sh-nx", Sh.Dec(5), Sh.Dec(3));

        Assert.Equal([end], book.Decide(end));
        book.Evolve(end);
        Assert.Equal(Sh.Dec(5), Assert.Single(book.Pairings).ValidTo);
        Assert.Single(When(book, Agreed("successor", demand: 40, supply: 10, open: true) with { ValidFrom = Sh.Dec(5) }));
        Then.Rejected(Codes.OverlappingPairing, "id", () => When(book, Agreed("successor", open: true) with { ValidFrom = Sh.Dec(5) - Duration.Epsilon }));
    }

    [Fact]
    public void Ending_checks_the_agreement_and_the_date()
    {
        var book = Given(Agreed(from: Sh.Dec(2), to: Sh.Dec(10)));

        Then.Rejected(Codes.Invalid, "id", () => book.Decide(new PairingEnded("nope", Sh.Dec(5), Sh.Dec(1))));
        Then.Rejected(Codes.Invalid, "endAt", () => book.Decide(new PairingEnded("sh-nx", Sh.Dec(2), Sh.Dec(1))));
        Then.Rejected(Codes.Invalid, "endAt", () => book.Decide(new PairingEnded("sh-nx", Sh.Dec(1), Sh.Dec(1))));
        Assert.Single(book.Decide(new PairingEnded("sh-nx", Sh.Dec(2) + Duration.Epsilon, Sh.Dec(1))));
        // Ending at or after the end it already has changes nothing.
        Assert.Empty(book.Decide(new PairingEnded("sh-nx", Sh.Dec(10), Sh.Dec(1))));
        Assert.Empty(book.Decide(new PairingEnded("sh-nx", Sh.Dec(11), Sh.Dec(1))));
        Assert.Single(book.Decide(new PairingEnded("sh-nx", Sh.Dec(10) - Duration.Epsilon, Sh.Dec(1))));
        // An open start can end at any date.
        Assert.Single(Given(Agreed(open: true)).Decide(new PairingEnded("sh-nx", Sh.Dec(1), Sh.Dec(1))));
    }

    [Fact]
    public void The_agreement_whose_validity_contains_the_period_start_and_covers_city_and_hub_applies()
    {
        var first = Agreed("first", from: Sh.Dec(1), to: Sh.Dec(10));
        var second = Agreed("second", from: Sh.Dec(10), to: Sh.Dec(20), demand: 10, supply: 40);
        var book = Given(first, second);

        Assert.Null(book.For("shanghai", "ningxia", Sh.Dec(1) - Duration.Epsilon));
        Assert.Equal(first, book.For("shanghai", "ningxia", Sh.Dec(1)));
        Assert.Equal(first, book.For("hangzhou", "ningxia", Sh.Dec(10) - Duration.Epsilon));
        Assert.Equal(second, book.For("shanghai", "ningxia", Sh.Dec(10)));
        Assert.Null(book.For("shanghai", "ningxia", Sh.Dec(20)));
        Assert.Null(book.For("beijing", "ningxia", Sh.Dec(5)));
        Assert.Null(book.For("shanghai", "gansu", Sh.Dec(5)));
        var open = Given(Agreed(open: true));
        Assert.NotNull(open.For("shanghai", "ningxia", Instant.MinValue));
        Assert.NotNull(open.For("shanghai", "ningxia", Instant.MaxValue));
    }

    [Fact]
    public void Evolve_takes_only_pairing_events() =>
        Assert.StartsWith("unknown pairing event", Assert.Throws<ArgumentOutOfRangeException>(() => Given("not an event")).Message);
}
