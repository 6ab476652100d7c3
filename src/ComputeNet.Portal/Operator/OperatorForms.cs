using System.Globalization;
using ComputeNet.Domain;

namespace ComputeNet.Portal.Operator;

/// <summary>What the operator's forms share: reading yuan to exact fen, lists typed with commas, and fresh client ids.</summary>
public static class OperatorForms
{
    /// <summary>
    /// Yuan as typed ("1234.56", "1,234.5", "¥12") to fen, exactly: digits only, at most two decimals, no float on the way; null
    /// when the text is not such an amount or is beyond 2^53 − 1 fen (the rules' bound, which the request checks again).
    /// </summary>
    public static long? ParseFen(string? text)
    {
        var s = (text ?? "").Trim().TrimStart('¥', '￥').Replace(",", "", StringComparison.Ordinal).Trim();
        if (s.Length is 0 or > 20)
        {
            return null;
        }
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? s : s[..dot];
        var fraction = dot < 0 ? "" : s[(dot + 1)..];
        if (whole.Length == 0 || fraction.Length > 2 || (dot >= 0 && fraction.Length == 0)
            || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit)
            || !long.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out var yuan) || yuan > MaxFen / 100)
        {
            return null;
        }
        var fen = yuan * 100 + (fraction.Length == 0 ? 0 : int.Parse(fraction.PadRight(2, '0'), NumberStyles.None, CultureInfo.InvariantCulture));
        return fen <= MaxFen ? fen : null;
    }

    public const long MaxFen = (1L << 53) - 1;

    /// <summary>Fen as the amount field shows it again ("1234.56"), exact.</summary>
    public static string FenInput(long fen) =>
        $"{fen / 100}.{Math.Abs(fen % 100).ToString("00", CultureInfo.InvariantCulture)}";

    /// <summary>"a, b,,c" → [a, b, c].</summary>
    public static IReadOnlyList<string> List(string? text) =>
        (text ?? "").Split([',', '，', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A client id for a form's first showing (prefix, UTC time, random), so a repeated submit is a no-op, not a second action.</summary>
    public static string NewId(string prefix, NodaTime.Instant now) =>
        $"{prefix}-{now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    public static RejectedException Invalid(string reason, string field) => RejectedException.Of(Codes.Invalid, reason, field);

    /// <summary>A whole number from a form field, or a rejection naming the field.</summary>
    public static int Int(string? text, string field) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid("a whole number is needed", field);
}
