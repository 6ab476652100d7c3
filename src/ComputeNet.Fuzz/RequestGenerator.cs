using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace ComputeNet.Fuzz;

/// <summary>
/// What the fuzzer knows of the platform it targets: the seed parties per role and the ids and names that exist
/// (orders, leases, periods, reference data…), by the parameter or property name that carries them. Realistic values
/// get requests past the first checks into the use cases; the hostile ones (<see cref="FuzzValues"/>) test the edges.
/// </summary>
public sealed class FuzzWorld
{
    public required IReadOnlyDictionary<string, string> PartyOfRole { get; init; }
    /// <summary>Known values by lower-case name ("orderid", "lease", "cluster"…).</summary>
    public required IReadOnlyDictionary<string, string[]> Known { get; init; }
    /// <summary>The start of the seed trading window: generated times cluster around it.</summary>
    public required DateTimeOffset Around { get; init; }
}

/// <summary>
/// CsCheck generators of requests, from the OpenAPI document: every operation (path + method), every caller (each
/// role, no key, unknown and malformed keys), parameters and bodies from the operation's schemas with realistic,
/// boundary and hostile values, wrong types, missing and extra fields, huge and deeply nested bodies, bad encodings
/// and wrong content types.
/// </summary>
public sealed class RequestGenerator(ApiOperations api, FuzzWorld world)
{
    public static readonly string[] Roles = ["operator", "buyer", "provider", "carrier", "issuer", "regulator"];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH"];

    public Gen<FuzzRequest> Requests() => Gen.OneOf(api.All.ToArray()).SelectMany(ForOperation);

    public Gen<FuzzRequest> ForOperation(ApiOperation op) =>
        Gen.Select(Caller(op), Method(op), Path(op), Query(op), Body(op), Headers(op),
            (caller, method, path, query, body, headers) => new FuzzRequest(op.Name, caller.Caller, caller.Raw, method,
                query.Length == 0 ? path : path + "?" + query, body.ContentType, body.Bytes, headers));

    /// <summary>
    /// Callers: mostly a role the operation's summary names (so that requests get past the role check into the use
    /// case), else any role (403s), no key, unknown keys and malformed Authorization headers.
    /// </summary>
    private static Gen<(string Caller, string? Raw)> Caller(ApiOperation op)
    {
        var named = op.RolesNamed(Roles).ToArray();
        var anyRole = Gen.OneOf(Roles).Select(r => (r, (string?)null));
        return named.Length == 0 ? Callers(anyRole, anyRole) : Callers(Gen.OneOf(named).Select(r => (r, (string?)null)), anyRole);
    }

    private static Gen<(string Caller, string? Raw)> Callers(Gen<(string, string?)> named, Gen<(string, string?)> anyRole) => Gen.Frequency(
        (25, named),
        (15, anyRole),
        (3, Gen.Const(("none", (string?)null))),
        (4, Gen.OneOf("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".ToCharArray()).Array[43]
            .Select(c => ("raw", (string?)("Bearer cnk_" + new string(c))))),
        (2, Gen.OneOf("Bearer", "Bearer ", "bearer cnk_", "Basic b3BlcmF0b3I6eA==", "Bearer  cnk_x", "Token cnk_x", "Bearer null",
            "Bearer " + new string('k', 9000), "Bearer cnk_\t", "BEARER cnk_AAAA").Select(h => ("raw", (string?)h))));

    private static Gen<string> Method(ApiOperation op) => Gen.Frequency((30, Gen.Const(op.Method)), (1, Gen.OneOf(Methods)));

    // ---- paths and query strings ----

    private Gen<string> Path(ApiOperation op)
    {
        var parts = op.PathTemplate.Split('/');
        var gens = parts.Select(p => p.StartsWith('{') && p.EndsWith('}') ? Segment(p[1..^1]) : Gen.Const(p)).ToArray();
        return Sequence(gens).Select(segments => string.Join('/', segments));
    }

    private Gen<string> Segment(string name) => Gen.Frequency(
        (12, Realistic(name).Select(FuzzValues.PercentEncode)),
        (3, Hostile(name, 2_500).Select(FuzzValues.PercentEncode)),
        (2, Gen.OneOf(FuzzValues.RawEncodings)),
        (1, Gen.Int[1, 3000].Select(n => new string('a', n))));

    private Gen<string> Query(ApiOperation op)
    {
        var declared = op.Parameters.Where(p => p.In == "query").ToArray();
        var pairs = declared.Select(p => Gen.Frequency(
            (5, Gen.Const((string?)null)),
            (6, QueryValue(p).Select(v => (string?)$"{p.Name}={v}")),
            (1, Gen.Select(QueryValue(p), QueryValue(p), (a, b) => (string?)$"{p.Name}={a}&{p.Name}={b}")),
            (1, QueryValue(p).Select(v => (string?)$"{p.Name.ToUpperInvariant()}={v}")))).ToArray();
        var extra = Gen.Frequency(
            (20, Gen.Const((string?)null)),
            (2, Gen.Select(Gen.OneOf("consistent", "x", "party", "limit", "offset", "period", "%zz", "", "a[b]", "__proto__"),
                Gen.OneOf(FuzzValues.RawEncodings.Concat(["true", "1", "", "=", "&&"]).ToArray()), (k, v) => (string?)$"{k}={v}")),
            (1, Gen.OneOf("&&&", "=", "==&=", "?", "%", "a=1&a=2&a=3", "consistent=true", "consistent=1")!),
            (1, Gen.Int[50, 400].Select(n => (string?)string.Join('&', Enumerable.Range(0, n).Select(i => $"p{i}={i}")))),
            (1, Gen.Int[1000, 7000].Select(n => (string?)("q=" + new string('z', n)))));
        return Gen.Select(Sequence(pairs), extra, (p, e) => string.Join('&', p.Append(e).Where(x => x is not null)));
    }

    private Gen<string> QueryValue(ApiParameter p)
    {
        var types = ApiOperations.TypesOf(api.Resolve(p.Schema));
        var name = p.Name.ToLowerInvariant();
        var numeric = types.Contains("integer") || types.Contains("number")
            ? Gen.Frequency((3, Gen.OneOf(FuzzValues.Numbers)), (2, Gen.Int[-5, 1200].Select(i => i.ToString(CultureInfo.InvariantCulture))), (1, Gen.OneOf(FuzzValues.NumericStrings)))
                .Select(FuzzValues.PercentEncode)
            : null;
        var timeLike = name is "asof" ? Time().Select(FuzzValues.PercentEncode) : null;
        return Gen.Frequency(
            (8, numeric ?? timeLike ?? Realistic(name).Select(FuzzValues.PercentEncode)),
            (3, Hostile(name, 2_500).Select(FuzzValues.PercentEncode)),
            (1, Gen.OneOf(FuzzValues.RawEncodings)));
    }

    // ---- bodies ----

    private readonly record struct BodyOut(string? ContentType, byte[]? Bytes);

    private static Gen<BodyOut> Text(Gen<string> text, Gen<string?> contentType) =>
        Gen.Select(text, contentType, (t, ct) => new BodyOut(ct, Encoding.UTF8.GetBytes(t)));

    private Gen<BodyOut> Body(ApiOperation op)
    {
        var declared = op.BodyContentTypes.Count > 0 ? op.BodyContentTypes.ToArray() : ["application/json"];
        var contentType = Gen.Frequency((17, Gen.OneOf(declared).Select(c => (string?)c)), (2, Gen.OneOf(FuzzValues.ContentTypes)!), (1, Gen.Const((string?)null)));
        var cloud = declared.Any(c => c.Contains("cloudevents", StringComparison.Ordinal));
        if (op.BodySchema is null && !cloud)
        {
            // No body declared: most requests send none; some send one anyway.
            return Gen.Frequency((10, Gen.Const(new BodyOut(null, null))), (1, Text(AnyJson(2), contentType)), (1, Hostile("body").Select(s => new BodyOut("application/json", Encoding.UTF8.GetBytes(s)))));
        }
        var json = cloud ? CloudEvents() : Value(op.BodySchema, "body", 0);
        var usagePath = op.PathTemplate.StartsWith("/v1/usage", StringComparison.Ordinal);
        var limit = usagePath ? 8 * 1024 * 1024 : 256 * 1024;
        var declaredType = Gen.OneOf(declared).Select(c => (string?)c);
        return Gen.Frequency(
            (20, Text(cloud ? CloudEvents() : Clean(op.BodySchema, "body", 0), declaredType)),
            (45, Text(json, contentType)),
            (3, Gen.Const(new BodyOut("application/json", []))),
            (2, Gen.Const(new BodyOut(null, null))),
            (3, Text(Gen.OneOf("null", "[]", "{}", "0", "\"s\"", "true", "-1", "\"\"", "[null]", "[{}]"), contentType)),
            (3, Text(json.Select(Malform).SelectMany(f => f), contentType)),
            (2, Text(Gen.Select(Gen.Int[60, 70_000], Gen.Bool, (d, arrays) => arrays
                ? new string('[', d) + new string(']', d)
                : string.Concat(Enumerable.Repeat("{\"a\":", d)) + "1" + new string('}', d)), contentType)),
            (1, Gen.Select(Gen.OneOf(limit - 64, limit + 1, limit + 4096), Gen.OneOf("{\"id\":\"", "[\"", "{\"records\":[\""),
                (n, start) => new BodyOut("application/json", Encoding.UTF8.GetBytes(start + new string('x', Math.Max(0, n - start.Length - 2)) + "\"" + (start.StartsWith('[') ? "]" : start.Contains('[') ? "]}" : "}"))))),
            (2, Gen.Select(json, Gen.OneOf(InvalidUtf8), (j, bad) => new BodyOut("application/json", Splice(j, bad)))),
            (2, Text(json.Select(j => j.StartsWith('{') && j.Length > 2 ? "{\"id\":\"dup\",\"id\":1," + j[1..] : j), contentType)));
    }

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xE4, 0xB8], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ];

    /// <summary>The JSON text with invalid UTF-8 bytes put inside its first string (or in front of it).</summary>
    private static byte[] Splice(string json, byte[] bad)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var at = Array.IndexOf(bytes, (byte)'"');
        at = at < 0 ? 0 : at + 1;
        return [.. bytes[..at], .. bad, .. bytes[at..]];
    }

    /// <summary>Ways to break JSON that is otherwise right.</summary>
    private static Gen<string> Malform(string json) => Gen.OneOf(
        json.Length > 1 ? json[..(json.Length / 2)] : "{",
        json + ",",
        json.Replace("\"", "'"),
        json.Replace(":", "=", StringComparison.Ordinal),
        "/* c */" + json,
        json + json,
        json.Replace("}", ",}", StringComparison.Ordinal),
        json.Replace("1", "NaN", StringComparison.Ordinal),
        "\ufeff" + json,
        json + "\u0000");

    private Gen<string> CloudEvents()
    {
        var usage = api.All.FirstOrDefault(o => o.PathTemplate == "/v1/usage" && o.Method == "POST")?.BodySchema;
        var provider = world.PartyOfRole.GetValueOrDefault("provider", "provider");
        var one = Gen.Select(Gen.Frequency((8, Gen.Const(provider)), (1, Hostile("source"))), Realistic("id"), Gen.Frequency((8, Value(usage, "data", 1)), (1, AnyJson(2))),
            Gen.Frequency((8, Gen.Const("computenet.usage.v1")), (1, Hostile("type"))), Gen.Frequency((8, Gen.Const("1.0")), (1, Gen.OneOf("0.3", "", "1"))),
            (source, id, data, type, spec) => $"{{\"specversion\":{FuzzValues.Quote(spec)},\"type\":{FuzzValues.Quote(type)},\"source\":{FuzzValues.Quote(source)},\"id\":{FuzzValues.Quote(id)},\"data\":{data}}}");
        return Gen.Frequency(
            (6, one),
            (3, one.Array[0, 6].Select(a => "[" + string.Join(',', a) + "]")),
            (1, Gen.Select(one, Gen.Int[1000, 11_000], (e, n) => "[" + string.Join(',', Enumerable.Repeat(e, Math.Min(n, 9_000_000 / Math.Max(1, e.Length + 1)))) + "]")),
            (1, AnyJson(2)));
    }

    /// <summary>A JSON value for a schema: mostly of its type, with boundary values; sometimes of another type, or null.</summary>
    public Gen<string> Value(JsonNode? schema, string name, int depth)
    {
        var s = api.Resolve(schema);
        var types = ApiOperations.TypesOf(s);
        var format = s?["format"]?.GetValue<string>();
        Gen<string> typed;
        if (format is "date-time")
        {
            typed = Time().Select(FuzzValues.Quote);
        }
        else if (types.Contains("array") || s?["items"] is not null)
        {
            var item = depth > 4 ? AnyJson(0) : Value(s?["items"], Singular(name), depth + 1);
            var small = item.Array[0, 4].Select(a => "[" + string.Join(',', a) + "]");
            // Huge arrays only near the top of a body, and never beyond ~9 MB: a huge array of huge arrays would exhaust the fuzzer, not the API.
            typed = depth > 1 ? small : Gen.Frequency(
                (10, small),
                (1, Gen.Select(item, Gen.OneOf(1000, 10_000, 10_001, 20_000),
                    (x, n) => "[" + string.Join(',', Enumerable.Repeat(x, Math.Min(n, 9_000_000 / Math.Max(1, x.Length + 1)))) + "]")));
        }
        else if (types.Contains("object") || s?["properties"] is not null)
        {
            typed = depth > 4 ? AnyJson(0) : Object(s, depth);
        }
        else if (types.Contains("integer") || types.Contains("number"))
        {
            typed = Gen.Frequency(
                (4, Gen.OneOf(FuzzValues.Numbers)),
                (4, Gen.Int[0, 100].Select(i => i.ToString(CultureInfo.InvariantCulture))),
                (2, Gen.Select(Gen.Int[0, 100], Gen.Int[0, 99], (a, b) => $"{a}.{b:00}")),
                (2, Gen.OneOf(FuzzValues.Numbers.Concat(FuzzValues.NumericStrings).ToArray()).Select(FuzzValues.Quote)),
                (2, Gen.Int[0, 100].Select(i => FuzzValues.Quote(i.ToString(CultureInfo.InvariantCulture)))));
        }
        else if (types.Contains("boolean"))
        {
            typed = Gen.OneOf("true", "false", "\"true\"", "1", "0");
        }
        else if (types.Contains("string"))
        {
            typed = Gen.Frequency((5, Realistic(name)), (2, Hostile(name, depth > 1 ? 2_000 : 80_000))).Select(FuzzValues.Quote);
        }
        else
        {
            typed = AnyJson(depth > 3 ? 0 : 2);
        }
        return Gen.Frequency((14, typed), (2, AnyJson(1)), (1, Gen.Const("null")));
    }

    /// <summary>
    /// A well-formed value for a schema: every property present, realistic names and ids, small numbers, times near the
    /// seed window. Such bodies are often accepted, so the state the hostile requests meet grows as a market's would.
    /// </summary>
    public Gen<string> Clean(JsonNode? schema, string name, int depth)
    {
        var s = api.Resolve(schema);
        var types = ApiOperations.TypesOf(s);
        var key = name.ToLowerInvariant();
        if (s?["format"]?.GetValue<string>() is "date-time")
        {
            return CleanTime(key).Select(FuzzValues.Quote);
        }
        if (types.Contains("array") || s?["items"] is not null)
        {
            return (depth > 3 ? Gen.Const("0") : Clean(s?["items"], Singular(name), depth + 1)).Array[1, 3].Select(a => "[" + string.Join(',', a) + "]");
        }
        if (types.Contains("object") || s?["properties"] is not null || s?["additionalProperties"] is JsonObject)
        {
            if (depth > 3)
            {
                return Gen.Const("{}");
            }
            // A window's start and end are drawn together (start before end), as a usage interval in the seed day or an
            // order window that has not started.
            var fields = ((s?["properties"] as JsonObject)?.Select(p => p.Key.ToLowerInvariant() switch
            {
                "from" or "validfrom" => Gen.Const($"{FuzzValues.Quote(p.Key)}:\"@start\""),
                "to" or "validto" => Gen.Const($"{FuzzValues.Quote(p.Key)}:\"@end\""),
                _ => Clean(p.Value, p.Key, depth + 1).Select(v => $"{FuzzValues.Quote(p.Key)}:{v}"),
            }) ?? []).ToArray();
            var additional = s?["additionalProperties"] is JsonObject extra
                ? Gen.Select(Gen.OneOf("FP64", "FP32", "FP16", "BF16", "INT8"), Clean(extra, "factor", depth + 1), (k, v) => $"{FuzzValues.Quote(k)}:{v}").Array[1, 5]
                    .Select(a => a.DistinctBy(x => x.Split(':')[0]).ToArray())
                : Gen.Const(Array.Empty<string>());
            var window = Gen.Frequency(
                (1, Gen.Int[0, 22].SelectMany(start => Gen.Int[start + 1, 24].Select(end => (start, end)))),
                (1, Gen.Int[33, 60].SelectMany(start => Gen.Int[start + 1, start + 48].Select(end => (start, end)))));
            return Gen.Select(Sequence(fields), additional, window, Gen.OneOf(TimeSpan.FromHours(8), TimeSpan.Zero), (f, a, w, offset) =>
                ("{" + string.Join(',', f.Concat(a)) + "}")
                    .Replace("\"@start\"", FuzzValues.Quote(Iso(world.Around.AddHours(w.start).ToOffset(offset))), StringComparison.Ordinal)
                    .Replace("\"@end\"", FuzzValues.Quote(Iso(world.Around.AddHours(w.end).ToOffset(offset))), StringComparison.Ordinal));
        }
        if (types.Contains("integer") || types.Contains("number"))
        {
            return key.EndsWith("fen", StringComparison.Ordinal) ? Gen.Int[1, 2_000_000].Select(i => i.ToString(CultureInfo.InvariantCulture))
                : key.EndsWith("bp", StringComparison.Ordinal) ? Gen.Int[0, 10_000].Select(i => i.ToString(CultureInfo.InvariantCulture))
                : key is "deviceseconds" ? Gen.Int[1, 8 * 3600].Select(i => i.ToString(CultureInfo.InvariantCulture))
                : types.Contains("integer") ? Gen.Int[1, 64].Select(i => i.ToString(CultureInfo.InvariantCulture))
                : key.Contains("green", StringComparison.Ordinal) || key.Contains("scu", StringComparison.Ordinal) ? Gen.Int[0, 99].Select(i => FuzzValues.Quote($"0.{i:00}"))
                : Gen.Select(Gen.Int[0, 99], Gen.Int[0, 99], (a, b) => FuzzValues.Quote($"{a}.{b:00}"));
        }
        if (types.Contains("boolean"))
        {
            return Gen.OneOf("true", "false");
        }
        return !types.Contains("string") ? Gen.Const("{}")
            : world.Known.TryGetValue(key, out var known) && known.Length > 0 && key is not "id" ? Gen.OneOf(known).Select(FuzzValues.Quote)
            : Realistic(name).Select(FuzzValues.Quote);
    }

    private static string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private Gen<string> Object(JsonNode? schema, int depth)
    {
        var properties = (schema?["properties"] as JsonObject)?.Select(p => (p.Key, p.Value)).ToArray() ?? [];
        var fields = properties.Select(p => Gen.Frequency(
            (10, Value(p.Value, p.Key, depth + 1).Select(v => (string?)$"{FuzzValues.Quote(p.Key)}:{v}")),
            (1, Gen.Const((string?)null)),
            (1, Value(p.Value, p.Key, depth + 1).Select(v => (string?)$"{FuzzValues.Quote(p.Key.ToUpperInvariant())}:{v}")))).ToArray();
        var extra = Gen.Frequency(
            (12, Gen.Const((string?)null)),
            (1, Gen.Select(Gen.OneOf("extra", "$type", "__proto__", "constructor", "", "\ud800", "id ", "$ref", "\u0000"), AnyJson(1),
                (k, v) => (string?)$"{FuzzValues.Quote(k)}:{v}")));
        var additional = schema?["additionalProperties"] is JsonObject extraSchema
            ? Gen.Select(Gen.OneOf(FuzzValues.Texts.Concat(["FP16", "FP64", "INT8", "BF16", "FP32"]).ToArray()), Value(extraSchema, "value", depth + 1), (k, v) => (string?)$"{FuzzValues.Quote(k)}:{v}")
                .Array[0, 6].Select(a => (string?)string.Join(',', a.Where(x => x is not null)))
            : Gen.Const((string?)null);
        return Gen.Select(Sequence(fields), extra, additional,
            (f, e, a) => "{" + string.Join(',', f.Append(e).Append(a).Where(x => !string.IsNullOrEmpty(x))) + "}");
    }

    /// <summary>Any JSON: primitives of every kind, and arrays and objects nested up to <paramref name="depth"/>.</summary>
    private static Gen<string> AnyJson(int depth)
    {
        var primitive = Gen.Frequency(
            (3, Gen.OneOf(FuzzValues.Numbers)),
            (3, Gen.OneOf(FuzzValues.Texts.Concat(FuzzValues.Times).ToArray()).Select(FuzzValues.Quote)),
            (1, Gen.OneOf("true", "false", "null")));
        if (depth <= 0)
        {
            return primitive;
        }
        var inner = AnyJson(depth - 1);
        return Gen.Frequency(
            (4, primitive),
            (1, inner.Array[0, 4].Select(a => "[" + string.Join(',', a) + "]")),
            (1, Gen.Select(Gen.OneOf(FuzzValues.Texts), inner).Array[0, 4].Select(a => "{" + string.Join(',', a.Select(kv => FuzzValues.Quote(kv.Item1) + ":" + kv.Item2)) + "}")));
    }

    private static Gen<IReadOnlyList<KeyValuePair<string, string>>> Headers(ApiOperation op) =>
        op.PathTemplate.Contains("stripe", StringComparison.Ordinal)
            ? Gen.Frequency(
                (1, Gen.Const((IReadOnlyList<KeyValuePair<string, string>>)[])),
                (2, Gen.Select(Gen.Long[-1, 4_000_000_000L], Gen.OneOf("", "00", new string('a', 64), "zz"), (t, v) =>
                    (IReadOnlyList<KeyValuePair<string, string>>)[new("Stripe-Signature", $"t={t},v1={v}")])))
            : Gen.Frequency(
                (20, Gen.Const((IReadOnlyList<KeyValuePair<string, string>>)[])),
                (1, Gen.OneOf("gzip", "br", "identity", "x").Select(e => (IReadOnlyList<KeyValuePair<string, string>>)[new("Content-Encoding", e)])));

    // ---- values ----

    private static string Singular(string name) => name.EndsWith("ies", StringComparison.Ordinal) ? name[..^3] + "y" : name.TrimEnd('s');

    /// <summary>Values that exist or are well formed for this name: seed ids, reference names, enumerations, times near the seed window.</summary>
    private Gen<string> Realistic(string name)
    {
        var key = name.ToLowerInvariant();
        if (key is "from" or "to" or "validfrom" or "validto" or "endat" or "asof" or "at")
        {
            return Time();
        }
        if (key is "period" && world.Known.TryGetValue("period", out var periods))
        {
            return Gen.Frequency((3, Gen.OneOf(periods)), (2, Gen.OneOf(FuzzValues.Periods)));
        }
        if (world.Known.TryGetValue(key, out var known) && known.Length > 0)
        {
            return Gen.Frequency((6, Gen.OneOf(known)), (1, FreshId()));
        }
        return key is "id" or "version" ? FreshId() : Gen.Frequency((2, FreshId()), (1, Gen.OneOf(world.Known.GetValueOrDefault("any", ["x"]))));
    }

    private static Gen<string> FreshId() => Gen.Int[0, 5000].Select(i => $"fz-{i}");

    /// <summary>Hostile text of up to <paramref name="longest"/> characters (URLs: a little under Kestrel's 8 KiB request line once encoded).</summary>
    private static Gen<string> Hostile(string name, int longest = 80_000) => Gen.Frequency(
        (6, Gen.OneOf(FuzzValues.Texts)),
        (2, Gen.OneOf(FuzzValues.Periods.Concat(FuzzValues.Times).Concat(FuzzValues.NumericStrings).ToArray())),
        (1, Gen.Select(Gen.Int[300, longest], Gen.OneOf("x", "中", "😀", "\ud800", "\u0000", "a\u202e"), (n, unit) => string.Concat(Enumerable.Repeat(unit, n)))),
        (1, Gen.String));

    /// <summary>Times: mostly whole hours around the seed window in several offsets; often one at the ends of time or malformed.</summary>
    private Gen<string> Time() => Gen.Frequency((5, NearTime()), (3, Gen.OneOf(FuzzValues.Times)));

    /// <summary>
    /// Whole hours in +08:00 or UTC, ordered by name: a start in the seed day (usage, which has ended) or a day and a half
    /// later (orders, whose window has not started), an end an hour to a day into the seed day or later still.
    /// </summary>
    private Gen<string> CleanTime(string key)
    {
        var hours = key switch
        {
            "from" or "validfrom" => Gen.Frequency((1, Gen.Int[0, 22]), (1, Gen.Int[33, 60])),
            "to" or "validto" => Gen.Frequency((1, Gen.Int[1, 24]), (1, Gen.Int[61, 120])),
            _ => Gen.Int[0, 120],
        };
        return Gen.Select(hours, Gen.OneOf(TimeSpan.FromHours(8), TimeSpan.Zero),
            (h, offset) => world.Around.AddHours(h).ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
    }

    /// <summary>Whole hours (sometimes not) from three days before the seed window to five days after it, in several offsets.</summary>
    private Gen<string> NearTime() => Gen.Select(Gen.Int[-72, 120], Gen.OneOf(TimeSpan.FromHours(8), TimeSpan.Zero, TimeSpan.FromHours(-5), TimeSpan.FromHours(14), TimeSpan.FromHours(-12)),
            Gen.Frequency((8, Gen.Const(0)), (1, Gen.Int[1, 3599])),
            (h, offset, s) => world.Around.AddHours(h).AddSeconds(s).ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));

    /// <summary>One value from each generator, in order.</summary>
    private static Gen<ImmutableList<T>> Sequence<T>(IEnumerable<Gen<T>> gens) =>
        gens.Aggregate(Gen.Const(ImmutableList<T>.Empty), (acc, g) => Gen.Select(acc, g, (list, x) => list.Add(x)));
}
