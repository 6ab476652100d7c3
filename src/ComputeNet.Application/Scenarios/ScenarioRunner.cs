using System.Text.Json;
using System.Text.RegularExpressions;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Market;
using ComputeNet.Application.Market.CancelOrder;
using ComputeNet.Application.Market.ListOrders;
using ComputeNet.Application.Market.ListTrades;
using ComputeNet.Application.Market.PlaceBid;
using ComputeNet.Application.Market.PlaceOffer;
using ComputeNet.Application.Market.ReduceOrder;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Parties.ListParties;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Platform.ConfigurePlatform;
using ComputeNet.Application.ReferenceData;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetInvoices;
using ComputeNet.Application.Settlement.GetLedger;
using ComputeNet.Application.Settlement.GetStatements;
using ComputeNet.Domain;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Reference;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace ComputeNet.Application.Scenarios;

/// <param name="SigningKeyPath">The checkpoint signing key (null: configuration, env ComputeNet__SigningKeyPath, else ~/.computenet/keys).</param>
public sealed record ScenarioRunOptions(string ConnectionString, string? Schema = null, bool KeepSchema = false, string? SigningKeyPath = null);

/// <summary>
/// Replays a scenario file (scenario-format.md) through the same Mediator requests as the HTTP API, against
/// the real event store in a schema of its own, on a clock driven by the timeline. Rejections are data: each
/// is recorded with its action's index and code, and the run goes on.
/// </summary>
public sealed partial class ScenarioRunner(Action<IServiceCollection> addMediator)
{
    public const int MaxActions = 1_000_000;

    public async Task<ScenarioResult> RunAsync(string scenarioJson, ScenarioRunOptions options, CancellationToken ct = default)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(scenarioJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ScenarioFormatException($"the scenario is not valid JSON: {e.Message}");
        }
        using var _ = doc;
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ScenarioFormatException("the scenario must be a JSON object");
        }
        string name;
        try
        {
            name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "scenario";
        }
        catch (InvalidOperationException)
        {
            throw new ScenarioFormatException("the scenario's name is not valid Unicode (a lone surrogate)");
        }
        if (!root.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array)
        {
            throw new ScenarioFormatException("the scenario needs an 'actions' array");
        }
        if (actions.GetArrayLength() > MaxActions)
        {
            throw new ScenarioFormatException($"a scenario holds at most {MaxActions} actions");
        }

        var schema = options.Schema ?? $"scn_{Slug(name)}_{Guid.NewGuid():N}"[..Math.Min(63, 5 + Slug(name).Length + 1 + 12)];
        await ComputeNetServices.DropSchemaAsync(options.ConnectionString, schema, ct);
        var firstAt = actions.EnumerateArray().Select(a => new Fields(a)).Select(f => TryTime(f)).FirstOrDefault(t => t is not null) ?? Instant.FromUnixTimeSeconds(0);
        var clock = new SettableClock(firstAt);
        var provider = ComputeNetServices.Compose(new ComputeNetSettings(options.ConnectionString, schema, options.SigningKeyPath), clock, addMediator);
        try
        {
            await provider.InitialiseComputeNetAsync(ct);
            var run = new Run(provider.GetRequiredService<ISender>(), clock);
            // Who did what: a scenario's set-up acts as the operator, each action as its party (issuer, or the operator).
            var zone = await ActAsAsync("operator", () => run.SetUpAsync(root, ct));
            var index = 0;
            foreach (var action in actions.EnumerateArray())
            {
                var fields = new Fields(action);
                // Cash actions and closes are the operator's (as over the API); orders, usage and grants their party's.
                var actor = fields.OptStr("type") is "close" or "payment" or "payout" or "reimburse" or "refund" or "resolve"
                    ? "operator"
                    : fields.OptStr("party") ?? fields.OptStr("issuer") ?? "operator";
                await ActAsAsync(actor.Length <= 100 ? actor : "operator", async () =>
                {
                    await run.ActAsync(index++, fields, ct);
                    return true;
                });
            }
            return await run.ResultAsync(name, schema, zone, actions.GetArrayLength(), ct);
        }
        finally
        {
            await provider.DisposeAsync();
            if (!options.KeepSchema)
            {
                await ComputeNetServices.DropSchemaAsync(options.ConnectionString, schema, ct);
            }
        }
    }

    /// <summary>The key id a scenario's actions are logged with (scenarios name parties, not keys).</summary>
    public const string ScenarioKeyId = "scenario";

    private static async Task<T> ActAsAsync<T>(string party, Func<Task<T>> work)
    {
        using (Actions.Acting.As(new Actions.Actor(ScenarioKeyId, party)))
        {
            return await work();
        }
    }

    private static Instant? TryTime(Fields f)
    {
        try
        {
            return f.Time("at");
        }
        catch (RejectedException)
        {
            return null;
        }
    }

    private static string Slug(string name)
    {
        var slug = SlugChars().Replace(name.ToLowerInvariant(), "_").Trim('_');
        return slug.Length == 0 ? "run" : slug[..Math.Min(slug.Length, 40)];
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugChars();

    /// <summary>The state of one run: outcomes in the order they happened.</summary>
    private sealed class Run(ISender sender, SettableClock clock)
    {
        private readonly List<RejectionOut> _rejections = [];
        /// <summary>Order entries in attempt order: an accepted order (resolved to its final state at the end) or a rejected attempt.</summary>
        private readonly List<(string Party, string Id, OrderOut? Rejected)> _orders = [];
        private readonly Dictionary<string, string> _orderOwner = new(StringComparer.Ordinal);
        /// <summary>Leases by the (bid, offer) pair that created them; a pair trades at most once.</summary>
        private readonly Dictionary<(string Bid, string Offer), string> _leases = new();
        private Instant? _lastAt;

        public async Task<DateTimeZone> SetUpAsync(JsonElement root, CancellationToken ct)
        {
            var f = new Fields(root);
            var period = "day";
            var zone = "Asia/Shanghai";
            int computeBp = 300, transportBp = 100;
            try
            {
                foreach (var section in new[] { "settlement", "fees" })
                {
                    if (f.Has(section) && root.GetProperty(section).ValueKind != JsonValueKind.Object)
                    {
                        throw RejectedException.Of(Codes.Invalid, $"'{section}' must be an object", section);
                    }
                }
                if (f.Has("settlement"))
                {
                    var s = new Fields(root.GetProperty("settlement"));
                    period = s.Has("period") ? s.Str("period") : period;
                    zone = s.Has("timeZone") ? s.Str("timeZone") : zone;
                }
                if (f.Has("fees"))
                {
                    var fees = new Fields(root.GetProperty("fees"));
                    computeBp = fees.Has("computeBp") ? fees.Int("computeBp") : computeBp;
                    transportBp = fees.Has("transportBp") ? fees.Int("transportBp") : transportBp;
                }
            }
            catch (RejectedException e)
            {
                // Settings are all-or-nothing: a malformed one leaves the platform on its defaults, and says so.
                Reject(-1, "settings", e.Rejection.Field, e.Rejection.Code, $"{e.Rejection.Reason}; the defaults (daily periods in Asia/Shanghai, 300/100 bp) apply");
                period = "day";
                zone = "Asia/Shanghai";
                computeBp = 300;
                transportBp = 100;
            }
            var classes = new List<ResourceClass>();
            if (root.TryGetProperty("resourceClasses", out var rcs) && rcs.ValueKind == JsonValueKind.Array)
            {
                foreach (var rc in rcs.EnumerateArray())
                {
                    try
                    {
                        classes.Add(ReferenceDataLoader.ParseResourceClass(rc));
                    }
                    catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException)
                    {
                        Reject(-1, "resourceClass", rc.TryGetProperty("id", out var id) ? id.ToString() : null, Codes.Invalid, $"resource class is malformed: {e.Message}");
                    }
                }
            }
            var latencies = new List<LatencyOverride>();
            if (root.TryGetProperty("latencies", out var lats) && lats.ValueKind == JsonValueKind.Array)
            {
                foreach (var l in lats.EnumerateArray())
                {
                    var lf = new Fields(l);
                    try
                    {
                        latencies.Add(new LatencyOverride(lf.Str("city"), lf.Str("cluster"), lf.Dec("ms")));
                    }
                    catch (RejectedException e)
                    {
                        Reject(-1, "latency", null, e.Rejection.Code, e.Rejection.Reason);
                    }
                }
            }
            try
            {
                await sender.Send(new ConfigurePlatformRequest(period, zone, computeBp, transportBp, classes, latencies), ct);
            }
            catch (RejectedException e)
            {
                Reject(-1, "settings", null, e.Rejection.Code, e.Rejection.Reason);
            }

            if (root.TryGetProperty("parties", out var parties) && parties.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in parties.EnumerateArray())
                {
                    var pf = new Fields(p);
                    await Attempt(-1, "party", pf.OptStr("id"), async () =>
                    {
                        var routes = new List<RouteSet>();
                        if (p.TryGetProperty("routes", out var rs) && rs.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var r in rs.EnumerateArray())
                            {
                                var rf = new Fields(r);
                                routes.Add(new RouteSet(rf.Strings("cities"), rf.Strings("clusters")));
                            }
                        }
                        await sender.Send(new RegisterPartyRequest(pf.Str("id"), pf.Strings("roles"), pf.OptStr("city"),
                            pf.Has("sme") && pf.Bool("sme"), routes, pf.OptStr("name"), DisplayNameEn: pf.OptStr("nameEn")), ct);
                    });
                }
            }
            if (root.TryGetProperty("programmes", out var programmes) && programmes.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in programmes.EnumerateArray())
                {
                    var pf = new Fields(p);
                    await Attempt(-1, "programme", pf.OptStr("id"), async () =>
                    {
                        await sender.Send(new Vouchers.CreateProgramme.CreateProgrammeRequest(pf.Str("issuer"), pf.Str("id"), pf.Str("kind"),
                            pf.Int("coverageBp"), pf.Long("capFen"), pf.Long("budgetFen"), pf.Time("validFrom"), pf.Time("validTo"),
                            pf.Has("buyerCities") ? pf.Strings("buyerCities") : null, pf.Has("families") ? pf.Strings("families") : null,
                            pf.Has("supplyHubs") ? pf.Strings("supplyHubs") : null), ct);
                    });
                }
            }
            if (root.TryGetProperty("pairings", out var pairings) && pairings.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in pairings.EnumerateArray())
                {
                    var pf = new Fields(p);
                    await Attempt(-1, "pairing", pf.OptStr("id"), async () =>
                    {
                        var weights = p.TryGetProperty("weights", out var w) && w.ValueKind == JsonValueKind.Object ? new Fields(w)
                            : throw RejectedException.Of(Codes.Invalid, "'weights' must be an object with platform, demand and supply", "weights");
                        await sender.Send(new Pairings.AgreePairing.AgreePairingRequest(pf.Str("id"), pf.Str("demandRegion"), pf.Strings("demandCities"),
                            pf.Str("supplyHub"), weights.Int("platform"), weights.Int("demand"), weights.Int("supply"),
                            pf.Has("validFrom") ? pf.Time("validFrom") : null, pf.Has("validTo") ? pf.Time("validTo") : null), ct);
                    });
                }
            }
            return DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) ?? DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
        }

        public async Task ActAsync(int index, Fields a, CancellationToken ct)
        {
            var type = "";
            string? id = null;
            Instant at;
            try
            {
                type = a.OptStr("type") ?? "";
                id = type switch
                {
                    "cancel" or "reduce" => a.OptStr("order"),
                    "close" => a.OptStr("period"),
                    "resolve" => a.OptStr("dispute"),
                    _ => a.OptStr("id"),
                };
                at = a.Time("at");
            }
            catch (RejectedException e)
            {
                Reject(index, type, id, e.Rejection.Code, e.Rejection.Reason);
                return;
            }
            if (_lastAt is { } last && at < last)
            {
                Reject(index, type, id, Codes.TimeBackwards, $"{at} is before the previous action's time {last}");
                return;
            }
            _lastAt = at;
            clock.Set(at);

            switch (type)
            {
                case "offer":
                case "bid":
                    await OrderAsync(index, type, a, ct);
                    break;
                case "cancel":
                    await Attempt(index, type, id, () => sender.Send(new CancelOrderRequest(a.Str("party"), a.Str("order")), ct).AsTask());
                    break;
                case "reduce":
                    await Attempt(index, type, id, () => sender.Send(new ReduceOrderRequest(a.Str("party"), a.Str("order"), a.Int("devices")), ct).AsTask());
                    break;
                case "usage":
                    await Attempt(index, type, id, async () =>
                    {
                        var party = a.Str("party");
                        var leaseId = await LeaseOfAsync(a.Str("bid"), a.Str("offer"), ct);
                        await sender.Send(new RecordUsageRequest(party, a.Str("id"), leaseId, a.Time("from"), a.Time("to"),
                            a.Long("deviceSeconds"), a.Dec("energyKwh"), a.Dec("greenKwh"), a.Dec("transferGb")), ct);
                    });
                    break;
                case "close":
                    await Attempt(index, type, id, () => sender.Send(new ClosePeriodRequest(a.Str("period")), ct).AsTask());
                    break;
                case "grant":
                    await Attempt(index, type, id, () => sender.Send(new Vouchers.GrantVoucher.GrantVoucherRequest(null, a.OptStr("id"),
                        a.Str("programme"), a.Str("buyer"), a.Long("faceFen")), ct).AsTask());
                    break;
                case "payment":
                case "payout":
                case "reimburse":
                case "refund":
                    await Attempt(index, type, id, () => sender.Send(new Ledger.RecordCash.RecordCashRequest(type, a.OptStr("id"), a.Str("party"),
                        a.Long("amountFen"), a.OptStr("account")), ct).AsTask());
                    break;
                case "dispute":
                case "resolve":
                    await DisputeAsync(index, type, id, a, ct);
                    break;
                default:
                    Reject(index, type, id, Codes.Invalid, $"unknown action type '{type}'");
                    break;
            }
        }

        private async Task OrderAsync(int index, string type, Fields a, CancellationToken ct)
        {
            var party = a.OptStr("party") ?? "";
            var id = a.OptStr("id");
            try
            {
                if (id is not null && _orderOwner.TryGetValue(id, out var owner) && owner != party)
                {
                    await RequirePartyAsync(party, type == "offer" ? PartyRoles.Provider : PartyRoles.Buyer, ct);
                    throw RejectedException.Of(Codes.IdReused, $"order id '{id}' is already used by '{owner}' in this scenario", "id");
                }
                OrderResult result;
                try
                {
                    result = type == "offer"
                        ? await sender.Send(new PlaceOfferRequest(party, id, a.Str("cluster"), a.Str("resourceClass"), a.Int("devices"),
                            a.Time("from"), a.Time("to"), a.Dec("price")), ct)
                        : await sender.Send(new PlaceBidRequest(party, id, a.Str("family"), a.Int("devices"), a.Dec("minScuPerDevice"),
                            a.Int("minMemoryGb"), a.Time("from"), a.Time("to"), a.Str("tier"), a.Dec("minGreen"), a.Dec("price"),
                            a.Str("commitment"), a.Bool("split"), a.Str("tif"), a.OptStr("city")), ct);
                }
                catch (RejectedException e) when (e.Rejection.Code == Codes.Invalid)
                {
                    // A malformed field is reported only after the party checks, which come first (market-rules §12).
                    await RequirePartyAsync(party, type == "offer" ? PartyRoles.Provider : PartyRoles.Buyer, ct);
                    throw;
                }
                if (!result.Repeat)
                {
                    _orders.Add((party, result.OrderId, null));
                    _orderOwner[result.OrderId] = party;
                }
            }
            catch (RejectedException e)
            {
                Reject(index, type, id, e.Rejection.Code, e.Rejection.Reason);
                _orders.Add((party, id ?? "", new OrderOut(id ?? "", party, type, "rejected", a.Has("devices") ? Guard(() => a.Int("devices"), 0) : 0, 0)));
            }
        }

        /// <summary>A buyer's dispute (as the buyer) or the operator's resolution (market-rules §14; ADR 0026).</summary>
        private Task DisputeAsync(int index, string type, string? id, Fields a, CancellationToken ct) => Attempt(index, type, id, async () =>
        {
            if (type == "resolve")
            {
                await sender.Send(new Disputes.ResolveDispute.ResolveDisputeRequest(a.Str("dispute"), a.Str("outcome"),
                    a.Has("amountFen") ? a.Long("amountFen") : null), ct);
                return;
            }
            Disputes.OpenDispute.OpenDisputeRequest request;
            try
            {
                request = new(a.Str("party"), a.OptStr("id"), a.Str("period"), a.Str("bid"), a.Str("offer"), a.Str("kind"),
                    a.Has("late") && a.Bool("late"), a.Long("amountFen"), a.OptStr("reason"));
            }
            catch (RejectedException e) when (e.Rejection.Code == Codes.Invalid)
            {
                // A malformed field is reported only after the party checks, which come first (market-rules §14).
                await RequirePartyAsync(a.OptStr("party") ?? "", PartyRoles.Buyer, ct);
                throw;
            }
            await sender.Send(request, ct);
        });

        private async Task RequirePartyAsync(string partyId, PartyRoles role, CancellationToken ct)
        {
            var parties = await sender.Send(new ListPartiesRequest(), ct);
            var party = parties.FirstOrDefault(p => p.Id == partyId)
                ?? throw RejectedException.Of(Codes.UnknownParty, $"no party '{partyId}' is registered", "party");
            var slug = RoleSlugs.ToSlugs(role)[0];
            if (!party.Roles.Contains(slug))
            {
                throw RejectedException.Of(Codes.WrongRole, $"'{partyId}' is not a {slug}", "party");
            }
        }

        /// <summary>The lease a bid–offer pair created; an unknown pair maps to an id no lease has, so the usage is refused as unknown-lease in its turn.</summary>
        private async Task<string> LeaseOfAsync(string bid, string offer, CancellationToken ct)
        {
            if (!_leases.TryGetValue((bid, offer), out var lease))
            {
                foreach (var t in await sender.Send(new ListTradesRequest(), ct))
                {
                    _leases[(t.Bid, t.Offer)] = t.LeaseId;
                }
                lease = _leases.GetValueOrDefault((bid, offer));
            }
            return lease ?? $"none-{bid}-{offer}";
        }

        private async Task Attempt(int index, string type, string? id, Func<Task> action)
        {
            try
            {
                await action();
            }
            catch (RejectedException e)
            {
                Reject(index, type, id, e.Rejection.Code, e.Rejection.Reason);
            }
        }

        private void Reject(int index, string type, string? id, string code, string reason) =>
            _rejections.Add(new RejectionOut(index, type, id, code, reason));

        private static T Guard<T>(Func<T> read, T fallback)
        {
            try
            {
                return read();
            }
            catch (RejectedException)
            {
                return fallback;
            }
        }

        public async Task<ScenarioResult> ResultAsync(string name, string schema, DateTimeZone zone, int actions, CancellationToken ct)
        {
            var asOf = clock.GetCurrentInstant();
            var statuses = (await sender.Send(new ListOrdersRequest(asOf), ct)).ToDictionary(o => (o.Party, o.Id));
            var orders = _orders.Select(o => o.Rejected ?? Out(statuses[(o.Party, o.Id)])).ToList();

            var trades = (await sender.Send(new ListTradesRequest(), ct)).Select(t => new TradeOut(t.Bid, t.Offer, t.Buyer, t.Provider, t.Cluster,
                t.ResourceClass, t.Devices, ScenarioJson.Time(t.From, zone), ScenarioJson.Time(t.To, zone), ScenarioJson.Dec(t.Price),
                ScenarioJson.Dec(t.ScuPerDevice), t.Commitment)).ToList();

            var invoices = (await sender.Send(new GetInvoicesRequest(), ct)).Select(i => new InvoiceOut(i.Period, i.Buyer,
                i.Lines.Select(l => new InvoiceLineOut(l.Bid, l.Offer, l.Kind, l.Late, l.AmountFen, l.TaxFen, l.VoucherFen, l.Voucher, l.DueFen)).ToList(),
                i.AmountFen, i.VoucherFen, i.DueFen, i.Hash, i.PreviousHash)).ToList();

            var statements = (await sender.Send(new GetStatementsRequest(), ct)).Select(p => new PeriodStatementsOut(p.Period,
                p.Providers.Select(s => new PartyStatementOut(s.Party, s.GrossFen, s.FeeFen, s.NetFen, s.Hash, s.PreviousHash)).ToList(),
                p.Carriers.Select(s => new PartyStatementOut(s.Party, s.GrossFen, s.FeeFen, s.NetFen, s.Hash, s.PreviousHash)).ToList(),
                p.Issuers.Select(i => new IssuerStatementOut(i.Issuer, i.RedeemedFen, i.LapsedFen, i.Programmes, i.Hash, i.PreviousHash)).ToList(),
                p.Regions.Select(x => new RegionStatementOut(x.Region, x.ShareFen, x.Hash, x.PreviousHash)).ToList(), p.PlatformFeeFen, p.MerkleRoot)).ToList();

            var ledger = await sender.Send(new GetLedgerRequest(), ct);
            var reports = new List<Domain.Reports.MeteringReport>();
            foreach (var period in statements.Select(s => s.Period))
            {
                reports.Add(await sender.Send(new Reports.GetMeteringReport.GetMeteringReportRequest(period), ct));
            }
            var verification = await sender.Send(new Audit.Verify.VerifyHistoryRequest(), ct);
            var focus = await sender.Send(new Exports.ExportFocus.ExportFocusRequest(null), ct);
            var creditNotes = (await sender.Send(new Disputes.ListCreditNotes.ListCreditNotesRequest(Disputes.ListCreditNotes.CreditNoteScope.All), ct))
                .Select(n => new CreditNoteOut(n.Id, n.Dispute, n.Period, n.Buyer, n.Bid, n.Offer, n.Kind, n.Late, n.AmountFen, n.TaxFen, n.VoucherFen,
                    n.DueFen, n.Hash, n.PreviousHash, n.Refund?.RefundId, n.Refund?.AmountFen)).ToList();
            return new ScenarioResult(name, schema, orders, trades, invoices, statements, new LedgerOut(ledger.Balances, ledger.TrialBalanceFen),
                _rejections, reports, verification, actions, focus) { CreditNotes = creditNotes };
        }

        private static OrderOut Out(OrderView o) => new(o.Id, o.Party, o.Side, o.State, o.Devices, o.DevicesFilled);
    }
}
