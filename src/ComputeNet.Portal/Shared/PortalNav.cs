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
        new(Application.Access.Role.Provider, "/provider/offers", t => t.PvOffers),
        new(Application.Access.Role.Provider, "/provider/utilisation", t => t.PvUtilisationNav),
        new(Application.Access.Role.Provider, "/provider/usage", t => t.PvUsageNav),
        new(Application.Access.Role.Provider, "/provider/statements", t => t.PvStatements),
        new(Application.Access.Role.Provider, "/provider/payouts", t => t.PvPayouts),
        new(Application.Access.Role.Provider, "/provider/balance", t => t.PvBalance),
        new(Application.Access.Role.Carrier, "/carrier/routes", t => t.CrRoutes),
        new(Application.Access.Role.Carrier, "/carrier/transport", t => t.CrTransport),
        new(Application.Access.Role.Carrier, "/carrier/statements", t => t.PvStatements),
        new(Application.Access.Role.Carrier, "/carrier/balance", t => t.PvBalance),
        new(Application.Access.Role.Issuer, "/issuer/programmes", t => t.IssNavProgrammes),
        new(Application.Access.Role.Issuer, "/issuer/grants", t => t.IssNavGrants),
        new(Application.Access.Role.Issuer, "/issuer/claims", t => t.IssNavClaims),
        new(Application.Access.Role.Regulator, "/regulator/map", t => t.RegNavMap),
        new(Application.Access.Role.Regulator, "/regulator/periods", t => t.RegNavPeriods),
        new(Application.Access.Role.Regulator, "/regulator/checkpoints", t => t.RegNavCheckpoints),
        new(Application.Access.Role.Regulator, "/regulator/ledger", t => t.RegNavLedger),
        // Disputes and credit notes (issue 15, part A)
        new(Application.Access.Role.Buyer, "/buyer/disputes", t => t.DspNavDisputes),
        new(Application.Access.Role.Operator, "/operator/disputes", t => t.DspNavOperator),
        new(Application.Access.Role.Provider, "/provider/credit-notes", t => t.DspNavCreditNotes),
        new(Application.Access.Role.Carrier, "/carrier/credit-notes", t => t.DspNavCreditNotes),
        new(Application.Access.Role.Issuer, "/issuer/credit-notes", t => t.DspNavCreditNotes),
        // The money pages left from issues 14 and 15
        new(Application.Access.Role.Operator, "/operator/payouts", t => t.MnNavPayouts),
        new(Application.Access.Role.Operator, "/operator/refunds", t => t.MnNavRefunds),
        new(Application.Access.Role.Carrier, "/carrier/payouts", t => t.PvPayouts),
    ];

    public static IEnumerable<Entry> For(IEnumerable<string> roles)
    {
        var held = roles.ToHashSet(StringComparer.Ordinal);
        return Entries.Where(e => held.Contains(e.Role));
    }
}
