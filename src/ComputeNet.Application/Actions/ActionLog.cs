using ComputeNet.Domain.Market;
using JasperFx.Events;
using Marten;
using NodaTime;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace ComputeNet.Application.Actions;

/// <summary>One accepted command: who acted (key and party), about whom, what it was and when (issue 13, "who did what").</summary>
/// <param name="Id">Its id in the log (the cursor of <c>GET /v1/actions</c>: lists are in time order, then id).</param>
/// <param name="Kind">The first event the command appended (Marten's event type name, e.g. <c>bid_placed</c>, <c>period_closed</c>).</param>
/// <param name="Target">The stream (or, for an order, the order id) the command acted on.</param>
/// <param name="Events">How many events the command appended.</param>
public sealed record ActionView(long Id, Instant At, string KeyId, string ActorParty, string Party, string Kind, string Target, int Events);

/// <summary>
/// The log of accepted commands, one row each, written in the command's own transaction — so an action is logged if and
/// only if its events were appended. The acting key is also in every event's metadata (Marten headers <c>actor</c> and
/// <c>actorParty</c>; a market journal block, which carries the commands of many keys, has <c>actors</c>: key id → the
/// orders each key acted on). Listed by party (actions by it or about it) and by time (a period's actions) through
/// indexes, a page at a time.
/// </summary>
public static class ActionLog
{
    public const string Name = "cn_actions";
    public const string ActorHeader = "actor";
    public const string ActorPartyHeader = "actorParty";
    public const string ActorsHeader = "actors";

    public static Table Definition(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("id").AsPrimaryKey().BigAutoIncrement();
        table.AddColumn("at", "timestamptz").NotNull();
        table.AddColumn<string>("key_id").NotNull();
        table.AddColumn<string>("actor_party").NotNull();
        table.AddColumn<string>("party").NotNull();
        table.AddColumn<string>("kind").NotNull();
        table.AddColumn<string>("target").NotNull();
        table.AddColumn<int>("events").NotNull();
        // By party: the actions about a party, and those a party did about another (an issuer's grant to a buyer, the
        // operator's); each read as its own index range in time order from a cursor.
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_party_at") { Columns = ["party", "at", "id"] });
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_actor_party_at") { Columns = ["actor_party", "at", "id"], Predicate = "actor_party <> party" });
        // By time: everyone's actions, or a period's, in time order.
        table.Indexes.Add(new IndexDefinition($"ix_{Name}_at") { Columns = ["at", "id"] });
        return table;
    }

    private static readonly Instant Earliest = Instant.FromDateTimeOffset(DateTimeOffset.MinValue);
    private static readonly Instant Latest = Instant.FromDateTimeOffset(DateTimeOffset.MaxValue);

    private static DateTimeOffset Clamp(Instant t) => (t < Earliest ? Earliest : t > Latest ? Latest : t).ToDateTimeOffset();

    private static string Qualified(IQuerySession session) => $"\"{session.DocumentStore.Options.DatabaseSchemaName}\".{Name}";

    public sealed record Row(Instant At, Actor Actor, string Party, string Kind, string Target, int Events);

    /// <summary>Queues the insert of <paramref name="rows"/> (one statement) into the session's transaction.</summary>
    public static void Insert(IDocumentSession session, IReadOnlyCollection<Row> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        session.QueueSqlCommand(
            $"insert into {Qualified(session)} (at, key_id, actor_party, party, kind, target, events) "
            + "select * from unnest(?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[])",
            rows.Select(r => r.At.ToDateTimeOffset()).ToArray(),
            rows.Select(r => r.Actor.KeyId).ToArray(),
            rows.Select(r => r.Actor.Party).ToArray(),
            rows.Select(r => r.Party).ToArray(),
            rows.Select(r => r.Kind).ToArray(),
            rows.Select(r => r.Target).ToArray(),
            rows.Select(r => r.Events).ToArray());
    }

    /// <summary>
    /// Logs the events queued on <paramref name="streams"/> in this session as one action of <paramref name="actor"/> (not the
    /// flow's actor), in the session's transaction: each event carries that actor in its headers, and the
    /// <see cref="ActionRecorder"/> leaves them to this row.
    /// </summary>
    public static void ActAs(IDocumentSession session, Actor actor, Instant at, string target, params string[] streams)
    {
        var events = session.PendingChanges.Streams().Where(s => s.Key is not null && streams.Contains(s.Key, StringComparer.Ordinal))
            .SelectMany(s => s.Events).ToList();
        if (events.Count == 0)
        {
            return;
        }
        foreach (var e in events)
        {
            e.SetHeader(ActorHeader, actor.KeyId);
            e.SetHeader(ActorPartyHeader, actor.Party);
        }
        Insert(session, [new Row(at, actor, SubjectOf(events[0].Data) ?? actor.Party, events[0].EventTypeName ?? events[0].Data.GetType().Name, target,
            events.Count)]);
    }

    /// <summary>
    /// The party an event is about, where it names one (a registration, a key, a provider's usage, a grant's buyer, a
    /// payout's payee, a cash action's party); null when it is about the platform (a close, settings).
    /// </summary>
    public static string? SubjectOf(object data) => data switch
    {
        Domain.Parties.PartyRegistered e => e.PartyId,
        Domain.Parties.ApiKeyIssued e => e.PartyId,
        Domain.Parties.ApiKeysRevoked e => e.PartyId,
        Domain.Metering.UsageBatchRecorded e => e.Provider,
        Domain.Vouchers.ProgrammeCreated e => e.Issuer,
        Domain.Vouchers.VoucherGranted e => e.Buyer,
        Domain.Payments.PayoutAccountSet e => e.Party,
        Domain.Payments.PayoutRequested e => e.Party,
        Domain.Payments.PaymentIntentCreated e => e.Buyer,
        Domain.Settlement.TransactionPosted e => e.Postings.Select(p => p.Account.Split(':')).FirstOrDefault(a => a.Length == 2
            && a[0] is "buyer" or "provider" or "carrier" or "issuer" or "region")?[1],
        _ => null,
    };

    /// <summary>
    /// A market journal block's actions, one per command that appended events (repeats and rejections append none), and the
    /// block event's <c>actors</c> header (key id → the <c>party/order</c> ids it acted on).
    /// </summary>
    public static (List<Row> Rows, Dictionary<string, List<string>> Header) OfMarketBlock(
        IReadOnlyList<(Actor Actor, string Party, string OrderId, Instant At, IReadOnlyList<IMarketEvent> Events)> commands)
    {
        var rows = new List<Row>(commands.Count);
        var header = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (actor, party, orderId, at, events) in commands)
        {
            if (events.Count == 0)
            {
                continue;
            }
            rows.Add(new Row(at, actor, party, KindOf(events[0]), orderId, events.Count));
            if (!header.TryGetValue(actor.KeyId, out var orders))
            {
                header[actor.KeyId] = orders = [];
            }
            orders.Add($"{party}/{orderId}");
        }
        return (rows, header);
    }

    private static string KindOf(IMarketEvent e) => e switch
    {
        BidPlaced => "bid_placed",
        OfferListed => "offer_listed",
        OrderCancelled => "order_cancelled",
        OrderReduced => "order_reduced",
        BidKilled => "bid_killed",
        TradeExecuted => "trade_executed",
        _ => e.GetType().Name,
    };

    /// <summary>
    /// One page of actions in time order (then id), after the action <paramref name="after"/> (0: from the start): about or by
    /// <paramref name="party"/> (two index ranges merged), within <c>[from, to)</c>, or all — every case one range of an
    /// index on (…, at, id), so a page costs its own rows whatever the log's length.
    /// </summary>
    public static async Task<IReadOnlyList<ActionView>> PageAsync(IQuerySession session, string? party, Instant? from, Instant? to, long after, int limit,
        CancellationToken ct)
    {
        var t = Qualified(session);
        const string columns = "id, at, key_id, actor_party, party, kind, target, events";
        var args = new List<object> { after, limit };
        // The cursor: the (at, id) of the last action of the previous page.
        var where = $"(at, id) > (select coalesce((select at from {t} where id = $1), '-infinity'::timestamptz), $1)";
        if (from is { } f && to is { } u)
        {
            // A period at the ends of NodaTime's range (year -1, 9999) holds no action: clamped to what PostgreSQL stores.
            args.Add(Clamp(f));
            args.Add(Clamp(u));
            where += " and at >= $3 and at < $4";
        }
        string sql;
        if (party is not null)
        {
            args.Add(party);
            var p = $"${args.Count}";
            sql = $"""
                select {columns} from (
                  (select {columns} from {t} where party = {p} and {where} order by at, id limit $2)
                  union all
                  (select {columns} from {t} where actor_party = {p} and actor_party <> party and {where} order by at, id limit $2)
                ) a order by at, id limit $2
                """;
        }
        else
        {
            sql = $"select {columns} from {t} where {where} order by at, id limit $2";
        }
        var rows = new List<ActionView>();
        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var arg in args)
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = arg });
        }
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ActionView(reader.GetInt64(0), Instant.FromDateTimeUtc(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(1), DateTimeKind.Utc)),
                reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetInt32(7)));
        }
        return rows;
    }
}

/// <summary>
/// Marks every event a session appends with the acting key (<see cref="Acting.Current"/>) and logs the session's commit
/// as one action in the same transaction. Sessions of the market writer are skipped: their blocks carry many commands, which
/// the writer logs itself (<see cref="ActionLog.OfMarketBlock"/>).
/// </summary>
public sealed class ActionRecorder(IClock clock) : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        var streams = session.PendingChanges.Streams();
        if (streams.Count == 0)
        {
            return Task.CompletedTask;
        }
        var actor = Acting.Current;
        IEvent? first = null;
        string? target = null;
        var count = 0;
        foreach (var stream in streams)
        {
            foreach (var e in stream.Events)
            {
                // A market block logs its own commands; an event already stamped belongs to an action the command logged
                // itself on another's behalf (a credit note's refund, ADR 0032).
                if (e.Headers?.ContainsKey(ActionLog.ActorsHeader) == true || e.Headers?.ContainsKey(ActionLog.ActorHeader) == true)
                {
                    continue;
                }
                e.SetHeader(ActionLog.ActorHeader, actor.KeyId);
                e.SetHeader(ActionLog.ActorPartyHeader, actor.Party);
                // The action is named by the command's own event: the first one met, unless a close's PeriodClosed comes
                // later (a close appends to many streams; the order of streams in a session is not the order of appends).
                if (first is null || (e.Data is Domain.Settlement.PeriodClosed && first.Data is not Domain.Settlement.PeriodClosed))
                {
                    first = e;
                    target = stream.Key ?? stream.Id.ToString();
                }
                count++;
            }
        }
        if (first is not null)
        {
            ActionLog.Insert(session, [new ActionLog.Row(clock.GetCurrentInstant(), actor, ActionLog.SubjectOf(first.Data) ?? actor.Party,
                first.EventTypeName ?? first.Data.GetType().Name, target!, count)]);
        }
        return Task.CompletedTask;
    }
}
