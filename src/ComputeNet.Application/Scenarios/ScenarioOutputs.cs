namespace ComputeNet.Application.Scenarios;

public sealed record OrderOut(string Id, string Party, string Side, string State, int Devices, int DevicesFilled);

public sealed record TradeOut(string Bid, string Offer, string Buyer, string Provider, string Cluster, string ResourceClass, int Devices,
    string From, string To, string Price, string ScuPerDevice, string Commitment);

public sealed record InvoiceLineOut(string Bid, string Offer, string Kind, bool Late, long AmountFen, long TaxFen, long VoucherFen, string? Voucher, long DueFen);

public sealed record InvoiceOut(string Period, string Buyer, IReadOnlyList<InvoiceLineOut> Lines, long AmountFen, long VoucherFen, long DueFen,
    string? Hash, string? PreviousHash);

public sealed record PartyStatementOut(string Party, long GrossFen, long FeeFen, long NetFen, string? Hash, string? PreviousHash);

public sealed record IssuerStatementOut(string Party, long RedeemedFen, long LapsedFen, IReadOnlyDictionary<string, long> Programmes, string? Hash, string? PreviousHash);

public sealed record RegionStatementOut(string Region, long ShareFen, string? Hash, string? PreviousHash);

public sealed record PeriodStatementsOut(string Period, IReadOnlyList<PartyStatementOut> Providers, IReadOnlyList<PartyStatementOut> Carriers,
    IReadOnlyList<IssuerStatementOut> Issuers, IReadOnlyList<RegionStatementOut> Regions, long PlatformFeeFen, string? MerkleRoot);

public sealed record LedgerOut(IReadOnlyDictionary<string, long> Balances, long TrialBalanceFen);

/// <summary>
/// One credit note in <c>creditNotes.json</c> (scenario-format.md, market-rules §14). <see cref="RefundId"/> and
/// <see cref="RefundFen"/> name the refund it started when the platform's policy of refunding credit notes is on (ADR 0032;
/// the demo's runs only, else null); they are not written, so the file keeps the format's keys.
/// </summary>
public sealed record CreditNoteOut(string Id, string Dispute, string Period, string Buyer, string Bid, string Offer, string Kind, bool Late, long AmountFen,
    long TaxFen, long VoucherFen, long DueFen, string? Hash, string? PreviousHash,
    [property: System.Text.Json.Serialization.JsonIgnore] string? RefundId, [property: System.Text.Json.Serialization.JsonIgnore] long? RefundFen);

public sealed record RejectionOut(int Index, string Type, string? Id, string Code, string Reason);

/// <summary>Everything a scenario run produced, as written to its output folder (scenario-format.md).</summary>
public sealed record ScenarioResult(
    string Name,
    string Schema,
    IReadOnlyList<OrderOut> Orders,
    IReadOnlyList<TradeOut> Trades,
    IReadOnlyList<InvoiceOut> Invoices,
    IReadOnlyList<PeriodStatementsOut> Statements,
    LedgerOut Ledger,
    IReadOnlyList<RejectionOut> Rejections,
    IReadOnlyList<Domain.Reports.MeteringReport> Reports,
    Domain.Audit.VerificationReport Verification,
    int Actions,
    Exports.ExportFocus.FocusDataset? Focus = null)
{
    /// <summary>Credit notes in the order issued (an empty array when there are none).</summary>
    public IReadOnlyList<CreditNoteOut> CreditNotes { get; init; } = [];

    public async Task WriteAsync(string folder, CancellationToken ct = default)
    {
        Directory.CreateDirectory(folder);
        await Write(folder, "orders.json", Orders, ct);
        await Write(folder, "trades.json", Trades, ct);
        await Write(folder, "invoices.json", Invoices, ct);
        await Write(folder, "statements.json", Statements, ct);
        await Write(folder, "ledger.json", Ledger, ct);
        await Write(folder, "rejections.json", Rejections, ct);
        await Write(folder, "reports.json", Reports, ct);
        await Write(folder, "verify.json", Verification, ct);
        await Write(folder, "creditNotes.json", CreditNotes, ct);
        if (Focus is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, FocusFile), Focus.Csv, new System.Text.UTF8Encoding(false), ct);
        }
    }

    /// <summary>The FOCUS 1.2 export of every closed period's invoice lines (docs/focus.md).</summary>
    public const string FocusFile = "focus.csv";

    private static async Task Write<T>(string folder, string name, T value, CancellationToken ct)
    {
        await using var file = File.Create(Path.Combine(folder, name));
        await System.Text.Json.JsonSerializer.SerializeAsync(file, value, ScenarioJson.Options, ct);
        await file.WriteAsync("\n"u8.ToArray(), ct);
    }
}
