using System.Globalization;

namespace ComputeNet.Domain.Money;

/// <summary>
/// An amount of CNY in whole fen (1 yuan = 100 fen), signed, 64-bit. Every stored amount is
/// a <see cref="Fen"/>; there is no fractional fen anywhere (market-rules §1).
/// </summary>
public readonly record struct Fen(long Value) : IComparable<Fen>
{
    public static readonly Fen Zero = new(0);

    /// <summary>
    /// 2^53 − 1: every amount, total and balance stays within ±<see cref="MaxSafe"/> fen, the integers a JSON number
    /// holds exactly (RFC 7493 I-JSON; RFC 8785 hashes them like any verifier), market-rules §6. Inputs that could take
    /// one beyond are refused `invalid` on arrival (ADR 0019).
    /// </summary>
    public const long MaxSafe = 9_007_199_254_740_991;

    /// <summary>Whether <paramref name="fen"/> lies within ±<see cref="MaxSafe"/>.</summary>
    public static bool IsSafe(long fen) => fen is >= -MaxSafe and <= MaxSafe;

    /// <summary>Whether an exact amount (e.g. an order's full window) lies within ±<see cref="MaxSafe"/>.</summary>
    public static bool IsSafe(System.Numerics.BigInteger fen) => System.Numerics.BigInteger.Abs(fen) <= MaxSafe;

    public static Fen operator +(Fen a, Fen b) => new(checked(a.Value + b.Value));
    public static Fen operator -(Fen a, Fen b) => new(checked(a.Value - b.Value));
    public static Fen operator -(Fen a) => new(checked(-a.Value));
    public static bool operator <(Fen a, Fen b) => a.Value < b.Value;
    public static bool operator >(Fen a, Fen b) => a.Value > b.Value;
    public static bool operator <=(Fen a, Fen b) => a.Value <= b.Value;
    public static bool operator >=(Fen a, Fen b) => a.Value >= b.Value;

    public static Fen Min(Fen a, Fen b) => a.Value <= b.Value ? a : b;

    public int CompareTo(Fen other) => Value.CompareTo(other.Value);

    /// <summary>Yuan with two decimals, for people (e.g. "1447.68").</summary>
    public string ToYuanString() => (Value / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A money total left ±<see cref="Fen.MaxSafe"/> fen (or a 64-bit integer) while being summed: thrown by the checked
/// arithmetic of every money path (<see cref="MoneyMath"/>) instead of wrapping silently. Arrival bounds make it
/// unreachable for a single line; for a sum over many accepted inputs it stops the operation before anything is written
/// (ADR 0019).
/// </summary>
public sealed class MoneyRangeException(string what, System.Numerics.BigInteger value)
    : OverflowException($"{what} would be {value} fen, beyond the ±{Fen.MaxSafe} fen every amount, total and balance stays within (market-rules §6)")
{
    public string What { get; } = what;

    /// <summary>The money-range exception behind <paramref name="e"/>, if any (a store or projection may wrap it).</summary>
    public static MoneyRangeException? Within(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 16; depth++)
        {
            if (e is MoneyRangeException m)
            {
                return m;
            }
            e = e is AggregateException { InnerExceptions.Count: > 0 } a ? a.InnerExceptions[0] : e.InnerException;
        }
        return null;
    }
}

/// <summary>
/// Checked sums for money: each result is checked against ±<see cref="Fen.MaxSafe"/> (and can never wrap a 64-bit
/// integer), throwing a <see cref="MoneyRangeException"/> naming the total.
/// </summary>
public static class MoneyMath
{
    /// <summary><paramref name="a"/> + <paramref name="b"/>, within ±<see cref="Fen.MaxSafe"/>.</summary>
    public static long Add(long a, long b, string what)
    {
        var sum = (System.Numerics.BigInteger)a + b;
        return Fen.IsSafe(sum) ? (long)sum : throw new MoneyRangeException(what, sum);
    }

    /// <summary>The sum of <paramref name="values"/>, within ±<see cref="Fen.MaxSafe"/> at every step.</summary>
    public static long Sum(IEnumerable<long> values, string what)
    {
        long total = 0;
        foreach (var v in values)
        {
            total = Add(total, v, what);
        }
        return total;
    }

    /// <summary>The sum of <paramref name="selector"/> over <paramref name="items"/>, within ±<see cref="Fen.MaxSafe"/> at every step.</summary>
    public static long Sum<T>(IEnumerable<T> items, Func<T, long> selector, string what) => Sum(items.Select(selector), what);

    /// <summary><paramref name="value"/> itself when within ±<see cref="Fen.MaxSafe"/>.</summary>
    public static long Ensure(long value, string what) => Fen.IsSafe(value) ? value : throw new MoneyRangeException(what, value);

    /// <summary>An exact amount as a long when within ±<see cref="Fen.MaxSafe"/>.</summary>
    public static long Ensure(System.Numerics.BigInteger value, string what) => Fen.IsSafe(value) ? (long)value : throw new MoneyRangeException(what, value);
}

/// <summary>A share in basis points: 1 bp = 0.01 %, 10,000 bp = 100 %.</summary>
public readonly record struct BasisPoints(int Value)
{
    public const int Whole = 10_000;

    public bool IsValidShare => Value is >= 0 and <= Whole;

    public override string ToString() => $"{Value} bp";
}
