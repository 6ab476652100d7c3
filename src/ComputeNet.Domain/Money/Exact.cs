using System.Numerics;

namespace ComputeNet.Domain.Money;

/// <summary>
/// Exact arithmetic for money: amounts are built as an exact rational (integer numerator over
/// a power-of-ten or integer denominator) and rounded once, half away from zero (四舍五入),
/// at the end (market-rules §1). No <c>double</c> is involved.
/// </summary>
public static class Exact
{
    /// <summary>An exact rational n/d with d &gt; 0.</summary>
    public readonly record struct Ratio(BigInteger Numerator, BigInteger Denominator)
    {
        public static Ratio Of(long value) => new(value, BigInteger.One);

        public static Ratio Of(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
            var scale = (bits[3] >> 16) & 0xFF;
            if (bits[3] < 0)
            {
                mantissa = -mantissa;
            }
            return new Ratio(mantissa, BigInteger.Pow(10, scale));
        }

        public static Ratio operator *(Ratio a, Ratio b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);
        public static Ratio operator *(Ratio a, long b) => new(a.Numerator * b, a.Denominator);
        public static Ratio operator +(Ratio a, Ratio b) => new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

        public Ratio DividedBy(long divisor)
        {
            if (divisor == 0)
            {
                throw new DivideByZeroException();
            }
            return divisor > 0 ? new(Numerator, Denominator * divisor) : new(-Numerator, Denominator * -divisor);
        }

        /// <summary>Rounds half away from zero to a whole number (a 64-bit integer; beyond one is an <see cref="OverflowException"/>).</summary>
        public long RoundHalfAwayFromZero() => checked((long)Round());

        /// <summary>Rounds half away from zero to a whole number, exactly, whatever its size.</summary>
        public BigInteger Round()
        {
            var quotient = BigInteger.DivRem(BigInteger.Abs(Numerator), Denominator, out var remainder);
            if (remainder * 2 >= Denominator)
            {
                quotient += 1;
            }
            return Numerator.Sign < 0 ? -quotient : quotient;
        }

        /// <summary>The exact value as a decimal, rounded half away from zero to <paramref name="decimals"/> places (for reports only, never for money).</summary>
        public decimal ToDecimal(int decimals)
        {
            var scale = BigInteger.Pow(10, decimals);
            var scaled = new Ratio(Numerator * scale, Denominator).Round();
            var magnitude = BigInteger.Abs(scaled);
            if (magnitude.GetBitLength() > 96)
            {
                throw new OverflowException($"{scaled} × 10^-{decimals} does not fit a decimal");
            }
            return new decimal(unchecked((int)(uint)(magnitude & uint.MaxValue)), unchecked((int)(uint)((magnitude >> 32) & uint.MaxValue)),
                unchecked((int)(uint)(magnitude >> 64)), scaled.Sign < 0, (byte)decimals);
        }
    }

    /// <summary><c>share(x, bp) = round_half_away(x × bp / 10000)</c> (market-rules §1).</summary>
    public static Fen Share(Fen amount, BasisPoints share) =>
        new(MoneyMath.Ensure(new Ratio(new BigInteger(amount.Value) * share.Value, BasisPoints.Whole).Round(), "a share"));

    /// <summary>The VAT shown on a line whose amount includes 6 % VAT: <c>round(amount × 6 / 106)</c> (market-rules §7).</summary>
    public static Fen IncludedVat(Fen amount) => new(MoneyMath.Ensure(new Ratio(new BigInteger(amount.Value) * 6, 106).Round(), "a line's VAT"));

    /// <summary>
    /// Splits <paramref name="whole"/> by integer weights with the largest-remainder method: floor each
    /// part, then hand the leftover fen one by one to the largest fractional remainders, ties to the part
    /// listed first. The parts always sum exactly to the whole (market-rules §1). Works for negative wholes
    /// by splitting the magnitude and restoring the sign.
    /// </summary>
    public static Fen[] SplitLargestRemainder(Fen whole, IReadOnlyList<long> weights)
    {
        ArgumentOutOfRangeException.ThrowIfZero(weights.Count);
        long total = 0;
        foreach (var w in weights)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(w);
            total = checked(total + w);
        }
        ArgumentOutOfRangeException.ThrowIfZero(total);

        var sign = whole.Value < 0 ? -1 : 1;
        var magnitude = new BigInteger(Math.Abs(whole.Value));
        var parts = new long[weights.Count];
        var remainders = new BigInteger[weights.Count];
        long assigned = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            parts[i] = (long)BigInteger.DivRem(magnitude * weights[i], total, out remainders[i]);
            assigned = checked(assigned + parts[i]);
        }
        var leftover = (long)magnitude - assigned;
        var order = Enumerable.Range(0, weights.Count).OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        for (var k = 0; k < leftover; k++)
        {
            parts[order[k]] += 1;
        }
        var result = new Fen[weights.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            result[i] = new Fen(checked(sign * parts[i]));
        }
        return result;
    }
}
