using System.Net;
using System.Net.Http.Json;
using ComputeNet.Application;
using ComputeNet.Application.Infrastructure;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.DependencyInjection;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// The lists served by async projections with Marten's daemon hosted as <c>serve</c> runs it (HotCold): a close's
/// invoices and statements are there for <c>?consistent=true</c>, after a restart of the host, and after a rebuild of
/// the read models (<c>db rebuild-projections</c>) — the daemon picks up from its progress each time.
/// </summary>
public sealed class AsyncReadModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_list_served_by_the_daemon_catches_up_after_a_restart_and_after_a_rebuild()
    {
        var host = await StartAsync(At("2026-11-30T08:00:00+08:00"), daemon: DaemonMode.HotCold);
        try
        {
            var (buyer, buyerKey) = await host.RegisterAsync("sme-sh-1", ["buyer"], "shanghai", sme: true);
            var (provider, providerKey) = await host.RegisterAsync("prov-nx", ["provider"]);
            var leases = new List<string>();
            for (var day = 1; day <= 3; day++)
            {
                leases.Add(await TradeAsync(buyer, provider, day));
            }
            await DayAsync(host, provider, leases, 1);
            Assert.Equal(["2026-12-01"], await InvoicePeriodsAsync(buyer));
            var firstStatements = await (await provider.GetAsync("/v1/statements?consistent=true", Ct)).Content.ReadAsStringAsync(Ct);

            // A restarted host: its daemon resumes from the stored progress and projects the next close.
            host = await host.RestartAsync(DaemonMode.HotCold);
            (buyer, provider) = (host.Client(buyerKey), host.Client(providerKey));
            Assert.Equal(["2026-12-01"], await InvoicePeriodsAsync(buyer));
            await DayAsync(host, provider, leases, 2);
            Assert.Equal(["2026-12-01", "2026-12-02"], await InvoicePeriodsAsync(buyer));
            var statements = await (await provider.GetAsync("/v1/statements?consistent=true", Ct)).Content.ReadAsStringAsync(Ct);

            // Stopped, rebuilt from the events as `db rebuild-projections` does, started again: the same lists, and the daemon
            // goes on from the rebuild's progress.
            var schema = host.Schema;
            host = await host.RestartAsync(DaemonMode.Disabled);
            var connection = await Application.Database.DatabaseConnection.ResolveAsync();
            await using (var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, schema, SigningKey), null, s => { }))
            {
                Assert.True(await SettlementReadModels.EnsureAsync(services.GetRequiredService<Marten.IDocumentStore>(), force: true, null, Ct));
            }
            host = await host.RestartAsync(DaemonMode.HotCold);
            (buyer, provider) = (host.Client(buyerKey), host.Client(providerKey));
            Assert.Equal(["2026-12-01", "2026-12-02"], await InvoicePeriodsAsync(buyer));
            Assert.Equal(statements, await (await provider.GetAsync("/v1/statements?consistent=true", Ct)).Content.ReadAsStringAsync(Ct));
            Assert.Contains(firstStatements.Trim('[', ']'), statements);
            await DayAsync(host, provider, leases, 3);
            Assert.Equal(["2026-12-01", "2026-12-02", "2026-12-03"], await InvoicePeriodsAsync(buyer));

            // A document read needs no flag: not found while the daemon is behind, it waits for it once.
            var pdf = await buyer.GetAsync("/v1/invoices/2026-12-03.sme-sh-1/pdf", Ct);
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static readonly string SigningKey = Path.Combine(Path.GetTempPath(), "computenet-test-keys", "platform-signing-key.pem");

    private static async Task<string[]> InvoicePeriodsAsync(HttpClient buyer)
    {
        var response = await buyer.GetAsync("/v1/invoices?consistent=true", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ReadAsync(response))!["items"]!.AsArray().Select(i => i!["period"]!.GetValue<string>()).ToArray();
    }

    /// <summary>An offer and a filled bid for day <paramref name="day"/> of December 2026, placed on 30 November; answers the lease.</summary>
    private static async Task<string> TradeAsync(HttpClient buyer, HttpClient provider, int day)
    {
        var from = $"2026-12-{day:00}T00:00:00+08:00";
        var to = $"2026-12-{day + 1:00}T00:00:00+08:00";
        var offer = await provider.PostAsJsonAsync("/v1/offers", new
        {
            id = $"of{day}", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 8, from, to, price = "58.00",
        }, Json, Ct);
        Assert.Equal(HttpStatusCode.Created, offer.StatusCode);
        var bid = await buyer.PostAsJsonAsync("/v1/bids", new
        {
            id = $"b{day}", family = "intelligent", devices = 8, minScuPerDevice = "0.1", minMemoryGb = 40, from, to, tier = "cross-hub",
            minGreen = "0.5", price = "60.00", commitment = "on-demand", split = true, tif = "GTC",
        }, Json, Ct);
        Assert.Equal(HttpStatusCode.Created, bid.StatusCode);
        return (await ReadAsync(bid))!["leases"]![0]!.GetValue<string>();
    }

    /// <summary>The day's usage on its lease, then the day's close.</summary>
    private static async Task DayAsync(ApiTestHost host, HttpClient provider, IReadOnlyList<string> leases, int day)
    {
        host.Clock.Set(At($"2026-12-{day + 1:00}T00:10:00+08:00"));
        var usage = await provider.PostAsJsonAsync("/v1/usage", new
        {
            id = $"u{day}", lease = leases[day - 1], from = $"2026-12-{day:00}T00:00:00+08:00", to = $"2026-12-{day + 1:00}T00:00:00+08:00",
            deviceSeconds = 576000, energyKwh = "420.5", greenKwh = "357.4", transferGb = "0",
        }, Json, Ct);
        Assert.Equal(HttpStatusCode.Created, usage.StatusCode);
        host.Clock.Set(At($"2026-12-{day + 1:00}T01:00:00+08:00"));
        Assert.Equal(HttpStatusCode.OK, (await host.Operator.PostAsync($"/v1/periods/2026-12-{day:00}/close", null, Ct)).StatusCode);
    }
}
