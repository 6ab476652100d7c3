using System.Globalization;
using System.Text;
using System.Text.Json;
using ComputeNet.Application.Metering.RecordUsageBatch;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Portal.Provider;

/// <summary>
/// The API's own reading of a CloudEvents body (POST /v1/usage/cloudevents), handed to the portal by the host (as
/// <see cref="Sessions.IPortalKeys"/> is), so an uploaded CloudEvents file becomes exactly the usage lines the API would make of it.
/// </summary>
public interface IPortalCloudEvents
{
    /// <summary>One line per event (a single event or an array of them); an event that is not a usage event of <paramref name="provider"/> becomes a malformed line.</summary>
    IReadOnlyList<UsageLine> Lines(JsonElement root, string provider);
}

/// <summary>The limits of a usage upload: those of the API's usage batches.</summary>
public static class UsageFiles
{
    /// <summary>A file is at most the API's usage body limit (8 MiB, MeteringEndpoints.MaxBatchBodyBytes; a test keeps them equal).</summary>
    public const long MaxBytes = 8 * 1024 * 1024;

    /// <summary>The upload's request may carry the file, the form's fields and the multipart framing.</summary>
    public const long MaxRequestBytes = MaxBytes + 64 * 1024;

    /// <summary>At most the records of one API batch (10,000).</summary>
    public const int MaxRecords = Domain.Metering.ProviderUsage.MaxBatch;
}

/// <summary>
/// Usage records as CSV (RFC 4180: comma-separated, double quotes around a field holding a comma, quote or line break, a quote
/// doubled inside one). The first line names the columns, the JSON batch's field names: <c>id</c>, <c>lease</c>, <c>from</c>,
/// <c>to</c>, <c>deviceSeconds</c> (required) and <c>energyKwh</c>, <c>greenKwh</c>, <c>transferGb</c> (optional, 0 when empty),
/// in any order. Times are ISO 8601 with an offset (<c>2026-12-01T00:00:00+08:00</c> or <c>…Z</c>), numbers use a dot.
/// A row that cannot be read becomes a malformed line (the batch refuses it as <c>invalid</c> with the reason, the others go on),
/// as the API does with a CloudEvent it cannot read.
/// </summary>
public static class UsageCsv
{
    public static readonly IReadOnlyList<string> Columns = ["id", "lease", "from", "to", "deviceSeconds", "energyKwh", "greenKwh", "transferGb"];
    public static readonly IReadOnlyList<string> RequiredColumns = ["id", "lease", "from", "to", "deviceSeconds"];

    /// <summary>
    /// The lines read, with the file line number each starts on (for the result table), or why the file as a whole cannot be
    /// read (no header, an unknown, missing or repeated column, more rows than one batch holds).
    /// </summary>
    public sealed record Parsed(IReadOnlyList<UsageLine> Lines, IReadOnlyList<int> LineNumbers, string? Error);

    private static readonly OffsetDateTimePattern Time = OffsetDateTimePattern.ExtendedIso;

    public static Parsed Parse(string text, int maxRecords = UsageFiles.MaxRecords)
    {
        var rows = Rows(text).Where(r => !(r.Fields.Count == 1 && r.Fields[0].Length == 0)).GetEnumerator();
        if (!rows.MoveNext())
        {
            return new Parsed([], [], "the file is empty: the first line names the columns (" + string.Join(',', Columns) + ")");
        }
        var header = rows.Current.Fields.Select(f => f.Trim()).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            var name = Columns.FirstOrDefault(c => string.Equals(c, header[i], StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                return new Parsed([], [], $"unknown column '{header[i]}' in the first line; the columns are {string.Join(',', Columns)}");
            }
            if (!index.TryAdd(name, i))
            {
                return new Parsed([], [], $"column '{name}' is named twice in the first line");
            }
        }
        if (RequiredColumns.FirstOrDefault(c => !index.ContainsKey(c)) is { } missing)
        {
            return new Parsed([], [], $"column '{missing}' is missing from the first line; required: {string.Join(',', RequiredColumns)}");
        }
        var lines = new List<UsageLine>();
        var numbers = new List<int>();
        while (rows.MoveNext())
        {
            if (lines.Count == maxRecords)
            {
                return new Parsed([], [], $"the file holds more than {maxRecords} records, the most one batch takes: split it");
            }
            var (lineNo, fields) = rows.Current;
            lines.Add(Line(fields, header.Count, index));
            numbers.Add(lineNo);
        }
        if (lines.Count == 0)
        {
            return new Parsed([], [], "the file holds no record after the header line");
        }
        return new Parsed(lines, numbers, null);
    }

    private static UsageLine Line(IReadOnlyList<string> fields, int columns, Dictionary<string, int> index)
    {
        string? Field(string name) => index.TryGetValue(name, out var i) && i < fields.Count ? fields[i].Trim() : null;
        var id = Field("id") is { Length: > 0 } text ? text : null;
        UsageLine Bad(string why) => new(id, null, null, null, null, 0, 0, 0, why);
        if (fields.Count != columns)
        {
            return Bad($"the line has {fields.Count} fields, the header {columns}");
        }
        try
        {
            return new UsageLine(id, Field("lease") is { Length: > 0 } lease ? lease : null, Instant("from", Field("from")), Instant("to", Field("to")),
                Whole("deviceSeconds", Field("deviceSeconds")), Decimal("energyKwh", Field("energyKwh")), Decimal("greenKwh", Field("greenKwh")),
                Decimal("transferGb", Field("transferGb")));
        }
        catch (FormatException e)
        {
            return Bad(e.Message);
        }
    }

    private static Instant? Instant(string column, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        var parsed = Time.Parse(text);
        return parsed.Success ? parsed.Value.ToInstant()
            : throw new FormatException($"{column}: '{text}' is not an ISO 8601 time with an offset (e.g. 2026-12-01T00:00:00+08:00)");
    }

    private static long? Whole(string column, string? text) =>
        string.IsNullOrEmpty(text) ? null
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw new FormatException($"{column}: '{text}' is not a whole number");

    private static decimal Decimal(string column, string? text) =>
        string.IsNullOrEmpty(text) ? 0
        : decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value
        : throw new FormatException($"{column}: '{text}' is not a number (use a dot: 420.5)");

    /// <summary>The records of RFC 4180 text with the line each starts on (1-based); a byte-order mark is skipped, CRLF and LF both end a record.</summary>
    internal static IEnumerable<(int LineNo, IReadOnlyList<string> Fields)> Rows(string text)
    {
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var line = 1;
        while (i < text.Length)
        {
            var start = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            var ended = false;
            while (i < text.Length && !ended)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }
                    if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        if (c == '\n')
                        {
                            line++;
                        }
                        field.Append(c);
                    }
                    i++;
                    continue;
                }
                switch (c)
                {
                    case '"' when field.Length == 0:
                        quoted = true;
                        break;
                    case ',':
                        fields.Add(field.ToString());
                        field.Clear();
                        break;
                    case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                        break;
                    case '\n':
                        line++;
                        ended = true;
                        break;
                    default:
                        field.Append(c);
                        break;
                }
                i++;
            }
            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }
}
