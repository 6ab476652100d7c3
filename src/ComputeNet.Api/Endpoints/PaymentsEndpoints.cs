using ComputeNet.Api.Security;
using ComputeNet.Application.Payments.CreatePaymentIntent;
using ComputeNet.Application.Payments.GetPayoutAccount;
using ComputeNet.Application.Payments.HandleStripeWebhook;
using ComputeNet.Application.Payments.ListPaymentIntents;
using ComputeNet.Application.Payments.ListPayouts;
using ComputeNet.Application.Payments.ListRefunds;
using ComputeNet.Application.Payments.PayParty;
using ComputeNet.Application.Payments.Reconcile;
using ComputeNet.Application.Payments.SetPayoutAccount;
using ComputeNet.Domain;
using ComputeNet.Domain.Payments;
using Mediator;

namespace ComputeNet.Api.Endpoints;

/// <summary>
/// Payments through Stripe (docs/payments.md): invoice payment intents, the signed webhook, payouts by Connect transfer,
/// and reconciliation. Without Stripe keys each answers 503 `stripe-not-configured`; cash is then recorded with POST /v1/cash.
/// </summary>
public static class PaymentsEndpoints
{
    public const string WebhookPath = "/v1/stripe/webhook";
    /// <summary>Stripe's event payloads are small; a bound keeps an unauthenticated endpoint cheap.</summary>
    public const int MaxWebhookBodyChars = 128 * 1024;

    public sealed record PayoutAccountBody(string? ConnectedAccountId);

    public sealed record PayoutBody(string? Id, string? Party, long? AmountFen, string? Account);

    public static void MapPayments(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Payments");
        g.MapPost("/invoices/{invoiceId}/payment-intent", async (string invoiceId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var caller = Caller.From(http.User);
                if (!caller.Is(Role.Operator) && PaymentsBook.ParseInvoiceId(invoiceId)?.Buyer != caller.PartyId)
                {
                    return MarketEndpoints.NotFound("invoice", invoiceId);
                }
                var intent = await sender.Send(new CreatePaymentIntentRequest(invoiceId), ct);
                return intent is null ? MarketEndpoints.NotFound("invoice", invoiceId)
                    : intent.Repeat ? Results.Ok(intent) : Results.Created($"/v1/payment-intents?buyer={intent.Buyer}", intent);
            })
            .For(Role.Buyer, Role.Operator).WithName("CreatePaymentIntent")
            .WithSummary("Buyer (its own), operator: the Stripe payment intent for an invoice's amount due (id {period}.{buyer}; CNY; card, Alipay, WeChat Pay); again = the same intent")
            .Produces<PaymentIntentView>(201).Produces<PaymentIntentView>(200).ProducesProblem(404).ProducesProblem(422).ProducesProblem(503);

        g.MapGet("/payment-intents", async (string? buyer, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var caller = Caller.From(http.User);
                // The client secret confirms a payment: only the buyer (and the operator acting for it) sees it.
                var hide = caller.Is(Role.Regulator) && !caller.Is(Role.Operator);
                return await Paging.FromStoreAsync<PaymentIntentView>(offset, limit, async (o, l) =>
                {
                    var intents = await sender.Send(new ListPaymentIntentsRequest(caller.Scope(buyer), o, l), ct);
                    return hide ? intents.Select(i => i with { ClientSecret = null }).ToList() : intents;
                });
            })
            .For(Role.Buyer, Role.Regulator, Role.Operator).WithName("ListPaymentIntents")
            .WithSummary("Buyer: its payment intents with status and failed attempts; regulators and operators: all (or ?buyer=)");

        g.MapPut("/parties/{partyId}/payout-account", async (string partyId, PayoutAccountBody b, ISender sender, CancellationToken ct) =>
                await sender.Send(new SetPayoutAccountRequest(partyId, PartiesEndpoints.Required(b.ConnectedAccountId, "connectedAccountId")), ct))
            .For(Role.Operator).WithName("SetPayoutAccount")
            .WithSummary("Operator: the Stripe connected account (acct_…) a provider or carrier is paid to").Produces<PayoutAccountView>();

        g.MapPut("/regions/{regionId}/payout-account", async (string regionId, PayoutAccountBody b, ISender sender, CancellationToken ct) =>
                await sender.Send(new SetPayoutAccountRequest(regionId, PartiesEndpoints.Required(b.ConnectedAccountId, "connectedAccountId"), Region: true), ct))
            .For(Role.Operator).WithName("SetRegionPayoutAccount")
            .WithSummary("Operator: the Stripe connected account (acct_…) a region (a pairing's demand region or supply hub) is paid its revenue share to")
            .Produces<PayoutAccountView>();

        g.MapGet("/parties/{partyId}/payout-account", async (string partyId, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetPayoutAccountRequest(partyId), ct) is { } account ? Results.Ok(account) : MarketEndpoints.NotFound("payout-account", partyId))
            .For(Role.Operator).WithName("GetPayoutAccount")
            .WithSummary("Operator: the Stripe connected account a provider or carrier is paid to; 404 when none is set")
            .Produces<PayoutAccountView>().ProducesProblem(404);

        g.MapGet("/regions/{regionId}/payout-account", async (string regionId, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetPayoutAccountRequest(regionId, Region: true), ct) is { } account ? Results.Ok(account) : MarketEndpoints.NotFound("payout-account", regionId))
            .For(Role.Operator).WithName("GetRegionPayoutAccount")
            .WithSummary("Operator: the Stripe connected account a region is paid its revenue share to (payee region:{id}); 404 when none is set")
            .Produces<PayoutAccountView>().ProducesProblem(404);

        g.MapGet("/refunds", async (string? party, string? status, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                // A buyer or issuer reads its own refunds only (?party= is ignored), as /v1/payouts scopes a payee's.
                var scope = Caller.From(http.User).Scope(party);
                return await Paging.FromStoreAsync(offset, limit, (o, l) => sender.Send(new ListRefundsRequest(scope, status, o, l), ct));
            })
            .For(Role.Operator, Role.Regulator, Role.Buyer, Role.Issuer).WithName("ListRefunds")
            .WithSummary("Buyer, issuer: its own refunds through Stripe with status (requested, pending, refunded, failed), their Stripe parts and any bank "
                + "remainder; operators and regulators: all (or ?party=); ?status= filters")
            .ProducesProblem(400);

        g.MapGet("/refunds/{refundId}", async (string refundId, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetRefundRequest(refundId, Caller.From(http.User).Scope(null)), ct) is { } refund
                    ? Results.Ok(refund) : MarketEndpoints.NotFound("refund", refundId))
            .For(Role.Operator, Role.Regulator, Role.Buyer, Role.Issuer).WithName("GetRefund")
            .WithSummary("A refund through Stripe by its cash id: each part (amount, payment intent, idempotency key, Stripe refund id, state, "
                + "the reversal of a failed part) and the bank remainder; another party's answers 404")
            .Produces<RefundView>().ProducesProblem(404);

        g.MapPost("/payouts", async (PayoutBody b, ISender sender, CancellationToken ct) =>
            {
                var payout = await sender.Send(new PayPartyRequest(b.Id, b.Party ?? "", b.AmountFen, b.Account), ct);
                return payout.Repeat ? Results.Ok(payout) : Results.Created($"/v1/payouts?party={payout.Party}", payout);
            })
            .For(Role.Operator).WithName("CreatePayout")
            .WithSummary("Operator: pay a provider or carrier (or a region its revenue share: account region, party the region id) by Stripe Connect transfer "
                + "(its payable balance, or amountFen); status paid or failed (retry it)")
            .Produces<PayoutView>(201).Produces<PayoutView>(200).ProducesProblem(409).ProducesProblem(422).ProducesProblem(503);

        g.MapPost("/payouts/{payoutId}/retry", async (string payoutId, ISender sender, CancellationToken ct) =>
                await sender.Send(new RetryPayoutRequest(payoutId), ct))
            .For(Role.Operator).WithName("RetryPayout")
            .WithSummary("Operator: try a failed payout's transfer again with the same idempotency key")
            .Produces<PayoutView>().ProducesProblem(409).ProducesProblem(422).ProducesProblem(503);

        g.MapGet("/payouts", async (string? party, string? status, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                // A provider or carrier reads its own payouts only (?party= is ignored), as /v1/balance scopes its reads.
                var scope = Caller.From(http.User).Scope(party);
                return await Paging.FromStoreAsync(offset, limit, (o, l) => sender.Send(new ListPayoutsRequest(scope, status, o, l), ct));
            })
            .For(Role.Operator, Role.Regulator, Role.Provider, Role.Carrier).WithName("ListPayouts")
            .WithSummary("Provider, carrier: its own payouts through Stripe with status (requested, failed, paid, not-posted), attempts and the last error; "
                + "operators and regulators: all (or ?party=)");

        g.MapGet("/reconciliation", async (ISender sender, CancellationToken ct) => await sender.Send(new ReconcileRequest(), ct))
            .For(Role.Operator, Role.Regulator).WithName("Reconcile")
            .WithSummary("Operator, regulator: Stripe's payment intents and transfers (all pages) against the ledger's cash transactions; every difference listed")
            .Produces<ReconciliationReport>().ProducesProblem(503);
    }

    /// <summary>The webhook: no API key, authenticated by the Stripe-Signature header over the exact body.</summary>
    public static void MapStripeWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost(WebhookPath, async (HttpContext http, ISender sender, ILoggerFactory logs, CancellationToken ct) =>
            {
                using var reader = new StreamReader(http.Request.Body, System.Text.Encoding.UTF8);
                var buffer = new char[MaxWebhookBodyChars + 1];
                var read = await reader.ReadBlockAsync(buffer, ct);
                if (read > MaxWebhookBodyChars)
                {
                    throw RejectedException.Of(Codes.Invalid, $"webhook bodies are at most {MaxWebhookBodyChars} characters");
                }
                var json = new string(buffer, 0, read);
                var log = logs.CreateLogger("ComputeNet.Payments.Webhook");
                try
                {
                    var result = await sender.Send(new HandleStripeWebhookRequest(json, http.Request.Headers["Stripe-Signature"].ToString()), ct);
                    log.LogInformation("Stripe event {EventId} {Type}: {Outcome} ({Detail})", result.EventId, result.Type, result.Outcome, result.Detail);
                    return Results.Ok(result);
                }
                catch (RejectedException e) when (e.Rejection.Code is Codes.InvalidSignature or Codes.Invalid)
                {
                    log.LogWarning("Stripe webhook refused from {Remote}: {Reason}", http.Connection.RemoteIpAddress, e.Rejection.Reason);
                    throw;
                }
            })
            .AllowAnonymous().WithTags("Payments").WithName("StripeWebhook")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // No bearer key: an empty requirement list overrides the document's default security.
                operation.Security = [];
                return Task.CompletedTask;
            })
            .WithSummary("Stripe: webhook deliveries (no API key; verified by the Stripe-Signature header). payment_intent.succeeded posts the payment once")
            .Produces<WebhookResult>().ProducesProblem(400).ProducesProblem(503);
    }
}
