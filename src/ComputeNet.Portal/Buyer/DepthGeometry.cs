using System.Globalization;
using ComputeNet.Application.Market.GetBookDepth;

namespace ComputeNet.Portal.Buyer;

/// <summary>
/// The depth chart's shapes: cumulative devices against price, bids (best first, cumulating to the left) and offers (best
/// first, cumulating to the right), as SVG polygons in a <see cref="Width"/> × <see cref="Height"/> box. Pure: no rendering.
/// </summary>
public sealed record DepthGeometry(string BidPoints, string OfferPoints, decimal MinPrice, decimal MaxPrice, long MaxDevices,
    IReadOnlyList<long> BidCumulative, IReadOnlyList<long> OfferCumulative)
{
    public const double Width = 640;
    public const double Height = 260;
    public const double Left = 48;
    public const double Right = 16;
    public const double Top = 12;
    public const double Bottom = 36;

    public double Baseline => Height - Bottom;

    /// <summary>Null when neither side has a level.</summary>
    public static DepthGeometry? Of(BookDepthView book)
    {
        if (book.Bids.Count == 0 && book.Offers.Count == 0)
        {
            return null;
        }
        var bidCum = Cumulate(book.Bids);
        var offerCum = Cumulate(book.Offers);
        var prices = book.Bids.Concat(book.Offers).Select(l => l.Price).ToList();
        var min = prices.Min();
        var max = prices.Max();
        if (min == max)
        {
            // One price only: a range around it, so the step is visible.
            min = Math.Max(0, min - 1);
            max += 1;
        }
        var maxDevices = Math.Max(1, Math.Max(bidCum.LastOrDefault(), offerCum.LastOrDefault()));
        double X(decimal price) => Left + (double)((price - min) / (max - min)) * (Width - Left - Right);
        double Y(long devices) => Height - Bottom - (double)devices / maxDevices * (Height - Bottom - Top);
        var baseline = Height - Bottom;

        string Polygon(IReadOnlyList<DepthLevelView> levels, IReadOnlyList<long> cumulative, double edge)
        {
            if (levels.Count == 0)
            {
                return "";
            }
            var points = new List<(double X, double Y)> { (X(levels[0].Price), baseline) };
            for (var i = 0; i < levels.Count; i++)
            {
                points.Add((X(levels[i].Price), Y(cumulative[i])));
                var nextX = i + 1 < levels.Count ? X(levels[i + 1].Price) : edge;
                points.Add((nextX, Y(cumulative[i])));
            }
            points.Add((edge, baseline));
            return string.Join(' ', points.Select(p => $"{Num(p.X)},{Num(p.Y)}"));
        }

        return new DepthGeometry(Polygon(book.Bids, bidCum, Left), Polygon(book.Offers, offerCum, Width - Right), min, max, maxDevices, bidCum, offerCum);
    }

    private static List<long> Cumulate(IReadOnlyList<DepthLevelView> levels)
    {
        var sum = 0L;
        return levels.Select(l => sum += l.Devices).ToList();
    }

    public static string Num(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
