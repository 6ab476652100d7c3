using System.Text.Json;
using ComputeNet.Api.Security;
using ComputeNet.Application.Metering.ListUsage;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Metering.RecordUsageBatch;
using ComputeNet.Domain;
using Mediator;
using NodaTime;

namespace ComputeNet.Api.Endpoints;

public static class MeteringEndpoints
{
    /// <summary>A usage record: interval [from, to), device-seconds delivered, energy and green energy in kWh, data transferred in GB.</summary>
    public sealed record UsageBody(string? Id, string? Lease, DateTimeOffset? From, DateTimeOffset? To, long? DeviceSeconds, decimal? EnergyKwh,
        decimal? GreenKwh, decimal? TransferGb);

    public sealed record UsageBatchBody(IReadOnlyList<UsageBody>? Records);

    /// <summary>Usage bodies of batches and CloudEvents may be large: up to 10,000 records.</summary>
    public const long MaxBatchBodyBytes = 8 * 1024 * 1024;

    public const string CloudEventType = "computenet.usage.v1";

    public static void MapMetering(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Metering");
        g.MapPost("/usage", async (UsageBody b, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var result = await sender.Send(new RecordUsageRequest(Caller.From(http.User).PartyId, b.Id ?? "", b.Lease ?? "",
                    MarketEndpoints.Required(b.From, "from"), MarketEndpoints.Required(b.To, "to"), PartiesEndpoints.Required(b.DeviceSeconds, "deviceSeconds"),
                    b.EnergyKwh ?? 0, b.GreenKwh ?? 0, b.TransferGb ?? 0), ct);
                return result.Repeat ? Results.Ok(result) : Results.Created($"/v1/usage?lease={Uri.EscapeDataString(result.LeaseId)}", result);
            })
            .For(Role.Provider).WithName("RecordUsage")
            .WithSummary("Provider: report metered delivery on one of your leases; an exact repeat changes nothing")
            .Produces<UsageResult>(201).Produces<UsageResult>(200).ProducesProblem(409).ProducesProblem(422);

        g.MapPost("/usage/batch", async (UsageBatchBody b, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new RecordUsageBatchRequest(Caller.From(http.User).PartyId, (b.Records ?? []).Select(Line).ToList()), ct))
            .For(Role.Provider).WithName("RecordUsageBatch")
            .WithSummary("Provider: up to 10,000 usage records; valid ones are stored together, each refused one is reported with its reason")
            .Produces<UsageBatchResult>();

        g.MapPost("/usage/cloudevents", async (HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var caller = Caller.From(http.User).PartyId;
                using var doc = await ReadJsonAsync(http, ct);
                return await sender.Send(new RecordUsageBatchRequest(caller, FromCloudEvents(doc.RootElement, caller)), ct);
            })
            .For(Role.Provider).WithName("RecordUsageCloudEvents")
            .Accepts<JsonElement>("application/cloudevents+json", "application/cloudevents-batch+json")
            .WithSummary("Provider: usage as CloudEvents 1.0 (structured mode, type computenet.usage.v1, source = provider, id = record id)")
            .Produces<UsageBatchResult>();

        g.MapGet("/usage", async (string? lease, string? party, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
                await Paging.FromStoreAsync(offset, limit, (o, l) => sender.Send(new ListUsageRequest(Caller.From(http.User).Scope(party), lease, o, l), ct)))
            .For(Role.Provider, Role.Regulator, Role.Operator).WithName("ListUsage")
            .WithSummary("Provider: its usage records (optionally one lease's); regulators and operators: all");
    }

    private static UsageLine Line(UsageBody b) =>
        new(b.Id, b.Lease, b.From is { } f ? Instant.FromDateTimeOffset(f) : null, b.To is { } t ? Instant.FromDateTimeOffset(t) : null,
            b.DeviceSeconds, b.EnergyKwh ?? 0, b.GreenKwh ?? 0, b.TransferGb ?? 0);

    private static async Task<JsonDocument> ReadJsonAsync(HttpContext http, CancellationToken ct)
    {
        try
        {
            return await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            throw RejectedException.Of(Codes.Invalid, $"the body is not valid JSON: {e.Message}", null);
        }
    }

    /// <summary>
    /// A CloudEvents body (one event, or a batch: an array of events) as usage lines, one per event. The portal's usage upload
    /// reads CloudEvents files with this same code (<see cref="PortalCloudEvents"/>).
    /// </summary>
    public static IReadOnlyList<UsageLine> FromCloudEvents(JsonElement root, string caller)
    {
        var events = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
        return events.Select(e => FromCloudEvent(e, caller)).ToList();
    }

    /// <summary>
    /// A CloudEvent (structured mode) as a usage line. An event that is not a ComputeNet usage event of this provider
    /// becomes a malformed line, which the batch reports as `invalid` with the reason, so one bad event never refuses
    /// the rest.
    /// </summary>
    private static UsageLine FromCloudEvent(JsonElement e, string caller)
    {
        try
        {
            return FromCloudEventText(e, caller);
        }
        catch (InvalidOperationException)
        {
            // Text that is not valid UTF-16 (a lone surrogate escape such as "\ud800", in a value or a property name)
            // cannot be read: JsonElement throws on reading or comparing it. The event is malformed, the request is not.
            return new UsageLine(null, null, null, null, null, 0, 0, 0, "the event holds text that is not valid UTF-16 (a lone surrogate)");
        }
    }

    private static UsageLine FromCloudEventText(JsonElement e, string caller)
    {
        string? Str(JsonElement o, string name) =>
            o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var id = Str(e, "id");
        UsageLine Bad(string why) => new(id, null, null, null, null, 0, 0, 0, why);
        if (e.ValueKind != JsonValueKind.Object)
        {
            return Bad("a CloudEvent is a JSON object");
        }
        if (id?.Contains('\0', StringComparison.Ordinal) == true)
        {
            return Bad("id may not contain U+0000 (NUL)");
        }
        if (Str(e, "specversion") != "1.0")
        {
            return Bad("specversion must be \"1.0\"");
        }
        if (Str(e, "type") != CloudEventType)
        {
            return Bad($"type must be \"{CloudEventType}\"");
        }
        if (Str(e, "source") != caller)
        {
            return Bad($"source must be the calling provider \"{caller}\"");
        }
        if (!e.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return Bad("data must be a JSON object holding the usage record");
        }
        try
        {
            var body = data.Deserialize<UsageBody>(ApiHost.JsonOptions)!;
            // Read here rather than bound, so the bound-input check has not seen it: NUL in the record's text.
            if (Errors.BoundInputCheck.Find(body, "data", 0) is { } bad)
            {
                return Bad($"'{bad.Path}' {bad.Why}");
            }
            return Line(body with { Id = id });
        }
        catch (JsonException ex)
        {
            return Bad($"data is not a usage record: {ex.Message}");
        }
    }
}

/// <summary>The API's CloudEvents reading, handed to the portal's usage upload so a file is read exactly as POST /v1/usage/cloudevents reads a body.</summary>
public sealed class PortalCloudEvents : Portal.Provider.IPortalCloudEvents
{
    public IReadOnlyList<UsageLine> Lines(JsonElement root, string provider) => MeteringEndpoints.FromCloudEvents(root, provider);
}
