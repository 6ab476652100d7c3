using System.CommandLine;
using System.Text.Json;
using ComputeNet.Application;
using ComputeNet.Application.Payments.Reconcile;
using ComputeNet.Domain;
using ComputeNet.Payments.Stripe;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// <c>reconcile</c>: Stripe's payment intents and transfers against the ledger's cash transactions — the same request as
/// GET /v1/reconciliation. Stripe keys come from the environment (ComputeNet__Stripe__SecretKey, …__WebhookSecret,
/// optional …__ApiBase). Exit 0 when everything matches, 1 when differences are listed, 2 when it cannot run.
/// </summary>
internal static class ReconcileCommand
{
    public static Command Create()
    {
        var schema = new Option<string>("--schema") { Description = "event-store schema (default computenet)", DefaultValueFactory = _ => ComputeNetSettings.DefaultSchema };
        var json = new Option<bool>("--json") { Description = "print the report as JSON" };
        var command = new Command("reconcile", "compare Stripe's payment intents and transfers with the ledger's cash transactions; exit 1 if they differ") { schema, json };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            if (StripeSettings.From(configuration) is null)
            {
                Exit.Error.MarkupLine("[red]stripe-not-configured:[/] set ComputeNet__Stripe__SecretKey and ComputeNet__Stripe__WebhookSecret; "
                    + "without them payments and payouts are recorded offline (cash actions) and there is nothing at Stripe to reconcile");
                return Exit.Usage;
            }
            var connection = await Hosting.ConnectionStringAsync(ct);
            if (!await ComputeNetServices.SchemaExistsAsync(connection, parse.GetValue(schema)!, ct))
            {
                return Exit.UsageError($"no schema '{parse.GetValue(schema)}' in this database");
            }
            await using var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, parse.GetValue(schema)!), null, s =>
            {
                Hosting.AddMediator(s);
                s.AddStripePayments(configuration);
            });
            await services.InitialiseComputeNetAsync(ct);
            Domain.Payments.ReconciliationReport report;
            try
            {
                report = await services.GetRequiredService<ISender>().Send(new ReconcileRequest(), ct);
            }
            catch (Application.Payments.PaymentGatewayException e)
            {
                Exit.Error.MarkupLineInterpolated($"[red]stripe-error:[/] {e.Code}: {e.Message}");
                return Exit.Failed;
            }
            catch (RejectedException e)
            {
                return Exit.RefusedBy(e);
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
                return report.Matches ? 0 : 1;
            }
            var t = report.Totals;
            AnsiConsole.MarkupLine(Markup.Escape($"Stripe: {t.ProviderIntents} payment intents, {Yuan(t.ProviderSucceededFen)} succeeded; {t.ProviderTransfers} transfers, {Yuan(t.ProviderTransfersFen)}"));
            AnsiConsole.MarkupLine(Markup.Escape($"Ledger: payments via Stripe {Yuan(t.LedgerProviderPaymentsFen)} (offline {Yuan(t.LedgerOfflinePaymentsFen)}); payouts via Stripe {Yuan(t.LedgerProviderPayoutsFen)} (offline {Yuan(t.LedgerOfflinePayoutsFen)})"));
            if (report.Matches)
            {
                AnsiConsole.MarkupLine("[green]reconciled[/]: Stripe and the ledger agree");
                return 0;
            }
            var table = new Table().AddColumns("kind", "subject", "Stripe", "ledger", "detail");
            foreach (var d in report.Differences)
            {
                table.AddRow(Markup.Escape(d.Kind), Markup.Escape(d.Subject), d.ProviderFen is { } p ? Yuan(p) : "—", d.LedgerFen is { } l ? Yuan(l) : "—", Markup.Escape(d.Detail));
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"[red]{report.Differences.Count} differences[/]");
            return Exit.CheckFailed;
        });
        return command;
    }

    private static string Yuan(long fen) => (fen / 100m).ToString("N2", System.Globalization.CultureInfo.InvariantCulture);
}
