using ComputeNet.Api.Security;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetInvoices;
using ComputeNet.Application.Settlement.GetLedger;
using ComputeNet.Application.Settlement.GetStatements;
using Mediator;

namespace ComputeNet.Api.Endpoints;

public static class SettlementEndpoints
{
    public sealed record CashBody(string? Type, string? Id, string? Party, long? AmountFen, string? Account);

    public sealed record PairingWeights(int? Platform, int? Demand, int? Supply);

    public sealed record PairingBody(string? Id, string? DemandRegion, IReadOnlyList<string>? DemandCities, string? SupplyHub, PairingWeights? Weights,
        DateTimeOffset? ValidFrom, DateTimeOffset? ValidTo);

    public sealed record EndPairingBody(DateTimeOffset? EndAt);

    public sealed record ReversalBody(string? Id, string? TxId, string? Reason);

    public const string PdfContentType = "application/pdf";

    /// <summary>Whose balance a read is about: the caller's own; regulators and operators name a party (required: they hold no account).</summary>
    private static string BalanceParty(HttpContext http, string? party) =>
        Caller.From(http.User).Scope(party) is { Length: > 0 } holder ? holder
            : throw Domain.RejectedException.Of(Domain.Codes.Invalid, "regulators and operators name the party whose balance they read: ?party=", "party");

    public static void MapSettlement(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Settlement");
        g.MapPost("/periods/{period}/close", async (string period, ISender sender, CancellationToken ct) =>
                await sender.Send(new ClosePeriodRequest(period), ct))
            .For(Role.Operator).WithName("ClosePeriod")
            .WithSummary("Operator: close an ended period (YYYY-MM-DD or YYYY-MM): rate, invoice, post the ledger; again = no change")
            .ProducesProblem(409);

        g.MapGet("/invoices", async (string? period, string? buyer, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
                await Paging.FromStoreAsync(offset, limit, (o, l) => sender.Send(new GetInvoicesRequest(period, Caller.From(http.User).Scope(buyer), o, l), ct)))
            .For(Role.Buyer, Role.Regulator, Role.Operator).WithName("ListInvoices")
            .WithSummary("Buyer: its invoices; regulators and operators: all (or ?buyer=)");

        g.MapGet("/exports/focus", async (string? period, string? buyer, HttpContext http, ISender sender, CancellationToken ct) =>
                Results.Text((await sender.Send(new Application.Exports.ExportFocus.ExportFocusRequest(PartiesEndpoints.Required(period, "period"),
                    Caller.From(http.User).Scope(buyer)), ct)).Csv, "text/csv; charset=utf-8"))
            .For(Role.Buyer, Role.Regulator, Role.Operator).WithName("ExportFocus")
            .WithSummary("Buyer: its invoice lines of a closed period as FinOps FOCUS 1.2 CSV; regulators and operators: every buyer's (or ?buyer=)")
            .Produces<string>(200, "text/csv").ProducesProblem(400);

        g.MapGet("/invoices/{invoiceId}/pdf", async (string invoiceId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var file = await sender.Send(new Application.Documents.GetInvoicePdf.GetInvoicePdfRequest(invoiceId, Caller.From(http.User).Scope(null)), ct);
                return file is null ? MarketEndpoints.NotFound("invoice", invoiceId) : Results.File(file.Content, PdfContentType, file.FileName);
            })
            .For(Role.Buyer, Role.Regulator, Role.Operator).WithName("GetInvoicePdf")
            .WithSummary("Buyer: one of its invoices as PDF, id {period}.{buyer} (e.g. 2026-12-01.sme-sh-ai); regulators and operators: any")
            .Produces<Stream>(200, PdfContentType).ProducesProblem(404);

        g.MapGet("/invoices/{invoiceId}/usage", async (string invoiceId, int? lineNo, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var (o, l) = Paging.Check(offset, limit);
                var records = await sender.Send(new Application.Settlement.GetInvoiceUsage.GetInvoiceUsageRequest(invoiceId, Caller.From(http.User).Scope(null),
                    lineNo, o, l + 1), ct);
                return records is null ? MarketEndpoints.NotFound("invoice", invoiceId)
                    : Results.Ok(new Page<Domain.Metering.UsageRecorded>(records.Take(l).ToList(), o, l, records.Count > l ? o + l : null));
            })
            .For(Role.Buyer, Role.Regulator, Role.Operator).WithName("ListInvoiceUsage")
            .WithSummary("Buyer: the usage records behind one of its invoices' lines (?lineNo= for one line), by lease then start; regulators and operators: any invoice's")
            .Produces<Page<Domain.Metering.UsageRecorded>>().ProducesProblem(404);

        g.MapGet("/balance", async (string? party, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new Application.Ledger.GetBalance.GetBalanceRequest(BalanceParty(http, party)), ct))
            .WithName("GetBalance")
            .WithSummary("Every party: its own ledger accounts' balances (fen, debit +: owed by it +, owed to it −); regulators and operators: ?party= any party's");

        g.MapGet("/balance/lines", async (string? party, string? account, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var holder = BalanceParty(http, party);
                return await Paging.FromStoreAsync(offset, limit, (o, l) => sender.Send(new Application.Ledger.GetBalance.ListLedgerLinesRequest(holder, account, o, l), ct));
            })
            .WithName("ListLedgerLines")
            .WithSummary("Every party: the lines its ledger accounts received (?account= one of them), oldest first; regulators and operators: ?party= any party's");

        g.MapGet("/statements/{statementId}/pdf", async (string statementId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var file = await sender.Send(new Application.Documents.GetStatementPdf.GetStatementPdfRequest(statementId, Caller.From(http.User).Scope(null)), ct);
                return file is null ? MarketEndpoints.NotFound("statement", statementId) : Results.File(file.Content, PdfContentType, file.FileName);
            })
            .For(Role.Provider, Role.Carrier, Role.Issuer, Role.Regulator, Role.Operator).WithName("GetStatementPdf")
            .WithSummary("Provider, carrier: one of its statements as PDF, id {period}.{role}.{party} (e.g. 2026-12-01.provider.prov-nx); regulators and operators: any")
            .Produces<Stream>(200, PdfContentType).ProducesProblem(404);

        g.MapGet("/region-statements/{statementId}/pdf", async (string statementId, ISender sender, CancellationToken ct) =>
            {
                var file = await sender.Send(new Application.Documents.GetRegionStatementPdf.GetRegionStatementPdfRequest(statementId), ct);
                return file is null ? MarketEndpoints.NotFound("region statement", statementId) : Results.File(file.Content, PdfContentType, file.FileName);
            })
            .For(Role.Regulator, Role.Operator).WithName("GetRegionStatementPdf")
            .WithSummary("Regulator, operator: a region's revenue-share statement (the regions entries of GET /v1/statements) as PDF, id {period}.region.{region}, with the paired lines it came from")
            .Produces<Stream>(200, PdfContentType).ProducesProblem(404);

        g.MapGet("/statements", async (string? period, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                // Periods in close order, paged in PostgreSQL; the answer stays an array, and a next page is announced by a Link header.
                var (o, l) = Paging.Check(offset, limit);
                var periods = await sender.Send(new GetStatementsRequest(period, Caller.From(http.User).Scope(null), o, l + 1), ct);
                if (periods.Count > l)
                {
                    var query = http.Request.Query.Where(p => p.Key != "offset").Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}")
                        .Append($"offset={o + l}");
                    http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}?{string.Join('&', query)}>; rel=\"next\"";
                    periods = periods.Take(l).ToList();
                }
                return periods;
            })
            .For(Role.Provider, Role.Carrier, Role.Issuer, Role.Regulator, Role.Operator).WithName("ListStatements")
            .WithSummary("Provider, carrier: its statements per closed period; regulators and operators: all, with the platform fee. "
                + "Up to ?limit= periods (default 100) from ?offset=; a Link header (rel=next) names the next page");

        g.MapGet("/reports/metering", async (string? period, ISender sender, CancellationToken ct) =>
                await sender.Send(new Application.Reports.GetMeteringReport.GetMeteringReportRequest(PartiesEndpoints.Required(period, "period")), ct))
            .For(Role.Regulator, Role.Operator).WithName("GetMeteringReport")
            .WithSummary("Regulator, operator: SCU-hours, energy and green share per hub and cluster, utilisation beside the platform-wide figure, east→west flow");

        g.MapPost("/cash", async (CashBody b, ISender sender, CancellationToken ct) =>
            {
                var result = await sender.Send(new Application.Ledger.RecordCash.RecordCashRequest(b.Type ?? "", b.Id, b.Party ?? "", b.AmountFen ?? 0, b.Account), ct);
                return result.Repeat ? Results.Ok(result) : Results.Created("/v1/ledger", result);
            })
            .For(Role.Operator).WithName("RecordCash")
            .WithSummary("Operator: record a payment (buyer), payout (provider or carrier; name the account if both; account region for a region's revenue share), "
                + "reimbursement (issuer) or refund (buyer or issuer; name the account if both); never above the open balance")
            .ProducesProblem(409).ProducesProblem(422);

        g.MapPost("/reversals", async (ReversalBody b, ISender sender, CancellationToken ct) =>
                Results.Created("/v1/ledger", await sender.Send(new Application.Ledger.ReverseTransaction.ReverseTransactionRequest(b.Id, b.TxId ?? "", b.Reason ?? ""), ct)))
            .For(Role.Operator).WithName("ReverseTransaction")
            .WithSummary("Operator: correct a ledger transaction by posting its reversal; history is never edited");

        g.MapPost("/pairings", async (PairingBody b, ISender sender, CancellationToken ct) =>
                Results.Created("/v1/pairings", await sender.Send(new Application.Pairings.AgreePairing.AgreePairingRequest(b.Id, b.DemandRegion ?? "",
                    b.DemandCities ?? [], b.SupplyHub ?? "", b.Weights?.Platform ?? 0, b.Weights?.Demand ?? 0, b.Weights?.Supply ?? 0,
                    b.ValidFrom is { } f ? NodaTime.Instant.FromDateTimeOffset(f) : null, b.ValidTo is { } t ? NodaTime.Instant.FromDateTimeOffset(t) : null), ct)))
            .For(Role.Operator).WithName("AgreePairing")
            .WithSummary("Operator: a pairing agreement (结对子) splitting the platform fee of cross-region compute lines; refused whole if it overlaps another")
            .ProducesProblem(409);

        g.MapPost("/pairings/{pairingId}/end", async (string pairingId, EndPairingBody b, ISender sender, CancellationToken ct) =>
                await sender.Send(new Application.Pairings.AgreePairing.EndPairingRequest(pairingId,
                    NodaTime.Instant.FromDateTimeOffset(PartiesEndpoints.Required(b.EndAt, "endAt"))), ct))
            .For(Role.Operator).WithName("EndPairing").WithSummary("Operator: end an agreement at an instant; a successor may start from it");

        g.MapGet("/pairings", async (ISender sender, CancellationToken ct) =>
                await sender.Send(new Application.Pairings.AgreePairing.ListPairingsRequest(), ct))
            .For(Role.Operator, Role.Regulator).WithName("ListPairings").WithSummary("Operator, regulator: every pairing agreement");

        g.MapGet("/verify", async (ISender sender, CancellationToken ct) =>
                await sender.Send(new Application.Audit.Verify.VerifyHistoryRequest(), ct))
            .For(Role.Regulator, Role.Operator).WithName("VerifyHistory")
            .WithSummary("Regulator: recompute every statement hash, chain link and period Merkle root from stored history; names what fails");

        g.MapGet("/ledger", async (DateTimeOffset? asOf, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetLedgerRequest(asOf is { } t ? NodaTime.Instant.FromDateTimeOffset(t) : null), ct))
            .For(Role.Regulator, Role.Operator).WithName("GetLedger")
            .WithSummary("Regulator, operator: every account's balance (fen, debit +) and the trial balance, now or ?asOf= an instant");
    }
}
