using ComputeNet.Application.Market;
using ComputeNet.Application.Metering;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Platform;
using ComputeNet.Domain;
using ComputeNet.Domain.Reports;
using FluentValidation;
using Marten;
using Mediator;

namespace ComputeNet.Application.Reports.GetMeteringReport;

/// <summary>
/// Regulator, operator: SCU-hours, energy and green-power share per hub and cluster; utilisation per cluster and
/// hub beside the platform-wide figure; east→west flow — for one settlement period (open or closed).
/// </summary>
public sealed record GetMeteringReportRequest(string Period) : IQuery<MeteringReport>;

public sealed class GetMeteringReportValidator : AbstractValidator<GetMeteringReportRequest>
{
    public GetMeteringReportValidator() => RuleFor(x => x.Period).NotEmpty().MaximumLength(10);
}

public sealed class GetMeteringReportHandler(IDocumentStore store, PlatformService platform, PartyDirectory parties, MarketService market)
    : IQueryHandler<GetMeteringReportRequest, MeteringReport>
{
    public async ValueTask<MeteringReport> Handle(GetMeteringReportRequest q, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        if (!view.Calendar.TryParse(q.Period, out var period))
        {
            throw RejectedException.Of(Codes.Invalid, $"'{q.Period}' is not a settlement period of this platform", "period");
        }
        await using var session = store.QuerySession();
        var records = (await MeteringService.AllAsync(session, null, ct)).Where(u => u.OwnPeriod == period.Key).ToList();
        var start = period.Start.ToUnixTimeSeconds();
        var end = period.End.ToUnixTimeSeconds();
        var leases = await session.Query<LeaseDocument>().Where(l => l.FromUnixSeconds < end && l.ToUnixSeconds > start).ToListAsync(ct);
        return MeteringReports.Compute(period, view.Catalogue, await parties.AllAsync(ct), leases.Select(l => l.Terms).ToList(),
            records, await market.OfferedCapacityAsync(period.Start, period.End, ct));
    }
}
