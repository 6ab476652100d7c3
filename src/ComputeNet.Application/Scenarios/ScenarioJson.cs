using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using ComputeNet.Domain;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Application.Scenarios;

/// <summary>The scenario file is malformed as a whole (not JSON, no actions array, …): nothing was run.</summary>
public sealed class ScenarioFormatException(string message) : Exception(message);

/// <summary>
/// Reads the fields of one scenario entry. A missing or malformed field is an `invalid` rejection naming it;
/// decimals may be strings (as the format asks) or JSON numbers.
/// </summary>
internal readonly struct Fields(JsonElement e)
{
    public JsonElement Element => e;

    public bool Has(string name) => e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public string? OptStr(string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? Text(v, name) : null;

    /// <summary>
    /// A JSON string as text. An escaped lone surrogate (<c>"\ud800"</c>) is not valid Unicode: `invalid` naming the field
    /// (market-rules §6), where System.Text.Json would throw an InvalidOperationException.
    /// </summary>
    public static string Text(JsonElement v, string name)
    {
        try
        {
            return v.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Bad(name, "valid Unicode text (a lone surrogate is not)");
        }
    }

    public string Str(string name) => OptStr(name) ?? throw Bad(name, "a string");

    public int Int(string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw Bad(name, "a whole number");

    public long Long(string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i : throw Bad(name, "a whole number");

    public bool Bool(string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Bad(name, "true or false");

    public decimal Dec(string name)
    {
        if (e.TryGetProperty(name, out var v))
        {
            if (v.ValueKind == JsonValueKind.String && decimal.TryParse(Text(v, name), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
            {
                return d;
            }
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out d))
            {
                return d;
            }
        }
        throw Bad(name, "a decimal string");
    }

    public Instant Time(string name)
    {
        var s = OptStr(name) ?? throw Bad(name, "an ISO-8601 time with offset");
        var parsed = OffsetDateTimePattern.ExtendedIso.Parse(s);
        return parsed.Success ? parsed.Value.ToInstant() : throw Bad(name, "an ISO-8601 time with offset");
    }

    public IReadOnlyList<string> Strings(string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
        {
            throw Bad(name, "a list of strings");
        }
        return v.EnumerateArray().Select(x => Text(x, name)).ToList();
    }

    private static RejectedException Bad(string name, string what) => RejectedException.Of(Codes.Invalid, $"'{name}' must be {what}", name);
}

/// <summary>How scenario outputs are written: camelCase, indented, CJK kept readable, decimals as strings, times with offset.</summary>
public static class ScenarioJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new DecimalAsStringConverter() },
    };

    /// <summary>Scenario outputs write decimals as strings, compared by value (scenario-format.md).</summary>
    private sealed class DecimalAsStringConverter : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? decimal.Parse(reader.GetString()!, CultureInfo.InvariantCulture) : reader.GetDecimal();

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }

    private static readonly OffsetDateTimePattern TimePattern =
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss;FFFFFFFFFo<+HH:mm>");

    public static string Time(Instant t, DateTimeZone zone) => TimePattern.Format(t.InZone(zone).ToOffsetDateTime());

    public static string Dec(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
