using System.Globalization;
using System.Text;

namespace ComputeNet.Fuzz;

/// <summary>
/// Boundary and hostile values, as the fuzzer sends them. Numbers and times are raw JSON literals (so that values no
/// .NET type can hold, such as 1e309 or 2^64, go out as written); strings are C# strings, quoted by <see cref="Quote"/>.
/// </summary>
public static class FuzzValues
{
    /// <summary>Numbers at and beyond every limit: int, long, 2^53 ± 1, decimal's range, double's range and precision.</summary>
    public static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "2", "8", "40", "58.00", "60", "100", "300", "3600", "10000", "10001",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "9007199254740991", "9007199254740992", "9007199254740993", "-9007199254740991", "-9007199254740993",
        "1000000000000000000000", "100000000000000000000000000000000000000000",
        "79228162514264337593543950335", "79228162514264337593543950336", "-79228162514264337593543950336",
        "7.9228162514264337593543950335E+28", "1e308", "-1e308", "1e309", "-1e309", "1.7976931348623157e308",
        "5e-324", "1e-400", "1E2", "1e-7", "0.1", "0.5", "0.0001", "0.00001", "0.123456789012345678901234567890123",
        "3.14159265358979323846264338327950288419716939937510", "1.0", "0.0", "-0.0", "99.99999999999999999999",
        "12345678901234567890.123456789",
    ];

    /// <summary>Strings that look like numbers (the API reads numbers from strings too) or nearly do.</summary>
    public static readonly string[] NumericStrings =
    [
        "NaN", "nan", "Infinity", "-Infinity", "+Infinity", "1e309", "0x10", " 1", "1 ", "+1", "1,000", "1_000", "١٢٣", "１２",
        "", "-", ".", "1.", ".5", "9007199254740993", "79228162514264337593543950336", "1e-400", "-0", "00", "007", "1e5",
        "9223372036854775808", "-9223372036854775809", "2147483648", "58.00", "0.1", "true", "null",
    ];

    /// <summary>Times at the ends of time, impossible ones, and ones without an offset.</summary>
    public static readonly string[] Times =
    [
        "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-14:00", "0001-01-01T00:00:00+00:01",
        "9999-12-31T23:59:59Z", "9999-12-31T20:00:00-05:00", "9999-12-31T23:59:59.9999999-14:00", "9999-12-31T23:59:59+14:00",
        "9999-12-31T00:00:00+08:00", "9999-12-31T16:00:00Z", "9999-12-31T23:00:00-01:00",
        "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2038-01-19T03:14:08Z", "2262-04-11T23:47:16Z",
        "2026-12-01T00:00:00+08:00", "2026-12-02T00:00:00+08:00", "2026-12-01T00:00:00", "2026-12-01T00:00:00+18:00",
        "2026-12-01T00:00:00+19:00", "2026-02-30T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T00:00:60Z",
        "2026-12-01T00:00:00.123456789Z", "2026-12-01T00:00:00.1234567+08:00", "10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
        "+002026-12-01T00:00:00Z", "2026-12-01", "2026-12-01 00:00:00Z", "2026-W49-1T00:00:00Z", "1733011200", "tomorrow", "",
    ];

    /// <summary>Settlement periods (days and months) at the ends of time, impossible, and malformed.</summary>
    public static readonly string[] Periods =
    [
        "2026-12-01", "2026-11-30", "2026-12-02", "2026-12", "2026-11", "9999-12-31", "9999-12-30", "9999-12", "0001-01-01", "0001-01",
        "0001-01-02", "2026-13-01", "2026-02-30", "2026-00-01", "2026-12-00", "2026-12-01T00:00:00Z", "2026-1-1", "+2026-12-01",
        "-0001-01-01", "10000-01-01", "99999-12-31", "20261201", "2026/12/01", "", "-1", "latest",
    ];

    /// <summary>Hostile and unusual text: lone surrogates, NUL, bidi controls, emoji, CJK, injection-looking strings.</summary>
    public static readonly string[] Texts =
    [
        "", " ", "a", "\ud800", "\udead", "\udbff\udfff", "x\ud800y", "\udc00\ud800", "\ufffd", "\u0000", "a\u0000b", "\u202eevil",
        "\u200f\u202b", "\ufeff", "😀", "👨‍👩‍👧‍👦", "中卫", "東數西算", "Z̴̡̛a̷l̶g̸o", "\t\r\n", "\u0085\u2028\u2029", "\\", "\"", "'",
        "' OR 1=1 --", "'; drop table mt_events; --", "../../etc/passwd", "..%2f..%2f", "%00", "%s%n", "{0}", "${jndi:x}",
        "<script>alert(1)</script>", "null", "true", "0", "-1", "operator", "cnk_", "lease-000001", "OPERATOR", "İ", "ß", "ﬃ",
        "\u0007\u001b[31m", "/", "?", "#", "&", "=", "+", "%", "%zz",
    ];

    /// <summary>Raw percent-encodings that do not decode to valid UTF-8, or decode to separators: for paths and query strings.</summary>
    public static readonly string[] RawEncodings =
    [
        "%zz", "%", "%4", "%e4%b8", "%ed%a0%80", "%ed%b0%80", "%ff%fe", "%c0%af", "%c0%80", "%00", "%2f", "%2F..%2F", "%2e%2e", "%252e",
        "%0d%0a", "%e2%80%ae", "%f0%9f%98%80", "%u0041", "+", "%20", "a%00b",
    ];

    public static readonly string[] ContentTypes =
    [
        "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
        "application/json; charset=latin1", "application/json; charset=nope", "application/problem+json", "*/*", "application/json;;", "garbage",
        "application/cloudevents+json", "application/cloudevents-batch+json", "application/octet-stream", "APPLICATION/JSON", "application/json ; charset=utf-8",
    ];

    /// <summary>A JSON string literal for any .NET string: lone surrogates become \uXXXX escapes (they have no UTF-8 form).</summary>
    public static string Quote(string s)
    {
        var b = new StringBuilder(s.Length + 2).Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                b.Append(c).Append(s[++i]);
            }
            else if (c == '"' || c == '\\')
            {
                b.Append('\\').Append(c);
            }
            else if (c < 0x20 || char.IsSurrogate(c))
            {
                b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                b.Append(c);
            }
        }
        return b.Append('"').ToString();
    }

    /// <summary>
    /// Percent-encodes a string for a path segment or query value, byte by byte of its UTF-8 form; a lone surrogate is
    /// written as the three bytes UTF-8 would use for it (invalid UTF-8, as an attacker would send it).
    /// </summary>
    public static string PercentEncode(string s)
    {
        var b = new StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c < 0x80 && (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~'))
            {
                b.Append(c);
                continue;
            }
            byte[] bytes;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                bytes = Encoding.UTF8.GetBytes(s.Substring(i++, 2));
            }
            else if (char.IsSurrogate(c))
            {
                bytes = [(byte)(0xE0 | (c >> 12)), (byte)(0x80 | ((c >> 6) & 0x3F)), (byte)(0x80 | (c & 0x3F))];
            }
            else
            {
                bytes = Encoding.UTF8.GetBytes(c.ToString());
            }
            foreach (var x in bytes)
            {
                b.Append('%').Append(x.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return b.ToString();
    }
}
