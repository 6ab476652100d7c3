using System.Globalization;

namespace ComputeNet.Portal.Shared;

/// <summary>
/// An amount typed in yuan (the portal shows yuan; the API takes fen): "5000", "5,000.50", "¥5000.5" → whole fen, exact,
/// in integer arithmetic. More than two decimal places, a sign, an exponent, or more than 2^53 − 1 fen is not an amount
/// (null): nothing is rounded. Every form that takes money (the issuer's programmes and grants, the operator's cash) reads it here.
/// </summary>
public static class YuanInput
{
    public const long MaxFen = (1L << 53) - 1;

    public static long? ToFen(string? text)
    {
        var s = (text ?? "").Trim().TrimStart('¥', '￥').Replace(",", "", StringComparison.Ordinal).Trim();
        if (s.Length is 0 or > 24)
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

    /// <summary>Fen as a form shows them back: "5000.00" (no grouping, so it reads back exactly; a minus sign when negative).</summary>
    public static string Of(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
