using ComputeNet.Application.Infrastructure;
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

/// <remarks>Leases and usage records are read through <see cref="StaleReads"/> (a standby where one is configured): the report may miss
/// the last replication lag's trades and usage (milliseconds), never shows half a transaction.</remarks>
public sealed class GetMeteringReportHandler(StaleReads reads, PlatformService platform, PartyDirectory parties, MarketService market)
    : IQueryHandler<GetMeteringReportRequest, MeteringReport>
{
    public async ValueTask<MeteringReport> Handle(GetMeteringReportRequest q, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        if (!view.Calendar.TryParse(q.Period, out var period))
        {
            throw RejectedException.Of(Codes.Invalid, $"'{q.Period}' is not a settlement period of this platform", "period");
        }
        await using var read = await reads.OpenAsync(ct);
        var session = read.Session;
        var start = period.Start.ToUnixTimeSeconds();
        var end = period.End.ToUnixTimeSeconds();
        // The period's records are those whose own period it is: they start inside it, on leases running in it. Read through
        // the (provider, lease, start) index with a margin of two days each side (a record keeps the period key of the
        // calendar it was recorded under, whose time zone may have been another), then chosen by their own period exactly.
        const long margin = 2 * 86_400;
        var (from, to) = (start - margin, end + margin);
        var nearby = await session.Query<LeaseDocument>().Where(l => l.FromUnixSeconds < to && l.ToUnixSeconds > from).ToListAsync(ct);
        var records = (await UsageRecordTable.StartingBetweenAsync(session, nearby.Select(l => l.Terms), from, to, ct))
            .Where(u => u.OwnPeriod == period.Key)
            .OrderBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.LeaseId, StringComparer.Ordinal).ThenBy(r => r.From)
            .ToList();
        var leases = nearby.Where(l => l.FromUnixSeconds < end && l.ToUnixSeconds > start).ToList();
        return MeteringReports.Compute(period, view.Catalogue, await parties.AllAsync(ct), leases.Select(l => l.Terms).ToList(),
            records, await market.OfferedCapacityAsync(period.Start, period.End, ct));
    }
}
