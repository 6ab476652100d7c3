using ComputeNet.Domain;
using Marten;
using Mediator;

namespace ComputeNet.Application.Actions.ListActions;

/// <summary>
/// Who did what (issue 13): the accepted commands by or about <see cref="Party"/>, or within settlement period
/// <see cref="Period"/> (its start to its end on the platform's calendar), or both, or all; in time order, at most
/// <see cref="Limit"/> after the action <see cref="After"/> (0: from the first).
/// </summary>
public sealed record ListActionsRequest(string? Party, string? Period, long After, int Limit) : IQuery<IReadOnlyList<ActionView>>;

public sealed class ListActionsHandler(IDocumentStore store, Platform.PlatformService platform) : IQueryHandler<ListActionsRequest, IReadOnlyList<ActionView>>
{
    public const int MaxLimit = 1000;

    public async ValueTask<IReadOnlyList<ActionView>> Handle(ListActionsRequest q, CancellationToken ct)
    {
        if (q.Limit is < 1 or > MaxLimit)
        {
            throw RejectedException.Of(Codes.Invalid, $"limit must be between 1 and {MaxLimit}", "limit");
        }
        if (q.After < 0)
        {
            throw RejectedException.Of(Codes.Invalid, "after must be an action id (0 or more)", "after");
        }
        if (q.Party is { Length: 0 or > 100 })
        {
            throw RejectedException.Of(Codes.Invalid, "party must be a party id", "party");
        }
        NodaTime.Instant? from = null, to = null;
        if (q.Period is not null)
        {
            var calendar = (await platform.CurrentAsync(ct)).Calendar;
            if (!calendar.TryParse(q.Period, out var period))
            {
                throw RejectedException.Of(Codes.Invalid, $"period must be a settlement period of the platform's calendar ({(calendar.Unit == Domain.Settlement.PeriodUnit.Day ? "yyyy-MM-dd" : "yyyy-MM")})", "period");
            }
            (from, to) = (period.Start, period.End);
        }
        await using var session = store.QuerySession();
        return await ActionLog.PageAsync(session, q.Party, from, to, q.After, q.Limit, ct);
    }
}
