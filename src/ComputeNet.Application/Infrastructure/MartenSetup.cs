using ComputeNet.Application.Metering;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Platform;
using ComputeNet.Domain.Settlement;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using System.Text.Json.Serialization.Metadata;
using Weasel.Core;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// The one place where Marten is configured: System.Text.Json with NodaTime, string stream keys, every
/// event type of the contract registered up front (so replay never meets an unknown type), and the
/// inline projections that decisions depend on.
/// </summary>
public static class MartenSetup
{
    public static readonly Type[] EventTypes =
    [
        typeof(PlatformConfigured), typeof(MeteringStandardPublished), typeof(PartyRegistered), typeof(ApiKeyIssued), typeof(ApiKeysRevoked),
        typeof(Market.MarketEventsJournaled), typeof(OfferListed), typeof(BidPlaced), typeof(TradeExecuted), typeof(BidKilled), typeof(OrderCancelled), typeof(OrderReduced),
        typeof(LeaseOpened), typeof(UsageRecorded), typeof(UsageBatchRecorded),
        typeof(PeriodClosed), typeof(InvoiceIssued), typeof(StatementIssued), typeof(TransactionPosted), typeof(IssuerClaimIssued), typeof(RegionShareIssued),
        typeof(Domain.Pairings.PairingAgreed), typeof(Domain.Pairings.PairingEnded),
        typeof(Domain.Vouchers.ProgrammeCreated), typeof(Domain.Vouchers.ProgrammeClosed), typeof(Domain.Vouchers.VoucherGranted),
        typeof(Domain.Vouchers.VoucherRedeemed), typeof(Domain.Vouchers.VoucherLapsed),
        typeof(Domain.Audit.CheckpointSigned),
        typeof(Domain.Payments.PaymentIntentCreated), typeof(Domain.Payments.PaymentIntentSucceeded), typeof(Domain.Payments.PaymentIntentFailed),
        typeof(Domain.Payments.PaymentNotPosted), typeof(Domain.Payments.PayoutAccountSet), typeof(Domain.Payments.PayoutRequested),
        typeof(Domain.Payments.PayoutTransferFailed), typeof(Domain.Payments.PayoutTransferred), typeof(Domain.Payments.PayoutNotPosted),
        typeof(Domain.Payments.RefundRequested), typeof(Domain.Payments.RefundPartCreated), typeof(Domain.Payments.RefundPartSucceeded),
        typeof(Domain.Payments.RefundPartFailed),
    ];

    /// <param name="clock">The platform's clock (when actions are logged); the system clock when null.</param>
    public static void Configure(StoreOptions opts, string connectionString, string schema, IClock? clock = null)
    {
        // A multi-host string (a primary and its standby) needs a multi-host data source (Database/DatabaseConnection).
        if (Database.DatabaseConnection.IsMultiHost(connectionString))
        {
            opts.Connection(Database.DatabaseConnection.CreateDataSource(connectionString));
        }
        else
        {
            opts.Connection(connectionString);
        }
        opts.DatabaseSchemaName = schema;
        opts.Events.DatabaseSchemaName = schema;
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, o =>
        {
            o.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
            // Market journal blocks hold market events by interface; jsonb reorders keys, so "$type" may come anywhere.
            o.TypeInfoResolver = (o.TypeInfoResolver ?? new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver())
                .WithAddedModifier(Market.MarketJournal.Polymorphism);
            o.AllowOutOfOrderMetadataProperties = true;
        });
        opts.Events.StreamIdentity = StreamIdentity.AsString;
        opts.Events.AddEventTypes(EventTypes);

        // Leases are read by (buyer | provider, trade seq), (provider, window end) and window end (below and in the read
        // models); single-column buyer, provider and commitment indexes would only repeat those leading columns (or, for the
        // commitment's two values, select nothing) while every trade pays for their upkeep in the writer's commit.
        opts.Schema.For<LeaseDocument>();
        opts.Schema.For<ClosedPeriodView>();
        // Usage records, one row each, written with their batch event: what usage validation and SLA tests read (ADR 0016).
        opts.Storage.ExtendedSchemaObjects.Add(UsageRecordTable.Definition(schema));
        // Orders: a party's list in arrival order, everyone's in arrival order, an id across parties, offers by window end (reports).
        opts.Schema.For<Market.OrderDocument>()
            .Index(new List<System.Linq.Expressions.Expression<Func<Market.OrderDocument, object>>> { x => x.Party, x => x.Seq })
            .Index(x => x.Seq).Index(x => x.OrderId)
            // Offers by window end (reports), created at start by Market.OrderIndexes: a partial index (offers only; bids have
            // no window end, so half the rows skip it) whose predicate Marten's migration would see as changed at every start
            // and rebuild — seconds on a market with millions of orders. Told to Marten so that it leaves it alone.
            .IgnoreIndex(Market.OrderIndexes.OfferWindowEnd);
        opts.Schema.For<Market.MarketSnapshot>();
        opts.Schema.For<Market.MarketSnapshotChunk>().Index(x => x.Version);
        ConfigureMarket(opts, schema);

        opts.Projections.Add(new ClosedPeriodProjection(), ProjectionLifecycle.Inline);

        ConfigureSettlementReadModels(opts);
        ConfigureReadModels(opts, schema);
        ConfigureAggregateStreams(opts, schema);
        ConfigurePayments(opts, schema);
        ConfigureActions(opts, schema, clock ?? SystemClock.Instance);
    }

    // ---- Who did what (issue 13, item 5) ----
    /// <summary>
    /// The acting key in every event's metadata (Marten headers) and the log of accepted commands, written by a session
    /// listener in each command's transaction (<see cref="Actions.ActionLog"/>).
    /// </summary>
    private static void ConfigureActions(StoreOptions opts, string schema, IClock clock)
    {
        opts.Events.MetadataConfig.HeadersEnabled = true;
        opts.Storage.ExtendedSchemaObjects.Add(Actions.ActionLog.Definition(schema));
        opts.Listeners.Add(new Actions.ActionRecorder(clock));
    }
    // ---- end of who did what ----

    // ---- Payments (issue 12: a stream per invoice and per payee, docs/payments.md) ----
    /// <summary>The <c>payment:{invoiceId}</c> and <c>payee:{party}</c> streams, and the intent and payout documents written inline.</summary>
    private static void ConfigurePayments(StoreOptions opts, string schema)
    {
        Payments.PaymentProjections.Configure(opts, schema);
        Payments.RefundThroughStripe.RefundProjections.Configure(opts, schema);
    }
    // ---- end of payments ----

    // ---- Streams per aggregate (issue 12, item 2): decided through Decider, state read from inline projections ----
    private static void ConfigureAggregateStreams(StoreOptions opts, string schema)
    {
        opts.Schema.For<StreamSplit.Marker>();
        opts.Projections.Add(new LiveAggregation<Platform.PlatformStream>(), ProjectionLifecycle.Live);
        Vouchers.VoucherProjections.Configure(opts, schema);
        Parties.PartyProjections.Configure(opts);
        Pairings.PairingProjections.Configure(opts, schema);
        // Disputes and credit notes (issue 15, ADR 0026): a stream per invoice line, the credit-notes stream, their documents.
        Disputes.DisputeProjections.Configure(opts, schema);
    }
    // ---- end of streams per aggregate ----

    // ---- Market (issue 12, second step: compact snapshots) -------------------------------------------------------------
    /// <summary>The market snapshot's live orders as compact chunks, one row each (docs/matching.md, "Snapshots").</summary>
    private static void ConfigureMarket(StoreOptions opts, string schema)
    {
        opts.Storage.ExtendedSchemaObjects.Add(Market.MarketSnapshotTable.Definition(schema));
        // One owner per market, its lease, the hosts seen and the takeovers (ADR 0030).
        opts.Storage.ExtendedSchemaObjects.AddRange(Cluster.ClusterTables.Definitions(schema));
    }
    // ---- end of market -------------------------------------------------------------------------------------------------

    // ---- Settlement read models (issue 12, item 4: a close reads what its period needs) --------------------------------
    /// <summary>
    /// Inline projections the close, the checkpoint step, cash actions, reversals and the ledger read instead of history
    /// (docs/settlement.md). Stores written before them are rebuilt at start (<see cref="SettlementReadModels"/>).
    /// </summary>
    private static void ConfigureSettlementReadModels(StoreOptions opts)
    {
        opts.Schema.For<ClosedPeriodView>().Duplicate(x => x.Checkpointed);
        opts.Schema.For<ChainHeadView>();
        opts.Schema.For<Audit.CheckpointView>();
        opts.Schema.For<Ledger.LedgerAccountView>();
        opts.Schema.For<Ledger.LedgerTransactionView>().Index(x => x.AtTicks).Index(x => x.Reverses);
        opts.Schema.For<Ledger.LedgerLogView>();
        opts.Schema.For<Ledger.PeriodLedgerView>().Index(x => x.AtTicks);
        opts.Schema.For<SettlementReadModels.Marker>();
        // The usage batches a period receives, by an index on mt_events that Marten does not define (created at start by
        // SettlementReadModels.EnsureUsageIndexAsync); told to Marten so that its schema migration leaves it alone.
        opts.Events.IgnoreIndex(SettlementReadModels.UsageReceivingPeriodIndex);
        // Reserved leases overlapping a period: by the window's end, so the close reads the leases still running, not all.
        opts.Schema.For<LeaseDocument>().Index(x => x.ToUnixSeconds);

        opts.Projections.Add(new ChainHeadProjection(), ProjectionLifecycle.Inline);
        opts.Projections.Add(new Audit.CheckpointViewProjection(), ProjectionLifecycle.Inline);
        opts.Projections.Add(new Ledger.LedgerAccountProjection(), ProjectionLifecycle.Inline);
        opts.Projections.Add(new Ledger.LedgerTransactionProjection(), ProjectionLifecycle.Inline);
        opts.Projections.Add(new Ledger.LedgerLogProjection(), ProjectionLifecycle.Inline);
        // Inline although only GET /v1/ledger?asOf= reads it: that read subtracts it from the inline balances, and a lagging
        // view would make the answer a mix of two moments.
        opts.Projections.Add(new Ledger.PeriodLedgerProjection(), ProjectionLifecycle.Inline);
    }
    // ---- end of settlement read models -------------------------------------------------------------------------------

    // ---- Async read models: what people list and search (issue 12, "reads"; Marten's async daemon) ----
    /// <summary>
    /// Async projections (<see cref="AsyncReadModels"/>): what closes issued (invoices, statements, issuer claims, region
    /// shares, periods, redemptions, subsidised lines, the invoices each statement earned on), indexed so lists filter and
    /// page in PostgreSQL. No decision reads them. A schema written before them is rebuilt from the events on start
    /// (<see cref="SettlementReadModels"/>). Usage lists read <see cref="UsageRecordTable"/>; trades read
    /// <see cref="LeaseDocument"/>s, written with their trade (usage validation and closes read them).
    /// </summary>
    private static void ConfigureReadModels(StoreOptions opts, string schema)
    {
        // Composite indexes (party or period, then Seq): a party's or a period's page is an index range in close order.
        opts.Schema.For<InvoiceDocument>().Index(x => x.Seq).Index([x => x.Buyer, x => x.Seq]).Index([x => x.Period, x => x.Seq]);
        opts.Schema.For<StatementDocument>().Index(x => x.Seq).Index([x => x.Party, x => x.Seq]).Index([x => x.Period, x => x.Seq]);
        opts.Schema.For<IssuerClaimDocument>().Index(x => x.Seq).Index([x => x.Issuer, x => x.Seq]).Index([x => x.Period, x => x.Seq]);
        opts.Schema.For<RegionShareDocument>().Index([x => x.Period, x => x.Seq]);
        opts.Schema.For<PeriodDocument>().Index(x => x.Seq);
        opts.Schema.For<RedemptionDocument>().Index([x => x.Period, x => x.ProgrammeId]);
        opts.Schema.For<SubsidisedLineDocument>().Index(x => x.ProgrammeId);
        opts.Schema.For<EarnerInvoiceDocument>().Index([x => x.StatementId, x => x.Seq]);
        // A party's own ledger lines (GET /v1/balance/lines), in posting order.
        opts.Schema.For<LedgerLineDocument>().Index([x => x.Party, x => x.Seq]);
        opts.Projections.Add(new SettlementDocumentsProjection(), ProjectionLifecycle.Async);
        // The portal's charts (issue 14): usage per lease and period, transport lines, lapses; async like the documents above.
        Analytics.AnalyticsProjections.Configure(opts);
        // Trades page by trade sequence, a party's through its buyer or provider index then the sequence.
        opts.Schema.For<LeaseDocument>().Index(x => x.TradeSeq).Index([x => x.Buyer, x => x.TradeSeq]).Index([x => x.Provider, x => x.TradeSeq]);
    }
    // ---- end of read models (issue 12, "reads") ----

    /// <summary>Stream keys. One market stream for now; the matching-engine work splits it per family.</summary>
    public static class Streams
    {
        public const string Platform = "platform";
        public const string Parties = "parties";
        public const string Market = "market";
        public const string Vouchers = "vouchers";
        public const string Pairings = "pairings";
        public const string Cash = "cash";
        public const string Corrections = "corrections";
        /// <summary>Signed checkpoints, one per closed period, in close order.</summary>
        public const string Checkpoints = "checkpoints";

        public static string Lease(string leaseId) => $"lease:{leaseId}";

        public static string Period(string periodKey) => $"period:{periodKey}";
    }
}
