using ComputeNet.Application.Documents;
using ComputeNet.Domain.Parties;

namespace ComputeNet.Application.Tests.Documents;

/// <summary>Document ids split back into their parts (party ids may hold dots), and party names shown in two languages.</summary>
public sealed class DocumentIdsTests
{
    [Theory]
    [InlineData("2026-12-01.sme-sh-ai", "2026-12-01", "sme-sh-ai")]
    [InlineData("2026-12.a.b.c", "2026-12", "a.b.c")]
    public void Invoice_ids_split_at_the_first_dot(string id, string period, string buyer)
    {
        Assert.True(DocumentIds.TryParseInvoice(id, out var p, out var b));
        Assert.Equal((period, buyer), (p, b));
        Assert.Equal(id, DocumentIds.Invoice(period, buyer));
    }

    [Theory]
    [InlineData("2026-12-01.provider.prov-nx", "provider", "prov-nx")]
    [InlineData("2026-12-01.carrier.carrier.west", "carrier", "carrier.west")]
    public void Statement_ids_name_the_role(string id, string role, string party)
    {
        Assert.True(DocumentIds.TryParseStatement(id, out var p, out var r, out var who));
        Assert.Equal(("2026-12-01", role, party), (p, r, who));
    }

    [Theory]
    [InlineData("")]
    [InlineData("nodot")]
    [InlineData(".buyer")]
    [InlineData("2026-12-01.")]
    [InlineData("2026-12-01.buyer.sme-sh-ai")]
    [InlineData("2026-12-01.provider")]
    public void Malformed_statement_ids_are_refused(string id) => Assert.False(DocumentIds.TryParseStatement(id, out _, out _, out _));

    [Fact]
    public void Party_names_come_from_both_display_names_or_from_one_bilingual_string()
    {
        Assert.Equal(("上海智算科技", "Shanghai AI Lab"),
            Names(new Party("b", 1, PartyRoles.Buyer, "shanghai", true, "上海智算科技", "Shanghai AI Lab")));
        Assert.Equal(("上海智算科技", "Shanghai AI Lab (SME)"),
            Names(new Party("b", 1, PartyRoles.Buyer, "shanghai", true, "上海智算科技 Shanghai AI Lab (SME)")));
        Assert.Equal(("中卫西部云", null), Names(new Party("p", 2, PartyRoles.Provider, null, false, "中卫西部云")));
        Assert.Equal((null, "West Cloud Ltd"), Names(new Party("p", 2, PartyRoles.Provider, null, false, "West Cloud Ltd")));
        Assert.Equal("p", PartyNames.Of(new Party("p", 2, PartyRoles.Provider, null, false, null)).Primary);
    }

    private static (string?, string?) Names(Party p)
    {
        var n = PartyNames.Of(p);
        return (n.Chinese, n.English);
    }
}
