using ComputeNet.Application.Documents;
using ComputeNet.Application.Documents.GetInvoicePdf;
using ComputeNet.Application.Documents.GetStatementPdf;
using ComputeNet.Application.Documents.RenderDocuments;
using ComputeNet.Application.Exports.ExportFocus;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Metering;
using ComputeNet.Application.Metering.ListUsage;
using ComputeNet.Application.Scenarios;
using ComputeNet.Application.Settlement;
using ComputeNet.Application.Settlement.GetInvoices;
using ComputeNet.Application.Settlement.GetStatements;
using ComputeNet.Application.Vouchers.GetClaims;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// The read models of issue 12 (settlement documents, usage rows) against what the reads gave before them: the demo day
/// is run once, then every list is compared with the same list computed the old way, straight from the events (the
/// period streams, the voucher stream, every usage batch), whole and page by page, per party and for everyone. Then the
/// read models are deleted, as in a schema written before they existed, and rebuilt on start from the events.
/// PDF bytes carry their creation time, so PDFs are compared by the model the renderer takes.
/// </summary>
public sealed class ReadModelTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestPlatform _p = null!;
    private ScenarioResult _demo = null!;

    public async ValueTask InitializeAsync()
    {
        var cs = await TestDatabase.ConnectionStringAsync();
        var json = await File.ReadAllTextAsync(TestDatabase.ScenarioPath("demo-market-day.json"), Ct);
        _demo = await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(cs, KeepSchema: true, SigningKeyPath: TestDatabase.SigningKeyPath), Ct);
        _p = await TestPlatform.StartAsync(Market.Dec8, _demo.Schema);
    }

    public async ValueTask DisposeAsync() => await _p.DisposeAsync();

    private string Json(object value) => _p.Store.Options.Serializer().ToJson(value);

    private void AssertSame<T>(IEnumerable<T> expected, IEnumerable<T> actual) =>
        Assert.Equal(expected.Select(x => Json(x!)).ToList(), actual.Select(x => Json(x!)).ToList());

    // ---- the old reads, from the events ----

    private async Task<IReadOnlyList<IReadOnlyList<IEvent>>> OldPeriodsAsync()
    {
        await using var session = _p.Store.QuerySession();
        var closed = await session.Query<ClosedPeriodView>().ToListAsync(Ct);
        var streams = new List<IReadOnlyList<IEvent>>();
        foreach (var c in closed)
        {
            streams.Add(await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(c.Id), token: Ct));
        }
        return streams.OrderBy(s => s[0].Sequence).ToList();
    }

    private async Task<List<InvoiceIssued>> OldInvoicesAsync(string? buyer = null) =>
        (await OldPeriodsAsync()).SelectMany(s => s.Select(e => e.Data).OfType<InvoiceIssued>()).Where(i => buyer is null || i.Buyer == buyer).ToList();

    private async Task<List<UsageRecorded>> OldUsageAsync()
    {
        await using var session = _p.Store.QuerySession();
        var batches = await session.Events.QueryRawEventDataOnly<UsageBatchRecorded>().ToListAsync(Ct);
        return batches.SelectMany(b => b.Records)
            .OrderBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.LeaseId, StringComparer.Ordinal).ThenBy(r => r.From).ToList();
    }

    private async Task<List<PeriodStatements>> OldStatementsAsync() =>
        (await OldPeriodsAsync()).Select(s =>
        {
            var statements = s.Select(e => e.Data).OfType<StatementIssued>().ToList();
            var closed = (PeriodClosed)s[0].Data;
            return new PeriodStatements(closed.Period, statements.Where(x => x.Role == "provider").ToList(), statements.Where(x => x.Role == "carrier").ToList(),
                s.Select(e => e.Data).OfType<IssuerClaimIssued>().ToList(), s.Select(e => e.Data).OfType<RegionShareIssued>().ToList(), closed.PlatformFeeFen, closed.MerkleRoot);
        }).ToList();

    private async Task<List<ClaimView>> OldClaimsAsync(string? issuer)
    {
        await using var session = _p.Store.QuerySession();
        // Every voucher event of every programme stream, in the order they were appended.
        var voucherEvents = (await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync(Ct))
            .Where(e => e.StreamKey!.StartsWith("programme:", StringComparison.Ordinal)).Select(e => e.Data).ToList();
        var book = new VoucherBook();
        voucherEvents.ForEach(book.Evolve);
        var redeemedByPeriod = voucherEvents.OfType<VoucherRedeemed>().ToLookup(r => r.Period);
        var result = new List<ClaimView>();
        foreach (var stream in await OldPeriodsAsync())
        {
            var period = ((PeriodClosed)stream[0].Data).Period;
            var lines = stream.Select(e => e.Data).OfType<InvoiceIssued>().SelectMany(i => i.Lines).ToList();
            var redemptions = redeemedByPeriod[period].ToList();
            var usage = (await MeteringService.ReceivedByAsync(session, period, Ct)).ToLookup(u => u.LeaseId);
            var leases = (await session.LoadManyAsync<LeaseDocument>(Ct, redemptions.Select(r => MartenSetup.Streams.Lease(r.LeaseId)).Distinct()))
                .ToDictionary(l => l.LeaseId, l => l.Terms);
            foreach (var claim in stream.Select(e => e.Data).OfType<IssuerClaimIssued>().Where(c => issuer is null || c.Issuer == issuer))
            {
                var items = redemptions.Where(r => book.Programme(r.ProgrammeId)?.Terms.Issuer == claim.Issuer).Select(r =>
                {
                    var line = lines.Single(l => l.LeaseId == r.LeaseId && l.Kind == r.LineKind && l.Late == r.Late);
                    var records = usage[r.LeaseId].Where(u => u.Late == r.Late && (r.LineKind != LineKinds.Transport || u.TransferGb > 0)).ToList();
                    return new ClaimItem(r.GrantId, r.ProgrammeId, r.Buyer, r.AmountFen, line, leases[r.LeaseId], records);
                }).ToList();
                result.Add(new ClaimView(period, claim.Issuer, claim.RedeemedFen, claim.LapsedFen, claim.Programmes, items));
            }
        }
        return result;
    }

    /// <summary>Every page of <paramref name="read"/> at <paramref name="limit"/>, concatenated; each page at most the limit.</summary>
    private static async Task<List<T>> AllPagesAsync<T>(int limit, Func<int, int, Task<IReadOnlyList<T>>> read)
    {
        var all = new List<T>();
        for (var offset = 0; ; offset += limit)
        {
            var page = await read(offset, limit);
            Assert.True(page.Count <= limit);
            all.AddRange(page);
            if (page.Count < limit)
            {
                return all;
            }
        }
    }

    // ---- the tests ----

    [Fact]
    public async Task Invoices_equal_the_old_read_for_everyone_and_each_buyer_whole_and_page_by_page()
    {
        var old = await OldInvoicesAsync();
        Assert.Equal(4, old.Count);
        AssertSame(old, await _p.Sender.Send(new GetInvoicesRequest(), Ct));
        AssertSame(old, await _p.Sender.Send(new GetInvoicesRequest(Period: "2026-12-01"), Ct));
        Assert.Empty(await _p.Sender.Send(new GetInvoicesRequest(Period: "2026-12-02"), Ct));
        foreach (var limit in new[] { 1, 2, 3, 5 })
        {
            AssertSame(old, await AllPagesAsync(limit, async (o, l) => await _p.Sender.Send(new GetInvoicesRequest(Offset: o, Limit: l), Ct)));
        }
        foreach (var buyer in old.Select(i => i.Buyer).Distinct())
        {
            var mine = await _p.Sender.Send(new GetInvoicesRequest(Buyer: buyer), Ct);
            Assert.All(mine, i => Assert.Equal(buyer, i.Buyer));
            AssertSame(await OldInvoicesAsync(buyer), mine);
        }
        Assert.Empty(await _p.Sender.Send(new GetInvoicesRequest(Buyer: "prov-nx"), Ct));
        // The scenario's own output was written by the new read: the same invoices, in the same order.
        Assert.Equal(old.Select(i => (i.Period, i.Buyer, i.Hash)), _demo.Invoices.Select(i => (i.Period, i.Buyer, i.Hash)));
    }

    [Fact]
    public async Task Statements_equal_the_old_read_and_a_party_sees_only_its_own()
    {
        var old = await OldStatementsAsync();
        AssertSame(old, await _p.Sender.Send(new GetStatementsRequest(), Ct));
        AssertSame(old, await _p.Sender.Send(new GetStatementsRequest(Period: "2026-12-01", Offset: 0, Limit: 1), Ct));
        Assert.Empty(await _p.Sender.Send(new GetStatementsRequest(Offset: 1, Limit: 1), Ct));

        var parties = old.SelectMany(p => p.Providers.Concat(p.Carriers).Select(s => s.Party).Concat(p.Issuers.Select(i => i.Issuer))).Distinct().ToList();
        Assert.True(parties.Count >= 4);
        foreach (var party in parties)
        {
            // What the API used to filter in memory for a party's key.
            var expected = old.Select(p => p with
            {
                Providers = p.Providers.Where(s => s.Party == party).ToList(),
                Carriers = p.Carriers.Where(s => s.Party == party).ToList(),
                Issuers = p.Issuers.Where(s => s.Issuer == party).ToList(),
                Regions = [],
                PlatformFeeFen = 0,
            }).Where(p => p.Providers.Count + p.Carriers.Count + p.Issuers.Count > 0).ToList();
            AssertSame(expected, await _p.Sender.Send(new GetStatementsRequest(Party: party), Ct));
        }
        Assert.Empty(await _p.Sender.Send(new GetStatementsRequest(Party: "sme-sh-ai"), Ct));
    }

    [Fact]
    public async Task Claims_equal_the_old_read_for_everyone_and_each_issuer_whole_and_page_by_page()
    {
        var old = await OldClaimsAsync(null);
        Assert.NotEmpty(old);
        Assert.Contains(old, c => c.Items.Count > 0);
        AssertSame(old, await _p.Sender.Send(new GetClaimsRequest(), Ct));
        AssertSame(old, await AllPagesAsync(1, async (o, l) => await _p.Sender.Send(new GetClaimsRequest(Offset: o, Limit: l), Ct)));
        foreach (var issuer in old.Select(c => c.Issuer).Distinct())
        {
            var mine = await _p.Sender.Send(new GetClaimsRequest(Issuer: issuer), Ct);
            Assert.All(mine, c => Assert.Equal(issuer, c.Issuer));
            AssertSame(await OldClaimsAsync(issuer), mine);
            AssertSame(mine, await _p.Sender.Send(new GetClaimsRequest(Issuer: issuer, Period: "2026-12-01"), Ct));
        }
        Assert.Empty(await _p.Sender.Send(new GetClaimsRequest(Period: "2026-12-02"), Ct));
    }

    [Fact]
    public async Task Programme_reports_page_and_keep_their_subsidised_compute()
    {
        var all = await _p.Sender.Send(new GetProgrammeReportRequest(), Ct);
        Assert.Equal(2, all.Count);
        Assert.Contains(all, r => r.ScuHoursSubsidised > 0);
        AssertSame(all, await AllPagesAsync(1, async (o, l) => await _p.Sender.Send(new GetProgrammeReportRequest(Offset: o, Limit: l), Ct)));
        foreach (var report in all)
        {
            AssertSame([report], await _p.Sender.Send(new GetProgrammeReportRequest(Issuer: report.Programme.Issuer), Ct));
        }
    }

    [Fact]
    public async Task Usage_pages_in_the_database_in_the_old_order_for_everyone_each_provider_and_each_lease()
    {
        var old = await OldUsageAsync();
        Assert.True(old.Count >= 5);
        AssertSame(old, await _p.Sender.Send(new ListUsageRequest(Limit: 1000), Ct));
        foreach (var limit in new[] { 1, 2, 3 })
        {
            AssertSame(old, await AllPagesAsync(limit, async (o, l) => await _p.Sender.Send(new ListUsageRequest(Offset: o, Limit: l), Ct)));
        }
        foreach (var provider in old.Select(r => r.Provider).Distinct())
        {
            var mine = await AllPagesAsync(2, async (o, l) => await _p.Sender.Send(new ListUsageRequest(Provider: provider, Offset: o, Limit: l), Ct));
            AssertSame(old.Where(r => r.Provider == provider), mine);
        }
        foreach (var lease in old.Select(r => r.LeaseId).Distinct())
        {
            AssertSame(old.Where(r => r.LeaseId == lease), await _p.Sender.Send(new ListUsageRequest(LeaseId: lease), Ct));
            var provider = old.First(r => r.LeaseId == lease).Provider;
            AssertSame(old.Where(r => r.LeaseId == lease), await _p.Sender.Send(new ListUsageRequest(Provider: provider, LeaseId: lease), Ct));
            Assert.Empty(await _p.Sender.Send(new ListUsageRequest(Provider: "someone-else", LeaseId: lease), Ct));
        }
    }

    [Fact]
    public async Task Focus_of_one_period_and_one_buyer_is_that_buyers_rows_of_the_whole_export()
    {
        var whole = (await _p.Sender.Send(new ExportFocusRequest("2026-12-01"), Ct)).Rows;
        Assert.Equal(Assert.IsType<FocusDataset>(_demo.Focus).Csv, (await _p.Sender.Send(new ExportFocusRequest(null), Ct)).Csv);
        Assert.Equal(15, whole.Count);   // 10 invoice lines, 4 voucher parts, 1 unused part of the reservation
        foreach (var buyer in _demo.Invoices.Select(i => i.Buyer))
        {
            var mine = (await _p.Sender.Send(new ExportFocusRequest("2026-12-01", buyer), Ct)).Rows;
            Assert.Equal(whole.Where(r => r.BillingAccountId == buyer), mine);
        }
    }

    [Fact]
    public async Task A_pdf_reads_its_own_document_and_renders_the_same_model_as_from_the_period_stream()
    {
        // The old source of every PDF: the whole period stream, every lease of its invoices.
        var source = _p.Services.GetRequiredService<DocumentSource>();
        var stream = Assert.Single(await OldPeriodsAsync());
        var invoices = stream.Select(e => e.Data).OfType<InvoiceIssued>().ToList();
        var statements = stream.Select(e => e.Data).OfType<StatementIssued>().ToList();
        var fresh = Assert.Single(await source.LoadAsync("2026-12-01", Ct));
        await using var session = _p.Store.QuerySession();
        var leases = (await session.LoadManyAsync<LeaseDocument>(Ct, invoices.SelectMany(i => i.Lines).Select(l => MartenSetup.Streams.Lease(l.LeaseId)).Distinct()))
            .ToDictionary(d => d.LeaseId, d => d.Terms, StringComparer.Ordinal);
        var old = new DocumentSource.PeriodContext
        {
            Closed = (PeriodClosed)stream[0].Data, Invoices = invoices, Statements = statements, Parties = fresh.Parties, Leases = leases,
            Programmes = fresh.Programmes, Catalogue = fresh.Catalogue, Zone = fresh.Zone,
        };
        Assert.Equal(4, invoices.Count);
        foreach (var invoice in invoices)
        {
            var one = await source.LoadInvoiceAsync(invoice.Period, invoice.Buyer, Ct);
            Assert.NotNull(one);
            Assert.Equal(Json(source.Invoice(old, invoice)), Json(source.Invoice(one.Value.Context, one.Value.Invoice)));
            Assert.Equal(Json(source.Invoice(old, invoice)), Json(source.Invoice(fresh, invoice)));
            var pdf = await _p.Sender.Send(new GetInvoicePdfRequest(DocumentIds.Invoice(invoice.Period, invoice.Buyer)), Ct);
            Assert.Equal($"invoice-{invoice.Period}.{invoice.Buyer}.pdf", pdf!.FileName);
            Assert.Null(await _p.Sender.Send(new GetInvoicePdfRequest(DocumentIds.Invoice(invoice.Period, invoice.Buyer), OnlyBuyer: "someone-else"), Ct));
        }
        Assert.True(statements.Count >= 6);
        foreach (var statement in statements)
        {
            var one = await source.LoadStatementAsync(statement.Period, statement.Role, statement.Party, Ct);
            Assert.NotNull(one);
            Assert.Equal(Json(source.Statement(old, statement)), Json(source.Statement(one.Value.Context, one.Value.Statement)));
            var id = DocumentIds.Statement(statement.Period, statement.Role, statement.Party);
            Assert.NotNull(await _p.Sender.Send(new GetStatementPdfRequest(id), Ct));
            Assert.Null(await _p.Sender.Send(new GetStatementPdfRequest(id, OnlyParty: "someone-else"), Ct));
        }
        // Besides invoices and statements: each issuer's claim and each region's revenue-share statement of the period.
        var claims = stream.Select(e => e.Data).OfType<IssuerClaimIssued>().ToList();
        var regions = stream.Select(e => e.Data).OfType<RegionShareIssued>().ToList();
        var rendered = await _p.Sender.Send(new RenderDocumentsRequest("2026-12-01"), Ct);
        Assert.Equal(invoices.Count + statements.Count + claims.Count + regions.Count, rendered.Count);
        Assert.Equal(claims.Select(c => $"claim-2026-12-01.issuer.{c.Issuer}.pdf").Concat(regions.Select(r => $"region-2026-12-01.region.{r.Region}.pdf")),
            rendered.Skip(invoices.Count + statements.Count).Select(f => f.FileName));
        Assert.Null(await _p.Sender.Send(new GetInvoicePdfRequest("2026-12-02.sme-sh-ai"), Ct));
        Assert.Null(await _p.Sender.Send(new GetStatementPdfRequest("2026-12-01.carrier.prov-nx"), Ct));
    }

    [Fact]
    public async Task A_schema_without_the_read_models_is_rebuilt_from_the_events_on_start()
    {
        var invoices = Json(await _p.Sender.Send(new GetInvoicesRequest(), Ct));
        var statements = Json(await _p.Sender.Send(new GetStatementsRequest(), Ct));
        var claims = Json(await _p.Sender.Send(new GetClaimsRequest(), Ct));
        var usage = Json(await _p.Sender.Send(new ListUsageRequest(Limit: 1000), Ct));
        var focus = (await _p.Sender.Send(new ExportFocusRequest(null), Ct)).Csv;

        // As a schema written by the previous version: events, no settlement documents, no usage rows.
        foreach (var table in new[] { "mt_doc_invoicedocument", "mt_doc_statementdocument", "mt_doc_issuerclaimdocument", "mt_doc_regionsharedocument",
                     "mt_doc_perioddocument", "mt_doc_redemptiondocument", "mt_doc_subsidisedlinedocument", "mt_doc_earnerinvoicedocument", UsageRecordTable.Name })
        {
            await using var connection = new Npgsql.NpgsqlConnection(_p.ConnectionString);
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = $"delete from {_p.Schema}.{table}";
            await command.ExecuteNonQueryAsync(Ct);
        }
        Assert.Empty(await _p.Sender.Send(new GetInvoicesRequest(), Ct));

        await using var restarted = await _p.SecondProcessAsync();
        Assert.Equal(invoices, Json(await restarted.Sender.Send(new GetInvoicesRequest(), Ct)));
        Assert.Equal(statements, Json(await restarted.Sender.Send(new GetStatementsRequest(), Ct)));
        Assert.Equal(claims, Json(await restarted.Sender.Send(new GetClaimsRequest(), Ct)));
        Assert.Equal(usage, Json(await restarted.Sender.Send(new ListUsageRequest(Limit: 1000), Ct)));
        Assert.Equal(focus, (await restarted.Sender.Send(new ExportFocusRequest(null), Ct)).Csv);

        // Nothing is missing any more: a second start rebuilds nothing, and a forced rebuild changes nothing.
        Assert.False(await SettlementReadModels.EnsureAsync(restarted.Store, force: false, null, Ct));
        await SettlementReadModels.EnsureAsync(restarted.Store, force: true, null, Ct);
        Assert.Equal(usage, Json(await restarted.Sender.Send(new ListUsageRequest(Limit: 1000), Ct)));
        Assert.Equal(invoices, Json(await restarted.Sender.Send(new GetInvoicesRequest(), Ct)));
    }

    [Fact]
    public async Task A_schema_written_by_the_previous_version_gets_its_async_read_models_rebuilt_in_event_order_on_start()
    {
        var invoices = Json(await _p.Sender.Send(new GetInvoicesRequest(), Ct));
        var statements = Json(await _p.Sender.Send(new GetStatementsRequest(), Ct));
        var claims = Json(await _p.Sender.Send(new GetClaimsRequest(), Ct));
        Assert.NotEqual("[]", invoices);

        // As the previous version left it: marker 2, the listed documents written inline and ordered by a number of its own
        // (here reversed, so that a list not rebuilt would come out in the wrong order), and a progression row for the
        // projection at the end of the events (its rebuilds left one), so the daemon alone would redo nothing.
        var readModels = _p.Services.GetRequiredService<AsyncReadModels>();
        // The settlement documents' shard (the portal's totals, issue 14, are async projections of their own, not tampered with).
        var shard = Assert.Single(readModels.ShardNames, n => n.Contains("SettlementDocumentsProjection", StringComparison.Ordinal));
        await _p.TamperAsync("update {schema}.mt_doc_settlementreadmodels_marker set data = jsonb_set(data, '{version}', '2')");
        foreach (var table in new[] { "mt_doc_invoicedocument", "mt_doc_statementdocument", "mt_doc_issuerclaimdocument", "mt_doc_perioddocument" })
        {
            await _p.TamperAsync($"update {{schema}}.{table} set data = jsonb_set(data, '{{seq}}', to_jsonb(-(data->>'seq')::bigint))");
        }
        await _p.TamperAsync($"update {{schema}}.mt_event_progression set last_seq_id = (select max(seq_id) from {{schema}}.mt_events) where name = '{shard}'");
        Assert.NotEqual(invoices, Json(await _p.Sender.Send(new GetInvoicesRequest(), Ct)));

        await using var restarted = await _p.SecondProcessAsync();
        Assert.Equal(invoices, Json(await restarted.Sender.Send(new GetInvoicesRequest(), Ct)));
        Assert.Equal(statements, Json(await restarted.Sender.Send(new GetStatementsRequest(), Ct)));
        Assert.Equal(claims, Json(await restarted.Sender.Send(new GetClaimsRequest(), Ct)));
        Assert.False(await SettlementReadModels.EnsureAsync(restarted.Store, force: false, null, Ct));
        Assert.Equal(await readModels.HighestSequenceAsync(Ct), await readModels.LowestProgressAsync(Ct));
    }
}
