using System.Globalization;

namespace ComputeNet.Domain.Money;

/// <summary>
/// An amount of CNY in whole fen (1 yuan = 100 fen), signed, 64-bit. Every stored amount is
/// a <see cref="Fen"/>; there is no fractional fen anywhere (market-rules §1).
/// </summary>
public readonly record struct Fen(long Value) : IComparable<Fen>
{
    public static readonly Fen Zero = new(0);

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

/// <summary>A share in basis points: 1 bp = 0.01 %, 10,000 bp = 100 %.</summary>
public readonly record struct BasisPoints(int Value)
{
    public const int Whole = 10_000;

    public bool IsValidShare => Value is >= 0 and <= Whole;

    public override string ToString() => $"{Value} bp";
}
