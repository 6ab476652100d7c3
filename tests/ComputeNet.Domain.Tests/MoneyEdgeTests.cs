using ComputeNet.Domain.Money;
using ComputeNet.Domain.Settlement;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §1: the fen type's arithmetic and limits, exact ratios, and balanced transactions (§10).</summary>
public class MoneyEdgeTests
{
    [Fact]
    public void Fen_arithmetic_is_checked_and_exact()
    {
        Assert.Equal(new Fen(7), new Fen(3) + new Fen(4));
        Assert.Equal(new Fen(-1), new Fen(3) - new Fen(4));
        Assert.Equal(new Fen(-3), -new Fen(3));
        Assert.Throws<OverflowException>(() => new Fen(long.MaxValue) + new Fen(1));
        Assert.Throws<OverflowException>(() => new Fen(long.MinValue) - new Fen(1));
        Assert.Throws<OverflowException>(() => -new Fen(long.MinValue));
        Assert.Equal(Fen.Zero, new Fen(0));
    }

    [Fact]
    public void Fen_comparisons()
    {
        Fen one = new(1), two = new(2), alsoOne = new(1);
        Assert.True(one < two);
        Assert.False(two < one);
        Assert.False(one < alsoOne);
        Assert.True(two > one);
        Assert.False(one > two);
        Assert.False(one > alsoOne);
        Assert.True(one <= alsoOne);
        Assert.True(one <= two);
        Assert.False(two <= one);
        Assert.True(one >= alsoOne);
        Assert.True(two >= one);
        Assert.False(one >= two);
        Assert.Equal(one, Fen.Min(one, two));
        Assert.Equal(one, Fen.Min(two, one));
        Assert.Equal(-1, one.CompareTo(two));
        Assert.Equal(1, two.CompareTo(one));
        Assert.Equal(0, one.CompareTo(new Fen(1)));
    }

    [Theory]
    [InlineData(0, "0.00", "0")]
    [InlineData(5, "0.05", "5")]
    [InlineData(-5, "-0.05", "-5")]
    [InlineData(144_768, "1447.68", "144768")]
    [InlineData(-175_172, "-1751.72", "-175172")]
    public void Fen_prints_as_yuan_and_as_whole_fen(long fen, string yuan, string text)
    {
        Assert.Equal(yuan, new Fen(fen).ToYuanString());
        Assert.Equal(text, new Fen(fen).ToString());
    }

    [Fact]
    public void Basis_points_are_a_share_from_0_to_10000()
    {
        Assert.Equal(10_000, BasisPoints.Whole);
        Assert.True(new BasisPoints(0).IsValidShare);
        Assert.True(new BasisPoints(10_000).IsValidShare);
        Assert.False(new BasisPoints(-1).IsValidShare);
        Assert.False(new BasisPoints(10_001).IsValidShare);
        Assert.Equal("300 bp", new BasisPoints(300).ToString());
    }

    [Fact]
    public void Ratios_add_and_multiply_exactly()
    {
        var third = new Exact.Ratio(1, 3);
        var sixth = new Exact.Ratio(1, 6);
        Assert.Equal(new Exact.Ratio(9, 18), third + sixth);
        Assert.Equal(new Exact.Ratio(1, 18), third * sixth);
        Assert.Equal(new Exact.Ratio(5, 3), third * 5);
        Assert.Equal(new Exact.Ratio(-1, 6), new Exact.Ratio(1, 3).DividedBy(-2));
        Assert.Throws<DivideByZeroException>(() => third.DividedBy(0));
    }

    [Theory]
    [InlineData("0.156", 156L, 1000L)]
    [InlineData("-58.25", -5825L, 100L)]
    [InlineData("79228162514264337593543950335", null, 1L)]
    [InlineData("-0.0000000000000000000000000001", -1L, null)]
    public void Decimals_become_exact_ratios(string text, long? numerator, long? denominator)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var r = Exact.Ratio.Of(value);
        if (numerator is { } n)
        {
            Assert.Equal(n, (long)r.Numerator);
        }
        if (denominator is { } d)
        {
            Assert.Equal(d, (long)r.Denominator);
        }
        Assert.Equal(value, (decimal)r.Numerator / (decimal)r.Denominator);
    }

    [Fact]
    public void A_decimal_using_all_96_bits_keeps_every_bit()
    {
        // 2^96 − 1 = 79228162514264337593543950335 needs the low, middle and high 32 bits.
        var r = Exact.Ratio.Of(decimal.MaxValue);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 96) - 1, r.Numerator);
        Assert.Equal(System.Numerics.BigInteger.One, r.Denominator);
        Assert.Equal(new System.Numerics.BigInteger(4_294_967_296), Exact.Ratio.Of(4_294_967_296m).Numerator);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 64), Exact.Ratio.Of(18_446_744_073_709_551_616m).Numerator);
    }

    [Theory]
    [InlineData(1, 3, 2, "0.33")]
    [InlineData(2, 3, 2, "0.67")]
    [InlineData(-2, 3, 2, "-0.67")]
    [InlineData(1, 8, 2, "0.13")]
    [InlineData(-1, 8, 2, "-0.13")]
    [InlineData(5, 1, 0, "5")]
    [InlineData(1, 2, 6, "0.500000")]
    [InlineData(1_000_000_000_000, 7, 6, "142857142857.142857")]
    public void ToDecimal_rounds_half_away_from_zero_to_the_places(long n, long d, int places, string expected) =>
        Assert.Equal(expected, new Exact.Ratio(n, d).ToDecimal(places).ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void ToDecimal_keeps_magnitudes_above_32_bits()
    {
        Assert.Equal(5_000_000_000.5m, new Exact.Ratio(10_000_000_001, 2).ToDecimal(1));
        Assert.Equal(-5_000_000_000.5m, new Exact.Ratio(-10_000_000_001, 2).ToDecimal(1));
    }

    [Theory]
    [InlineData(7, 2, 4)]
    [InlineData(-7, 2, -4)]
    [InlineData(5, 3, 2)]
    [InlineData(4, 3, 1)]
    [InlineData(-4, 3, -1)]
    [InlineData(0, 5, 0)]
    public void Ratios_round_half_away_from_zero(long n, long d, long expected) => Assert.Equal(expected, new Exact.Ratio(n, d).RoundHalfAwayFromZero());

    [Fact]
    public void A_transaction_balances_when_its_postings_sum_to_zero()
    {
        var balanced = new TransactionPosted("t", "p", "k", "m", [new Posting("a", 5), new Posting("b", -3), new Posting("c", -2)], default);
        Assert.Equal(0, balanced.Sum);
        Assert.Same(balanced, balanced.EnsureBalanced());

        var off = balanced with { Postings = [new Posting("a", 5), new Posting("b", -3)] };
        Assert.Equal(2, off.Sum);
        var ex = Assert.Throws<InvalidOperationException>(() => off.EnsureBalanced());
        Assert.Contains("off by 2 fen", ex.Message);
        Assert.Equal(0, (balanced with { Postings = [] }).Sum);
    }

    [Fact]
    public void Rating_formulas_of_market_rules_7()
    {
        // §7: SCU-hours to 6 places for display; transport round(GB × tariff) in fen.
        Assert.Equal(24.96m, Rating.ScuHours(576_000, 0.156m));
        Assert.Equal(0.000043m, Rating.ScuHours(1, 0.156m));   // 0.0000433… → 0.000043
        Assert.Equal(0.000044m, Rating.ScuHours(1, 0.158m));   // 0.0000438… → 0.000044
        Assert.Equal(new Fen(988), Rating.TransportAmount(123.45m, 0.08m));
        Assert.Equal(new Fen(1), Rating.TransportAmount(0.25m, 0.02m));   // 0.5 fen → 1
        Assert.Equal(new Fen(0), Rating.TransportAmount(0.24m, 0.02m));   // 0.48 fen → 0
        Assert.Equal(new Fen(0), Rating.ComputeAmount(0, 0.156m, 58m));
        Assert.Equal(new Fen(905), Rating.ComputeAmount(3_600, 0.156m, 58m));
        Assert.Equal(0.08m, Rating.TransportTariff(20.1m));
    }
}
