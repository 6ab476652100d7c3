using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ComputeNet.Domain.Audit;

/// <summary>
/// RFC 8785 (JSON Canonicalization Scheme) for the value trees ComputeNet hashes: objects (string-keyed dictionaries),
/// arrays, strings, whole numbers, booleans and null. Object keys are sorted by UTF-16 code units; no whitespace;
/// strings escape only what JSON requires. Decimals never appear as numbers in hashed bodies (they are strings), so
/// the ECMAScript number rules reduce to plain integers here.
/// </summary>
public static class Canonical
{
    /// <summary>2^53 − 1: the largest integer an IEEE double, and so an RFC 8785 number, holds exactly.</summary>
    public const long MaxSafeInteger = 9_007_199_254_740_991;

    public static string Json(object? value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    public static byte[] Utf8(object? value) => Encoding.UTF8.GetBytes(Json(value));

    /// <summary>Lower-case hex SHA-256 of the canonical JSON.</summary>
    public static string Sha256(object? value) => Convert.ToHexStringLower(SHA256.HashData(Utf8(value)));

    private static void Write(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case string s:
                WriteString(sb, s);
                break;
            case int or long:
            {
                var n = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                if (n is > MaxSafeInteger or < -MaxSafeInteger)
                {
                    // RFC 8785 writes an IEEE double's shortest form: beyond 2^53 that is no longer the integer given, so
                    // two different amounts could hash alike. ComputeNet refuses them rather than hash a rounded number.
                    throw new ArgumentException($"canonical JSON holds integers within ±{MaxSafeInteger} (2^53 − 1) exactly; {n} is beyond");
                }
                sb.Append(n.ToString(CultureInfo.InvariantCulture));
                break;
            }
            case IReadOnlyDictionary<string, object?> obj:
            {
                sb.Append('{');
                var first = true;
                foreach (var key in obj.Keys.OrderBy(k => k, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    WriteString(sb, key);
                    sb.Append(':');
                    Write(sb, obj[key]);
                }
                sb.Append('}');
                break;
            }
            case System.Collections.IEnumerable list:
            {
                sb.Append('[');
                var first = true;
                foreach (var item in list)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            }
            default:
                throw new ArgumentException($"canonical JSON takes objects, arrays, strings, whole numbers, booleans and null, not {value.GetType().Name}");
        }
    }

    /// <summary>The characters a JSON string must escape: '"', '\\' and the controls below U+0020.</summary>
    private static readonly System.Buffers.SearchValues<char> MustEscape =
        System.Buffers.SearchValues.Create("\"\\" + new string(Enumerable.Range(0, 0x20).Select(i => (char)i).ToArray()));

    /// <summary>
    /// Writes a JSON string. Text that is not valid Unicode (a lone surrogate) is refused: <c>Encoding.UTF8</c> would turn
    /// it into U+FFFD, so <c>"\ud800"</c>, <c>"\udead"</c> and <c>"\ufffd"</c> would hash alike.
    /// </summary>
    internal static void WriteString(StringBuilder sb, string s)
    {
        if (UnicodeText.IndexOfLoneSurrogate(s) is var bad and >= 0)
        {
            throw new ArgumentException($"canonical JSON holds valid Unicode only; the string has a lone surrogate U+{(int)s[bad]:X4} at index {bad}");
        }
        if (!s.AsSpan().ContainsAny(MustEscape))
        {
            sb.Append('"').Append(s).Append('"');
            return;
        }
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }
}
