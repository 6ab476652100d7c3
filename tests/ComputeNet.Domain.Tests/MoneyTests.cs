using ComputeNet.Domain.Money;
using ComputeNet.Domain.Settlement;
using CsCheck;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §1: exact amounts, one rounding half away from zero, shares in bp, largest remainder.</summary>
public class MoneyTests
{
    [Theory]
    [InlineData(144768, 300, 4343)]     // §13: 4343.04
    [InlineData(5, 5000, 3)]            // 2.5 → 3
    [InlineData(-5, 5000, -3)]          // −2.5 → −3 (away from zero, not towards +∞)
    [InlineData(15, 1000, 2)]           // 1.5 → 2
    [InlineData(-15, 1000, -2)]         // −1.5 → −2
    [InlineData(14, 1000, 1)]           // 1.4 → 1
    [InlineData(-14, 1000, -1)]         // −1.4 → −1
    [InlineData(16, 1000, 2)]           // 1.6 → 2
    [InlineData(-144768, 1000, -14477)] // SLA-credit-like: −14476.8 → −14477
    [InlineData(144768, 3000, 43430)]   // §13 voucher coverage 30 %: 43430.4
    [InlineData(0, 300, 0)]
    [InlineData(123456, 0, 0)]
    [InlineData(123456, 10000, 123456)]
    public void Share_rounds_half_away_from_zero(long amount, int bp, long expected) =>
        Assert.Equal(new Fen(expected), Exact.Share(new Fen(amount), new BasisPoints(bp)));

    [Fact]
    public void Share_of_a_negative_amount_mirrors_the_positive_one() =>
        Gen.Select(Gen.Long[-1_000_000_000_000, 1_000_000_000_000], Gen.Int[0, 10_000]).Sample((amount, bp) =>
        {
            var share = Exact.Share(new Fen(amount), new BasisPoints(bp)).Value;
            Assert.Equal(-share, Exact.Share(new Fen(-amount), new BasisPoints(bp)).Value);
            // Within half a fen of the exact value: |share·10000 − amount·bp| ≤ 5000.
            Assert.True(Int128.Abs((Int128)share * 10_000 - (Int128)amount * bp) <= 5_000, $"share {share} of {amount} at {bp} bp");
        }, iter: 2_000);

    [Theory]
    [InlineData(144768, 8194)] // §13: 8194.41…
    [InlineData(106, 6)]
    [InlineData(53, 3)]        // exactly 3
    [InlineData(9, 1)]         // 0.509… → 1
    [InlineData(8, 0)]         // 0.4528… → 0
    [InlineData(-144768, -8194)]
    [InlineData(-9, -1)]
    [InlineData(0, 0)]
    public void IncludedVat_is_six_of_one_hundred_and_six_rounded_once(long amount, long expectedTax) =>
        Assert.Equal(new Fen(expectedTax), Exact.IncludedVat(new Fen(amount)));

    [Fact]
    public void IncludedVat_rounds_to_the_nearest_fen_on_both_sides_of_zero()
    {
        // amount × 3 / 53 is never exactly half a fen (6x = 53·odd has no whole x), so check both neighbours.
        Assert.Equal(new Fen(2), Exact.IncludedVat(new Fen(44)));  // 2.490…
        Assert.Equal(new Fen(3), Exact.IncludedVat(new Fen(45)));  // 2.547…
        Assert.Equal(new Fen(-2), Exact.IncludedVat(new Fen(-44)));
        Assert.Equal(new Fen(-3), Exact.IncludedVat(new Fen(-45)));
    }

    [Fact]
    public void Split_of_the_worked_example_fee_by_50_25_25()
    {
        var parts = Exact.SplitLargestRemainder(new Fen(4343), [50, 25, 25]);
        Assert.Equal([new Fen(2171), new Fen(1086), new Fen(1086)], parts);
    }

    [Fact]
    public void Split_of_a_negative_whole_is_the_mirror_of_the_positive_split()
    {
        var parts = Exact.SplitLargestRemainder(new Fen(-4343), [50, 25, 25]);
        Assert.Equal([new Fen(-2171), new Fen(-1086), new Fen(-1086)], parts);
    }

    [Theory]
    [InlineData(1, new long[] { 1, 1, 1 }, new long[] { 1, 0, 0 })]
    [InlineData(2, new long[] { 1, 1, 1 }, new long[] { 1, 1, 0 })]
    [InlineData(1, new long[] { 25, 25, 50 }, new long[] { 0, 0, 1 })]  // 0.25, 0.25, 0.5: largest remainder wins
    [InlineData(2, new long[] { 25, 25, 50 }, new long[] { 1, 0, 1 })]  // 0.5, 0.5, 1.0: tie to the part listed first
    [InlineData(3, new long[] { 25, 50, 25 }, new long[] { 1, 1, 1 })]  // 0.75, 1.5, 0.75 → 0,1,0 + 2 leftover to parts 0 and 2
    [InlineData(10, new long[] { 0, 1, 1 }, new long[] { 0, 5, 5 })]
    [InlineData(7, new long[] { 3 }, new long[] { 7 })]
    [InlineData(0, new long[] { 50, 25, 25 }, new long[] { 0, 0, 0 })]
    public void Split_gives_the_leftover_fen_to_the_largest_remainders_ties_to_the_first(long whole, long[] weights, long[] expected) =>
        Assert.Equal(expected.Select(e => new Fen(e)), Exact.SplitLargestRemainder(new Fen(whole), weights));

    [Fact]
    public void Split_parts_always_sum_to_the_whole_and_each_is_within_one_fen_of_its_exact_share() =>
        Gen.Select(Gen.Long[-10_000_000_000, 10_000_000_000], Gen.Long[0, 1_000].Array[1, 6])
            .Where((_, w) => w.Sum() > 0)
            .Sample((whole, weights) =>
            {
                var parts = Exact.SplitLargestRemainder(new Fen(whole), weights);
                Assert.Equal(weights.Length, parts.Length);
                Assert.Equal(whole, parts.Sum(p => p.Value));
                var total = weights.Sum();
                for (var i = 0; i < parts.Length; i++)
                {
                    // |part·total − whole·w| < total  ⇔  |part − exact| < 1 fen
                    var diff = (Int128)parts[i].Value * total - (Int128)whole * weights[i];
                    Assert.True(diff > -total && diff < total, $"part {i} = {parts[i]} of {whole} by [{string.Join(",", weights)}]");
                    if (weights[i] == 0)
                    {
                        Assert.Equal(Fen.Zero, parts[i]);
                    }
                }
            }, iter: 2_000);

    [Fact]
    public void Split_rejects_weights_that_sum_to_zero_or_are_negative()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Exact.SplitLargestRemainder(new Fen(100), [0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Exact.SplitLargestRemainder(new Fen(100), [50, -1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Exact.SplitLargestRemainder(new Fen(100), []));
    }

    [Theory]
    [InlineData("2.5", 3)]
    [InlineData("-2.5", -3)]
    [InlineData("2.4999", 2)]
    [InlineData("-2.4999", -2)]
    [InlineData("-0.5", -1)]
    [InlineData("0.4999999", 0)]
    public void Ratio_rounds_half_away_from_zero(string value, long expected) =>
        Assert.Equal(expected, Exact.Ratio.Of(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)).RoundHalfAwayFromZero());

    [Fact]
    public void Ratio_divided_by_a_negative_keeps_the_denominator_positive() =>
        Assert.Equal(-3, Exact.Ratio.Of(5).DividedBy(-2).RoundHalfAwayFromZero());

    [Fact]
    public void Compute_amount_of_the_worked_example()
    {
        // §13: 576,000 device-seconds × 0.156 SCU × 58.00 yuan / 3600 = 1447.68 yuan.
        Assert.Equal(new Fen(144768), Rating.ComputeAmount(576_000, 0.156m, 58.00m));
        Assert.Equal(24.96m, Rating.ScuHours(576_000, 0.156m));
    }

    [Theory]
    [InlineData(3000, 1)]  // 3000 × 0.006 × 1.00 × 100 / 3600 = 0.5 → 1
    [InlineData(2999, 0)]  // 0.4998… → 0
    [InlineData(9000, 2)]  // 1.5 → 2
    public void Compute_amount_rounds_once_half_away_from_zero(long deviceSeconds, long expectedFen) =>
        Assert.Equal(new Fen(expectedFen), Rating.ComputeAmount(deviceSeconds, 0.006m, 1.00m));

    [Fact]
    public void Compute_amount_divides_once_over_the_sum_not_per_record()
    {
        // Two half-hour records on one device of 0.156 SCU at 58.00: each alone is 452.4 fen.
        var perRecord = Rating.ComputeAmount(1_800, 0.156m, 58.00m);
        Assert.Equal(new Fen(452), perRecord);
        // Rounded once over the sum: 904.8 → 905, not 452 + 452 = 904.
        Assert.Equal(new Fen(905), Rating.ComputeAmount(3_600, 0.156m, 58.00m));
        Assert.NotEqual(perRecord + perRecord, Rating.ComputeAmount(3_600, 0.156m, 58.00m));
    }

    [Fact]
    public void Compute_amount_keeps_every_digit_of_a_four_place_price()
    {
        // 1 SCU-hour at 58.2549: 5825.49 fen → 5825; at 58.2550: 5825.5 → 5826.
        Assert.Equal(new Fen(5825), Rating.ComputeAmount(3_600, 1m, 58.2549m));
        Assert.Equal(new Fen(5826), Rating.ComputeAmount(3_600, 1m, 58.2550m));
    }

    [Fact]
    public void Fen_prints_as_yuan_with_two_decimals()
    {
        Assert.Equal("1447.68", new Fen(144768).ToYuanString());
        Assert.Equal("-0.05", new Fen(-5).ToYuanString());
    }
}
