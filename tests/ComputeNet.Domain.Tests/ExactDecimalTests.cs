using ComputeNet.Domain.Money;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §1: quantities shown to 6 places are rounded once, and a value that rounds to zero is a plain zero.</summary>
public class ExactDecimalTests
{
    [Fact]
    public void A_negative_value_that_rounds_to_zero_is_a_plain_zero_not_minus_zero()
    {
        var tiny = new Exact.Ratio(-1, 10_000_000);   // −0.0000001

        var shown = tiny.ToDecimal(6);

        Assert.Equal(0m, shown);
        Assert.False(decimal.IsNegative(shown));
        Assert.Equal("0.000000", shown.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_negative_value_keeps_its_sign_and_places()
    {
        var shown = new Exact.Ratio(-1_234_567, 1_000_000).ToDecimal(3);   // −1.234567 → −1.235

        Assert.Equal(-1.235m, shown);
        Assert.Equal("-1.235", shown.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
