using ComputeNet.Api.Security;
using ComputeNet.Application.Vouchers.CreateProgramme;
using ComputeNet.Application.Vouchers.GetClaims;
using ComputeNet.Application.Vouchers.GrantVoucher;
using ComputeNet.Application.Vouchers.ListVouchers;
using Mediator;

namespace ComputeNet.Api.Endpoints;

public static class VoucherEndpoints
{
    /// <summary>A programme as posted: kind compute|transport, coverage in bp, cap and budget in fen, validity [from, to); null lists = any.</summary>
    public sealed record ProgrammeBody(string? Id, string? Kind, int? CoverageBp, long? CapFen, long? BudgetFen, DateTimeOffset? ValidFrom,
        DateTimeOffset? ValidTo, IReadOnlyList<string>? BuyerCities, IReadOnlyList<string>? Families, IReadOnlyList<string>? SupplyHubs);

    public sealed record GrantBody(string? Id, string? Programme, string? Buyer, long? FaceFen);

    public static void MapVouchers(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Vouchers (算力券, 运力券)");

        g.MapPost("/programmes", async (ProgrammeBody b, HttpContext http, ISender sender, CancellationToken ct) =>
                CreatedOrRepeat("/v1/programmes", await sender.Send(new CreateProgrammeRequest(Caller.From(http.User).PartyId, b.Id, b.Kind ?? "",
                    b.CoverageBp ?? 0, b.CapFen ?? 0, b.BudgetFen ?? 0, MarketEndpoints.Required(b.ValidFrom, "validFrom"), MarketEndpoints.Required(b.ValidTo, "validTo"),
                    b.BuyerCities, b.Families, b.SupplyHubs), ct), p => p.Repeat))
            .For(Role.Issuer).WithName("CreateProgramme").WithSummary("Issuer: open a voucher programme (a repeat with the same terms changes nothing)")
            .Produces<ProgrammeView>(201).ProducesProblem(409).ProducesProblem(422);

        g.MapPost("/programmes/{programmeId}/close", async (string programmeId, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new CloseProgrammeRequest(Caller.From(http.User).PartyId, programmeId), ct))
            .For(Role.Issuer).WithName("CloseProgramme").WithSummary("Issuer: close one of its programmes early; no new grants");

        g.MapGet("/programmes", async (int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
                await Paging.FromStoreAsync(offset, limit, (o, l) => sender.Send(new GetProgrammeReportRequest(IssuerScope(http), o, l), ct)))
            .For(Role.Issuer, Role.Regulator, Role.Operator).WithName("ListProgrammes")
            .WithSummary("Programmes with granted, redeemed, lapsed, remaining budget, enterprises, SCU-hours subsidised and the western-hub share");

        g.MapPost("/grants", async (GrantBody b, HttpContext http, ISender sender, CancellationToken ct) =>
                CreatedOrRepeat("/v1/vouchers", await sender.Send(new GrantVoucherRequest(Caller.From(http.User).PartyId, b.Id,
                    b.Programme ?? "", b.Buyer ?? "", b.FaceFen ?? 0), ct), v => v.Repeat))
            .For(Role.Issuer).WithName("GrantVoucher")
            .WithSummary("Issuer: grant an SME a voucher from one of its programmes; refused whole above what is left of the cap or budget")
            .Produces<VoucherView>(201).ProducesProblem(409).ProducesProblem(422);

        g.MapGet("/vouchers", async (int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var caller = Caller.From(http.User);
                var request = caller.ReadsAll ? new ListVouchersRequest()
                    : caller.Is(Role.Issuer) ? new ListVouchersRequest(Issuer: caller.PartyId)
                    : new ListVouchersRequest(Buyer: caller.PartyId);
                return Paging.Of(await sender.Send(request, ct), offset, limit);
            })
            .For(Role.Buyer, Role.Issuer, Role.Regulator, Role.Operator).WithName("ListVouchers")
            .WithSummary("Buyer: its vouchers and balances; issuer: the vouchers of its programmes (spend per enterprise); regulators, operators: all");

        g.MapGet("/claims", async (string? period, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
                await Paging.FromStoreAsync(offset, limit, (o, l) => sender.Send(new GetClaimsRequest(IssuerScope(http), period, o, l), ct)))
            .For(Role.Issuer, Role.Regulator, Role.Operator).WithName("ListClaims")
            .WithSummary("Issuer: reimbursement claims per closed period, each redemption with its lease, invoice line and metered usage");

        g.MapGet("/claims/{claimId}/pdf", async (string claimId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var file = await sender.Send(new Application.Documents.GetClaimPdf.GetClaimPdfRequest(claimId, IssuerScope(http)), ct);
                return file is null ? MarketEndpoints.NotFound("claim", claimId) : Results.File(file.Content, SettlementEndpoints.PdfContentType, file.FileName);
            })
            .For(Role.Issuer, Role.Regulator, Role.Operator).WithName("GetClaimPdf")
            .WithSummary("Issuer: one of its claims as PDF, id {period}.issuer.{issuer} (e.g. 2026-12-01.issuer.sh-bureau): the lines redeemed, by programme; regulators and operators: any")
            .Produces<Stream>(200, SettlementEndpoints.PdfContentType).ProducesProblem(404);
    }

    /// <summary>201 for what this request created; 200 for an exact repeat, which changed nothing.</summary>
    private static IResult CreatedOrRepeat<T>(string location, T value, Func<T, bool> repeat) =>
        repeat(value) ? Results.Ok(value) : Results.Created(location, value);

    private static string? IssuerScope(HttpContext http)
    {
        var caller = Caller.From(http.User);
        return caller.ReadsAll ? null : caller.PartyId;
    }
}
