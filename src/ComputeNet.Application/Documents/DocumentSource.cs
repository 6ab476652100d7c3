using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Metering;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Platform;
using ComputeNet.Application.ReferenceData;
using ComputeNet.Application.Settlement;
using ComputeNet.Application.Vouchers;
using ComputeNet.Documents;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Reference;
using ComputeNet.Domain.Settlement;
using Marten;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Application.Documents;

/// <summary>A rendered document: its id (see <see cref="DocumentIds"/>), whose it is, and the PDF.</summary>
public sealed record PdfFile(string Id, string Kind, string Party, string Period, string FileName, byte[] Content);

/// <summary>
/// Document ids, derived from what identifies an issued invoice or statement, so they need no stored counter:
/// an invoice is <c>{period}.{buyer}</c> (e.g. <c>2026-12-01.sme-sh-ai</c>), a statement
/// <c>{period}.{role}.{party}</c> (e.g. <c>2026-12-01.provider.prov-nx</c>). Period keys hold no '.', and roles are
/// fixed words, so the first dots split them unambiguously even though party ids may contain dots.
/// </summary>
public static class DocumentIds
{
    public static string Invoice(string period, string buyer) => $"{period}.{buyer}";

    public static string Statement(string period, string role, string party) => $"{period}.{role}.{party}";

    public static bool TryParseInvoice(string? id, out string period, out string buyer)
    {
        period = buyer = "";
        var dot = id?.IndexOf('.') ?? -1;
        if (dot <= 0 || dot == id!.Length - 1)
        {
            return false;
        }
        (period, buyer) = (id[..dot], id[(dot + 1)..]);
        return true;
    }

    public static bool TryParseStatement(string? id, out string period, out string role, out string party)
    {
        role = party = "";
        if (!TryParseInvoice(id, out period, out var rest) || !TryParseInvoice(rest, out role, out party))
        {
            return false;
        }
        return role is "provider" or "carrier";
    }
}

/// <summary>
/// Builds the read models the PDF renderer takes (<see cref="InvoiceModel"/>, <see cref="StatementModel"/>) from what a
/// close stored: the close's invoice, statement and period documents (one PDF reads its own document and, for a
/// statement, the invoices it earned on), the leases' terms (cluster, hub), parties' names,
/// voucher programmes, and the reference data's Chinese and English place names. Reads only; renders nothing itself.
/// </summary>
public sealed partial class DocumentSource(IDocumentStore store, PartyDirectory parties, PlatformService platform, ComputeNetSettings settings,
    AsyncReadModels readModels)
{
    /// <summary>Everything one closed period's documents need, loaded once.</summary>
    public sealed class PeriodContext
    {
        public required PeriodClosed Closed { get; init; }
        public required IReadOnlyList<InvoiceIssued> Invoices { get; init; }
        public required IReadOnlyList<StatementIssued> Statements { get; init; }
        public required IReadOnlyDictionary<string, Party> Parties { get; init; }
        public required IReadOnlyDictionary<string, LeaseTerms> Leases { get; init; }
        public required IReadOnlyDictionary<string, (string Kind, string Issuer, int CoverageBp)> Programmes { get; init; }
        public required Catalogue Catalogue { get; init; }
        public required DateTimeZone Zone { get; init; }
    }

    /// <summary>
    /// The closed periods' contexts with all their invoices and statements, in close order; one period's when
    /// <paramref name="period"/> is given (none if it is not closed).
    /// </summary>
    public async Task<IReadOnlyList<PeriodContext>> LoadAsync(string? period, CancellationToken ct)
    {
        await readModels.ReadyAsync(ct);
        await using var session = store.QuerySession();
        var periods = await SettlementReader.PeriodsAsync(session, period, ct);
        var result = new List<PeriodContext>();
        foreach (var p in periods)
        {
            var invoices = (await session.Query<InvoiceDocument>().Where(i => i.Period == p.Id).OrderBy(i => i.Seq).ToListAsync(ct)).Select(d => d.Invoice).ToList();
            var statements = (await session.Query<StatementDocument>().Where(s => s.Period == p.Id).OrderBy(s => s.Seq).ToListAsync(ct)).Select(d => d.Statement).ToList();
            result.Add(await ContextAsync(session, p.Closed, invoices, statements, ct));
        }
        return result;
    }

    /// <summary>One invoice and what its PDF needs (its period, leases, parties), or null if it was not issued.</summary>
    public Task<(PeriodContext Context, InvoiceIssued Invoice)?> LoadInvoiceAsync(string period, string buyer, CancellationToken ct) =>
        OneAsync(() => InvoiceAsync(period, buyer, ct), ct);

    /// <summary>
    /// A single document read gives read-your-writes: not found while a hosted daemon is behind, it waits for the daemon
    /// to project what was committed before the read and looks once more (<see cref="AsyncReadModels.WaitAsync"/>).
    /// </summary>
    private async Task<T?> OneAsync<T>(Func<Task<T?>> load, CancellationToken ct) where T : struct
    {
        await readModels.ReadyAsync(ct);
        if (await load() is { } found)
        {
            return found;
        }
        return readModels.Hosted && await readModels.WaitAsync(ct) ? await load() : null;
    }

    private async Task<(PeriodContext Context, InvoiceIssued Invoice)?> InvoiceAsync(string period, string buyer, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var doc = await session.LoadAsync<InvoiceDocument>(DocumentIds.Invoice(period, buyer), ct);
        var closed = doc is null ? null : await session.LoadAsync<PeriodDocument>(doc.Period, ct);
        if (doc is null || closed is null || doc.Period != period || doc.Buyer != buyer)
        {
            return null;
        }
        return (await ContextAsync(session, closed.Closed, [doc.Invoice], [], ct), doc.Invoice);
    }

    /// <summary>
    /// One statement and what its PDF needs: its period and the invoices it earned on (through
    /// <see cref="EarnerInvoiceDocument"/>, in invoice order), or null if it was not issued.
    /// </summary>
    public Task<(PeriodContext Context, StatementIssued Statement)?> LoadStatementAsync(string period, string role, string party, CancellationToken ct) =>
        OneAsync(() => StatementAsync(period, role, party, ct), ct);

    private async Task<(PeriodContext Context, StatementIssued Statement)?> StatementAsync(string period, string role, string party, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var id = DocumentIds.Statement(period, role, party);
        var doc = await session.LoadAsync<StatementDocument>(id, ct);
        var closed = doc is null ? null : await session.LoadAsync<PeriodDocument>(doc.Period, ct);
        if (doc is null || closed is null || doc.Period != period || doc.Role != role || doc.Party != party)
        {
            return null;
        }
        var links = await session.Query<EarnerInvoiceDocument>().Where(l => l.StatementId == id).OrderBy(l => l.Seq).ToListAsync(ct);
        var invoices = (await session.LoadManyAsync<InvoiceDocument>(ct, links.Select(l => l.InvoiceId))).OrderBy(i => i.Seq).Select(i => i.Invoice).ToList();
        return (await ContextAsync(session, closed.Closed, invoices, [doc.Statement], ct), doc.Statement);
    }

    private async Task<PeriodContext> ContextAsync(IQuerySession session, PeriodClosed closed, IReadOnlyList<InvoiceIssued> invoices,
        IReadOnlyList<StatementIssued> statements, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        var partyList = await parties.AllAsync(ct);
        var programmeIds = invoices.SelectMany(i => i.Lines).Where(l => l.Voucher is not null).Select(l => Vouchers.VoucherProjections.StreamOf(l.Voucher!))
            .Distinct(StringComparer.Ordinal).ToList();
        var programmes = programmeIds.Count == 0 ? new Dictionary<string, (string, string, int)>(StringComparer.Ordinal)
            : (await session.LoadManyAsync<Vouchers.ProgrammeDocument>(ct, programmeIds)).ToDictionary(p => p.ProgrammeId,
                p => (p.Terms.Kind, p.Terms.Issuer, p.Terms.CoverageBp), StringComparer.Ordinal);
        var leaseIds = invoices.SelectMany(i => i.Lines).Select(l => MartenSetup.Streams.Lease(l.LeaseId)).Distinct().ToList();
        var leases = leaseIds.Count == 0 ? new Dictionary<string, LeaseTerms>(StringComparer.Ordinal)
            : (await session.LoadManyAsync<LeaseDocument>(ct, leaseIds)).ToDictionary(d => d.LeaseId, d => d.Terms, StringComparer.Ordinal);
        return new PeriodContext
        {
            Closed = closed,
            Invoices = invoices,
            Statements = statements,
            Parties = partyList.ToDictionary(p => p.Id, StringComparer.Ordinal),
            Leases = leases,
            Programmes = programmes,
            Catalogue = view.Catalogue,
            Zone = view.Calendar.Zone,
        };
    }

    public PdfFile RenderInvoice(PeriodContext p, InvoiceIssued invoice)
    {
        var model = Invoice(p, invoice);
        return new PdfFile(model.Number, "invoice", invoice.Buyer, invoice.Period, $"invoice-{model.Number}.pdf", InvoicePdf.Render(model));
    }

    public PdfFile RenderStatement(PeriodContext p, StatementIssued statement)
    {
        var model = Statement(p, statement);
        return new PdfFile(model.Number, "statement", statement.Party, statement.Period, $"statement-{model.Number}.pdf", StatementPdf.Render(model));
    }

    public InvoiceModel Invoice(PeriodContext p, InvoiceIssued i)
    {
        var lines = i.Lines.Select(l => Line(p, l, p.Leases.GetValueOrDefault(l.LeaseId)?.Provider ?? l.Earner)).ToList();
        var vouchers = i.Lines.Where(l => l.Voucher is not null && l.VoucherFen != 0).GroupBy(l => l.Voucher!)
            .Select(g =>
            {
                var (kind, issuer, coverage) = p.Programmes.GetValueOrDefault(g.Key, ("compute", "", 0));
                return new VoucherPart(g.Key, kind, PartyName(p, issuer), coverage, g.Sum(l => l.VoucherFen));
            }).ToList();
        var (start, end) = Bounds(p);
        return new InvoiceModel(DocumentIds.Invoice(i.Period, i.Buyer), i.Period, start, end, p.Zone.Id, IssuedOn(p, i.At), Block(p, i.Buyer),
            lines, i.AmountFen, i.Lines.Sum(l => l.TaxFen), i.VoucherFen, i.DueFen, vouchers,
            new HashBlock(i.Hash ?? "", i.PreviousHash ?? Statements.Genesis, Statements.KeyOf(i), settings.Schema));
    }

    public StatementModel Statement(PeriodContext p, StatementIssued s)
    {
        // A statement's lines are the period's invoice lines this party earned on in this role, in invoice order.
        var lines = p.Invoices
            .SelectMany(i => i.Lines.Where(l => l.Earner == s.Party && l.EarnerRole == s.Role).Select(l => Line(p, l, i.Buyer)))
            .Select((l, n) => l with { LineNo = n + 1 })
            .ToList();
        var (start, end) = Bounds(p);
        return new StatementModel(DocumentIds.Statement(s.Period, s.Role, s.Party), s.Period, start, end, p.Zone.Id, IssuedOn(p, s.At),
            Block(p, s.Party), s.Role, lines, s.GrossFen, s.FeeFen, s.NetFen,
            new HashBlock(s.Hash ?? "", s.PreviousHash ?? Statements.Genesis, Statements.KeyOf(s), settings.Schema));
    }

    private static DocumentLine Line(PeriodContext p, InvoiceLine l, string counterparty)
    {
        var terms = p.Leases.GetValueOrDefault(l.LeaseId);
        var cluster = terms is null ? new BilingualName("?", null, null) : ClusterName(p, terms.Cluster);
        var hub = terms is null ? null : HubName(p, terms.Hub);
        return new DocumentLine(l.LineNo, l.LeaseId, l.Kind, l.Late, cluster, hub, PartyName(p, counterparty), terms?.ResourceClass,
            l.Quantity, l.Unit, l.UnitPriceYuan, l.AmountFen, l.TaxFen, l.VoucherFen, l.Voucher, l.DueFen, l.FeeFen);
    }

    private static BilingualName ClusterName(PeriodContext p, string id) =>
        new(id, p.Catalogue.Cluster(id)?.Name, ReferenceDataLoader.English.Clusters.GetValueOrDefault(id));

    private static BilingualName HubName(PeriodContext p, string id) =>
        new(id, p.Catalogue.Hub(id)?.Name, ReferenceDataLoader.English.Hubs.GetValueOrDefault(id));

    private static PartyBlock Block(PeriodContext p, string partyId)
    {
        var party = p.Parties.GetValueOrDefault(partyId);
        var city = party?.City is { } c ? new BilingualName(c, p.Catalogue.City(c)?.Name, ReferenceDataLoader.English.Cities.GetValueOrDefault(c)) : null;
        return new PartyBlock(PartyName(p, partyId), party is null ? [] : RoleSlugs.ToSlugs(party.Roles), city, party?.Sme ?? false);
    }

    private static BilingualName PartyName(PeriodContext p, string partyId) =>
        p.Parties.GetValueOrDefault(partyId) is { } party ? PartyNames.Of(party) : new BilingualName(partyId, null, null);

    private static (string Start, string End) Bounds(PeriodContext p)
    {
        var pattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm");
        return (pattern.Format(p.Closed.Start.InZone(p.Zone).LocalDateTime), pattern.Format(p.Closed.End.InZone(p.Zone).LocalDateTime));
    }

    private static string IssuedOn(PeriodContext p, Instant at) => LocalDatePattern.Iso.Format(at.InZone(p.Zone).Date);
}

/// <summary>A party's names for documents: its display name and, when registered, its second-language display name.</summary>
public static class PartyNames
{
    public static BilingualName Of(Party party)
    {
        if (party.DisplayNameEn is { Length: > 0 } english)
        {
            return new BilingualName(party.Id, string.IsNullOrWhiteSpace(party.DisplayName) ? null : party.DisplayName, english);
        }
        var (chinese, secondary) = Split(party.DisplayName);
        return new BilingualName(party.Id, chinese, secondary);
    }

    /// <summary>
    /// A display name registered as one string "中文名 English name" (as parties registered before names in two languages
    /// existed often were) is shown as its two parts; a name in one language stays whole.
    /// </summary>
    public static (string? Chinese, string? English) Split(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return (null, null);
        }
        var space = name.IndexOf(' ');
        if (space > 0 && HasCjk(name[..space]) && !HasCjk(name[(space + 1)..][..1]))
        {
            return (name[..space], name[(space + 1)..].Trim());
        }
        return HasCjk(name) ? (name, null) : (null, name);
    }

    private static bool HasCjk(string? s) => s is not null && s.EnumerateRunes().Any(r => r.Value >= 0x2E80);
}
