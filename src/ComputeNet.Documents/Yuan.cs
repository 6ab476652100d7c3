using System.Globalization;

namespace ComputeNet.Documents;

/// <summary>Money for people: integer fen shown as yuan with two decimals and thousands separators, exactly (no floating point).</summary>
public static class Yuan
{
    /// <summary>E.g. 144768 → "1,447.68"; −175172 → "-1,751.72"; long.MinValue is formatted exactly as well.</summary>
    public static string Format(long fen)
    {
        var negative = fen < 0;
        // Work in ulong so that the magnitude of long.MinValue is representable.
        var magnitude = negative ? (ulong)(-(fen + 1)) + 1 : (ulong)fen;
        var whole = (magnitude / 100).ToString("#,0", CultureInfo.InvariantCulture);
        var cents = (magnitude % 100).ToString("00", CultureInfo.InvariantCulture);
        return $"{(negative ? "-" : "")}{whole}.{cents}";
    }

    /// <summary>A decimal price or quantity with thousands separators and at least <paramref name="minDecimals"/> places, trailing zeros beyond them dropped.</summary>
    public static string Number(decimal value, int minDecimals, int maxDecimals)
    {
        var format = "#,0." + new string('0', minDecimals) + new string('#', Math.Max(0, maxDecimals - minDecimals));
        return value.ToString(format, CultureInfo.InvariantCulture);
    }
}
