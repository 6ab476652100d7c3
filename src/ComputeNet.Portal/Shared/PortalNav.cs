namespace ComputeNet.Portal.Shared;

/// <summary>
/// The navigation per role: only pages the role may open. To add a role's pages, add its folder (e.g. Provider/) and its
/// entries here; the header shows the entries of every role the signed-in party holds.
/// </summary>
public static class PortalNav
{
    public sealed record Entry(string Role, string Path, Func<Texts, string> Text);

    public static readonly IReadOnlyList<Entry> Entries =
    [
        new(Application.Access.Role.Buyer, "/buyer/market", t => t.Market),
        new(Application.Access.Role.Buyer, "/buyer/orders", t => t.Orders),
        new(Application.Access.Role.Buyer, "/buyer/leases", t => t.Leases),
        new(Application.Access.Role.Buyer, "/buyer/invoices", t => t.Invoices),
        new(Application.Access.Role.Buyer, "/buyer/vouchers", t => t.Vouchers),
        new(Application.Access.Role.Buyer, "/buyer/balance", t => t.BuyerBalance),
        new(Application.Access.Role.Operator, "/operator/parties", t => t.OpParties),
        new(Application.Access.Role.Operator, "/operator/settings", t => t.OpSettings),
        new(Application.Access.Role.Operator, "/operator/standards", t => t.OpStandards),
        new(Application.Access.Role.Operator, "/operator/pairings", t => t.OpPairings),
        new(Application.Access.Role.Operator, "/operator/periods", t => t.OpPeriods),
        new(Application.Access.Role.Operator, "/operator/cash", t => t.OpCash),
    ];

    public static IEnumerable<Entry> For(IEnumerable<string> roles)
    {
        var held = roles.ToHashSet(StringComparer.Ordinal);
        return Entries.Where(e => held.Contains(e.Role));
    }
}
