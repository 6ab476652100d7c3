using ComputeNet.Api.Security;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetInvoices;
using ComputeNet.Application.Settlement.GetLedger;
using ComputeNet.Application.Settlement.GetStatements;
using Mediator;

namespace ComputeNet.Api.Endpoints;

public static class SettlementEndpoints
{
    public static void MapSettlement(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Settlement");
        g.MapPost("/periods/{period}/close", async (string period, ISender sender, CancellationToken ct) =>
                await sender.Send(new ClosePeriodRequest(period), ct))
            .For(Role.Operator).WithName("ClosePeriod")
            .WithSummary("Operator: close an ended period (YYYY-MM-DD or YYYY-MM): rate, invoice, post the ledger; again = no change")
            .ProducesProblem(409);

        g.MapGet("/invoices", async (string? period, string? buyer, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
                Paging.Of(await sender.Send(new GetInvoicesRequest(period, Caller.From(http.User).Scope(buyer)), ct), offset, limit))
            .For(Role.Buyer, Role.Regulator, Role.Operator).WithName("ListInvoices")
            .WithSummary("Buyer: its invoices; regulators and operators: all (or ?buyer=)");

        g.MapGet("/statements", async (string? period, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var caller = Caller.From(http.User);
                var periods = await sender.Send(new GetStatementsRequest(period), ct);
                return caller.ReadsAll
                    ? periods
                    : periods.Select(p => p with
                    {
                        Providers = p.Providers.Where(s => s.Party == caller.PartyId).ToList(),
                        Carriers = p.Carriers.Where(s => s.Party == caller.PartyId).ToList(),
                        PlatformFeeFen = 0,
                    }).Where(p => p.Providers.Count + p.Carriers.Count > 0).ToList();
            })
            .For(Role.Provider, Role.Carrier, Role.Regulator, Role.Operator).WithName("ListStatements")
            .WithSummary("Provider, carrier: its statements per closed period; regulators and operators: all, with the platform fee");

        g.MapGet("/reports/metering", async (string? period, ISender sender, CancellationToken ct) =>
                await sender.Send(new Application.Reports.GetMeteringReport.GetMeteringReportRequest(PartiesEndpoints.Required(period, "period")), ct))
            .For(Role.Regulator, Role.Operator).WithName("GetMeteringReport")
            .WithSummary("Regulator, operator: SCU-hours, energy and green share per hub and cluster, utilisation beside the platform-wide figure, east→west flow");

        g.MapGet("/ledger", async (ISender sender, CancellationToken ct) => await sender.Send(new GetLedgerRequest(), ct))
            .For(Role.Regulator, Role.Operator).WithName("GetLedger")
            .WithSummary("Regulator, operator: every account's balance (fen, debit +) and the trial balance");
    }
}
