using System.Globalization;
using ComputeNet.Application.Analytics.GetProgrammePeriods;
using ComputeNet.Application.Analytics.GetRegional;
using ComputeNet.Application.Analytics.GetTransport;
using ComputeNet.Application.Analytics.GetUtilisation;
using ComputeNet.Application.Analytics.ListPeriods;
using ComputeNet.Application.Vouchers.ExportClaims;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>The demo day as the portal's provider, carrier, issuer and regulator pages read it (issue 14): one line per read.</summary>
internal static class DemoPortalReads
{
    private const string Day = "2026-12-01";

    public static async Task PrintAsync(string schema, CancellationToken ct)
    {
        await using var services = Application.ComputeNetServices.Compose(
            new Application.ComputeNetSettings(await Hosting.ConnectionStringAsync(ct), schema), null, Hosting.AddMediator);
        var sender = services.GetRequiredService<ISender>();
        var inv = CultureInfo.InvariantCulture;
        AnsiConsole.MarkupLine("[bold]The portal's reads[/] (issue 14; the same requests as the API):");

        var use = await sender.Send(new GetUtilisationRequest("prov-nx", "period", Day, Day), ct);
        var hours = await sender.Send(new GetUtilisationRequest("prov-nx", "hour", "2026-12-01T00:00:00+08:00", "2026-12-02T00:00:00+08:00"), ct);
        var busiest = hours.Clusters.SelectMany(c => c.Points).OrderByDescending(p => p.DeliveredDeviceSeconds).ThenBy(p => p.Bucket, StringComparer.Ordinal).FirstOrDefault();
        AnsiConsole.MarkupLineInterpolated(
            $"  Provider  GET /v1/utilisation (prov-nx, {Day}): {string.Join("; ", use.Offers.Select(o => o.Points.Single()).Zip(use.Offers, (p, o) => $"{o.Offer} in {o.Cluster} {p.LeasedDeviceHours}/{p.OfferedDeviceHours} device-hours leased ({Percent(p.Utilisation)}), {p.DeliveredDeviceSeconds:N0} device-s delivered"))}; by hour: {hours.Clusters.Sum(c => c.Points.Count)} hours with figures, busiest {busiest?.Bucket ?? "none"} ({busiest?.DeliveredDeviceSeconds ?? 0:N0} device-s).");

        var transport = await sender.Send(new GetTransportRequest("carrier-west", Day, Day), ct);
        AnsiConsole.MarkupLineInterpolated(
            $"  Carrier   GET /v1/transport (carrier-west, {Day}): {string.Join("; ", transport.Routes.Select(r => $"{r.City}→{r.Cluster} {r.TransferredGb.ToString(inv)} GB metered, {r.BilledGb.ToString(inv)} GB billed, {Yuan(r.RevenueFen)} yuan gross, {Yuan(r.NetFen)} net"))}.");

        var programme = await sender.Send(new GetProgrammePeriodsRequest("sh-compute-2026", null, "2026-11-30", Day), ct);
        var claims = await sender.Send(new ExportClaimsRequest("sh-gov", Day), ct);
        AnsiConsole.MarkupLineInterpolated(
            $"  Issuer    GET /v1/programmes/sh-compute-2026/periods: {string.Join("; ", programme!.Periods.Select(p => $"{p.Period} granted {Yuan(p.GrantedFen)} ({p.Grants}), redeemed {Yuan(p.RedeemedFen)}, lapsed {Yuan(p.LapsedFen)}"))} yuan of a {Yuan(programme.BudgetFen)} budget; GET /v1/exports/claims?period={Day}: {claims.Rows} CSV rows of evidence for {claims.Redemptions} redemptions.");

        var regional = await sender.Send(new GetRegionalRequest(Day, Day), ct);
        var period = regional.Periods.Single();
        var top = period.Clusters.Where(c => c.ScuHours > 0).OrderByDescending(c => c.ScuHours).ThenBy(c => c.Cluster, StringComparer.Ordinal).ToList();
        AnsiConsole.MarkupLineInterpolated(
            $"  Regulator GET /v1/reports/regional ({Day}): {regional.Hubs.Count} hubs and {regional.Clusters.Count} clusters on the map; {string.Join(", ", top.Select(c => $"{c.Cluster} {c.ScuHours.ToString("0.######", inv)} SCU-h (util {Percent(c.Utilisation)}, green {Percent(c.GreenShare)})"))}; {period.Flows.Count} city→hub flows, east→west {period.EastToWestScuHours.ToString("0.######", inv)} SCU-h ({Percent(period.EastToWestShare)}) and {period.EastToWestTransferGb.ToString(inv)} GB.");

        var periods = await sender.Send(new ListPeriodsRequest("2026-11-30", Day), ct);
        AnsiConsole.MarkupLineInterpolated(
            $"  Regulator GET /v1/periods: {string.Join("; ", periods.Select(p => $"{p.Period} {p.State}{(p.Checkpointed ? $", checkpoint #{p.CheckpointSequence}" : "")}{(p.MerkleRoot is { } root ? $", root {root[..12]}…" : "")}"))}.");
    }

    private static string Percent(decimal? ratio) => ratio is { } r ? (r * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %" : "–";

    private static string Yuan(long fen) => new Domain.Money.Fen(fen).ToYuanString();
}
