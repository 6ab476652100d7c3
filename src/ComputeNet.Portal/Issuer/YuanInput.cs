using System.Globalization;

namespace ComputeNet.Portal.Issuer;

/// <summary>
/// An amount typed in yuan (the portal shows yuan; the API takes fen): "5000", "5,000.50", "¥5000.5" → whole fen, exact.
/// More than two decimal places, a sign, or more than 2^53 − 1 fen is not an amount (null): nothing is rounded.
/// </summary>
public static class YuanInput
{
    public static long? ToFen(string? text)
    {
        var t = (text ?? "").Trim().TrimStart('¥', '￥').Replace(",", "", StringComparison.Ordinal).Trim();
        if (t.Length is 0 or > 24 || !t.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return null;
        }
        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var yuan))
        {
            return null;
        }
        var fen = yuan * 100;
        if (fen != decimal.Truncate(fen) || fen > 9_007_199_254_740_991m)
        {
            return null;
        }
        return (long)fen;
    }

    /// <summary>Fen as the form shows them back: "5000.00" (no grouping, so it reads back exactly).</summary>
    public static string Of(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
