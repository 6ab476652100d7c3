using ComputeNet.Api.Security;
using ComputeNet.Application.Sandbox.AdvanceClock;
using Mediator;

namespace ComputeNet.Api.Endpoints;

/// <summary>
/// The sandbox's test clock (ADR 0024). Mapped on every host; outside a sandbox both answer 404 <c>not-sandbox</c> and
/// change nothing.
/// </summary>
public static class SandboxEndpoints
{
    /// <param name="By">An ISO 8601 duration of days, hours, minutes, seconds (<c>PT2H</c>, <c>P1D</c>).</param>
    /// <param name="To">An instant with its offset, not before the clock's time.</param>
    public sealed record AdvanceBody(string? By, DateTimeOffset? To);

    public static void MapSandbox(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("/sandbox").WithTags("Sandbox");
        g.MapGet("/clock", async (ISender sender, CancellationToken ct) => await sender.Send(new GetSandboxClockRequest(), ct))
            .WithName("GetSandboxClock")
            .WithSummary("Every role: the sandbox's test clock and the settlement period it is in; 404 not-sandbox on a platform on the real clock")
            .ProducesProblem(404);

        g.MapPost("/clock/advance", async (AdvanceBody b, ISender sender, CancellationToken ct) =>
                await sender.Send(new AdvanceSandboxClockRequest(b.By, b.To is { } to ? NodaTime.Instant.FromDateTimeOffset(to) : null), ct))
            .For(Role.Operator).WithName("AdvanceSandboxClock")
            .WithSummary("Operator: move the sandbox's test clock forward, by a duration ({\"by\":\"PT2H\"}) or to an instant ({\"to\":\"…\"}); "
                + "409 clock-backwards before its time; 404 not-sandbox on a platform on the real clock")
            .ProducesProblem(404).ProducesProblem(409);
    }
}
