using System.Runtime.CompilerServices;
using ComputeNet.Application.Payments;
using ComputeNet.Domain;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stripe;

namespace ComputeNet.Payments.Stripe;

/// <summary>
/// Configuration under <c>ComputeNet:Stripe</c>. <see cref="ApiBase"/> is for a local fake in tests (default: Stripe's
/// own); <see cref="MaxNetworkRetries"/> is Stripe.net's automatic retry of network failures, under the same
/// idempotency key.
/// </summary>
/// <param name="Timeout">How long one call to Stripe may take before its outcome is unknown (Stripe.net's default is 80 s).</param>
public sealed record StripeSettings(string SecretKey, string WebhookSecret, string? ApiBase = null, int MaxNetworkRetries = 2, TimeSpan? Timeout = null)
{
    public const string Section = "ComputeNet:Stripe";

    /// <summary>Null (offline mode) unless both the secret key and the webhook secret are configured.</summary>
    public static StripeSettings? From(IConfiguration configuration)
    {
        var s = configuration.GetSection(Section);
        var key = s["SecretKey"];
        var webhook = s["WebhookSecret"];
        if (string.IsNullOrWhiteSpace(key) || string.IsNullOrWhiteSpace(webhook))
        {
            return null;
        }
        return new StripeSettings(key, webhook, string.IsNullOrWhiteSpace(s["ApiBase"]) ? null : s["ApiBase"],
            int.TryParse(s["MaxNetworkRetries"], out var retries) ? retries : 2,
            double.TryParse(s["TimeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null);
    }
}

public static class StripePayments
{
    /// <summary>Replaces the offline gateway with Stripe when <c>ComputeNet:Stripe</c> is configured; returns whether it did.</summary>
    public static bool AddStripePayments(this IServiceCollection services, IConfiguration configuration)
    {
        if (StripeSettings.From(configuration) is not { } settings)
        {
            return false;
        }
        services.Replace(ServiceDescriptor.Singleton<IPaymentGateway>(new StripePaymentGateway(settings)));
        return true;
    }
}

/// <summary>
/// <see cref="IPaymentGateway"/> over Stripe.net: payment intents in CNY (amounts in fen, Stripe's minor unit for
/// CNY), Connect transfers, auto-paging lists, and webhook verification with <see cref="EventUtility.ConstructEvent(string, string, string, long, bool)"/>.
/// </summary>
public sealed class StripePaymentGateway : IPaymentGateway
{
    private const int PageSize = 100;
    private readonly StripeSettings _settings;
    private readonly PaymentIntentService _intents;
    private readonly TransferService _transfers;
    private readonly RefundService _refunds;

    public StripePaymentGateway(StripeSettings settings)
    {
        _settings = settings;
        var client = new StripeClient(new StripeClientOptions
        {
            ApiKey = settings.SecretKey,
            ApiBase = settings.ApiBase ?? "https://api.stripe.com",
            HttpClient = new SystemNetHttpClient(
                settings.Timeout is { } timeout ? new HttpClient { Timeout = timeout } : null, maxNetworkRetries: settings.MaxNetworkRetries),
        });
        _intents = new PaymentIntentService(client);
        _transfers = new TransferService(client);
        _refunds = new RefundService(client);
    }

    public bool Configured => true;

    public async Task<GatewayIntent> CreatePaymentIntentAsync(NewPaymentIntent intent, CancellationToken ct)
    {
        var created = await Call(() => _intents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = intent.AmountFen,
            Currency = intent.Currency,
            // Sent as allowed_payment_method_types (Stripe.net 53); Stripe answers the usable ones in payment_method_types.
            AllowedPaymentMethodTypes = intent.MethodTypes.ToList(),
            Metadata = intent.Metadata.ToDictionary(),
        }, new RequestOptions { IdempotencyKey = intent.IdempotencyKey }, ct), ct);
        return ToGateway(created);
    }

    public async Task<GatewayTransfer> CreateTransferAsync(NewTransfer transfer, CancellationToken ct)
    {
        var created = await Call(() => _transfers.CreateAsync(new TransferCreateOptions
        {
            Amount = transfer.AmountFen,
            Currency = transfer.Currency,
            Destination = transfer.Destination,
            Metadata = transfer.Metadata.ToDictionary(),
        }, new RequestOptions { IdempotencyKey = transfer.IdempotencyKey }, ct), ct);
        return ToGateway(created);
    }

    public async Task<GatewayRefund> CreateRefundAsync(NewRefund refund, CancellationToken ct)
    {
        var created = await Call(() => _refunds.CreateAsync(new RefundCreateOptions
        {
            PaymentIntent = refund.PaymentIntentId,
            Amount = refund.AmountFen,
            Metadata = refund.Metadata.ToDictionary(),
        }, new RequestOptions { IdempotencyKey = refund.IdempotencyKey }, ct), ct);
        return ToGateway(created);
    }

    public async IAsyncEnumerable<GatewayRefund> ListRefundsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var pages = _refunds.ListAutoPagingAsync(new RefundListOptions { Limit = PageSize }, null, ct);
        await foreach (var r in Wrap(pages, ct))
        {
            yield return ToGateway(r);
        }
    }

    public async IAsyncEnumerable<GatewayIntent> ListPaymentIntentsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var pages = _intents.ListAutoPagingAsync(new PaymentIntentListOptions { Limit = PageSize }, null, ct);
        await foreach (var i in Wrap(pages, ct))
        {
            yield return ToGateway(i);
        }
    }

    public async IAsyncEnumerable<GatewayTransfer> ListTransfersAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var pages = _transfers.ListAutoPagingAsync(new TransferListOptions { Limit = PageSize }, null, ct);
        await foreach (var t in Wrap(pages, ct))
        {
            yield return ToGateway(t);
        }
    }

    public GatewayEvent ParseWebhook(string json, string? signatureHeader)
    {
        Event e;
        try
        {
            // The endpoint's API version may differ from Stripe.net's pinned one; only stable fields are read.
            e = EventUtility.ConstructEvent(json, signatureHeader ?? "", _settings.WebhookSecret, throwOnApiVersionMismatch: false);
        }
        catch (StripeException ex)
        {
            throw RejectedException.Of(Codes.InvalidSignature, $"the Stripe-Signature header does not verify this body: {ex.Message}", "Stripe-Signature");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or Newtonsoft.Json.JsonException or ArgumentException)
        {
            throw RejectedException.Of(Codes.Invalid, $"the webhook body is not a Stripe event: {ex.Message}");
        }
        if (e.Data?.Object is Dispute dispute)
        {
            return new GatewayEvent(e.Id, e.Type, null, null, null,
                new GatewayDispute(dispute.Id, dispute.PaymentIntentId, dispute.Amount, dispute.Currency ?? "", dispute.Reason));
        }
        if (e.Data?.Object is Refund refund)
        {
            return new GatewayEvent(e.Id, e.Type, null, null, null, Refunds: [ToGateway(refund)]);
        }
        if (e.Data?.Object is Charge charge)
        {
            // charge.refunded: the refunds it lists (when the API version still includes them; refund.updated carries each one too).
            return new GatewayEvent(e.Id, e.Type, null, null, null, Refunds: (charge.Refunds?.Data ?? []).Select(ToGateway).ToList());
        }
        if (e.Data?.Object is PaymentIntent intent)
        {
            return new GatewayEvent(e.Id, e.Type, ToGateway(intent), intent.LastPaymentError?.Code, intent.LastPaymentError?.Message);
        }
        return new GatewayEvent(e.Id, e.Type, null, null, null);
    }

    private static GatewayIntent ToGateway(PaymentIntent i) =>
        new(i.Id, i.Amount, i.AmountReceived, i.Currency ?? "", i.Status ?? "", i.ClientSecret, i.Metadata ?? new Dictionary<string, string>());

    private static GatewayRefund ToGateway(Refund r) =>
        new(r.Id, r.PaymentIntentId, r.Amount, r.Currency ?? "", r.Status ?? "", r.FailureReason, r.Metadata ?? new Dictionary<string, string>());

    private static GatewayTransfer ToGateway(Transfer t) =>
        new(t.Id, t.Amount, t.Currency ?? "", t.DestinationId ?? "", t.Metadata ?? new Dictionary<string, string>(), t.Reversed);

    private static async Task<T> Call<T>(Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (StripeException e)
        {
            throw new PaymentGatewayException(e.StripeError?.Code ?? e.StripeError?.Type ?? ((int)e.HttpStatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                e.StripeError?.Message ?? e.Message, e);
        }
        catch (HttpRequestException e)
        {
            throw new PaymentGatewayException("network", e.Message, e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new PaymentGatewayException("timeout", "Stripe did not answer in time", e);
        }
    }

    private static async IAsyncEnumerable<T> Wrap<T>(IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var e = source.GetAsyncEnumerator(ct);
        while (true)
        {
            bool more;
            try
            {
                more = await e.MoveNextAsync();
            }
            catch (StripeException ex)
            {
                throw new PaymentGatewayException(ex.StripeError?.Code, ex.StripeError?.Message ?? ex.Message, ex);
            }
            catch (HttpRequestException ex)
            {
                throw new PaymentGatewayException("network", ex.Message, ex);
            }
            catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
            {
                throw new PaymentGatewayException("timeout", "Stripe did not answer in time", ex);
            }
            if (!more)
            {
                yield break;
            }
            yield return e.Current;
        }
    }
}
