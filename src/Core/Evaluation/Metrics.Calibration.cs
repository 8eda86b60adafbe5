namespace LeadPropensity.Core.Evaluation;

public static partial class Metrics
{
    /// <summary>
    /// Murphy's decomposition over equal-width bins: Reliability = sum (n_b/N)(mean_pred_b - rate_b)^2,
    /// Resolution = sum (n_b/N)(rate_b - base)^2, Uncertainty = base(1 - base).
    /// Brier = Reliability - Resolution + Uncertainty holds exactly only when predictions are constant within each bin;
    /// otherwise the within-bin spread of predictions is left out and the identity is approximate.
    /// </summary>
    public static BrierDecomposition Murphy(IReadOnlyList<double> p, IReadOnlyList<bool> y, int bins = 10)
    {
        Validate(p, y);
        CheckBins(bins);
        var (count, positives, sums) = Tally(p, y, bins, v => WidthBin(v, bins));
        double baseRate = (double)CountPositives(y) / p.Count;
        double reliability = 0, resolution = 0;
        for (int b = 0; b < bins; b++)
        {
            if (count[b] == 0) continue;
            double weight = (double)count[b] / p.Count, rate = (double)positives[b] / count[b], mean = sums[b] / count[b];
            reliability += weight * (mean - rate) * (mean - rate);
            resolution += weight * (rate - baseRate) * (rate - baseRate);
        }
        return new BrierDecomposition(Brier(p, y), reliability, resolution, baseRate * (1 - baseRate));
    }

    /// <summary>
    /// Reliability diagram bins. EqualWidth: bin i is [i/B, (i+1)/B) with 1.0 in the last bin; all B bins are returned,
    /// empty ones with Count 0. EqualMass: edges are the quantiles of p at k/B (linear interpolation); a prediction goes to
    /// the bin numbered by how many inner edges lie strictly below it (scikit-learn's calibration_curve "quantile"), so tied
    /// predictions always share a bin; bins left empty by tied edges are dropped and the rest numbered from 0.
    /// </summary>
    public static IReadOnlyList<ReliabilityBin> Reliability(IReadOnlyList<double> p, IReadOnlyList<bool> y, int bins = 10, BinStrategy strategy = BinStrategy.EqualWidth)
    {
        Validate(p, y);
        CheckBins(bins);
        switch (strategy)
        {
            case BinStrategy.EqualWidth:
                return Collect(p, y, bins, v => WidthBin(v, bins), b => ((double)b / bins, (double)(b + 1) / bins), dropEmpty: false);
            case BinStrategy.EqualMass:
                var edges = QuantileEdges(p, bins);
                return Collect(p, y, bins, v => MassBin(edges, v), b => (edges[b], edges[b + 1]), dropEmpty: true);
            default:
                throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown bin strategy.");
        }
    }

    /// <summary>Expected calibration error: sum over bins of (n_b/N) * |mean predicted - observed rate|, in [0, 1].</summary>
    public static double Ece(IReadOnlyList<double> p, IReadOnlyList<bool> y, int bins = 10, BinStrategy strategy = BinStrategy.EqualWidth)
        => Ece(Reliability(p, y, bins, strategy), p.Count);

    /// <summary>Maximum calibration error: the largest |mean predicted - observed rate| over non-empty bins.</summary>
    public static double Mce(IReadOnlyList<double> p, IReadOnlyList<bool> y, int bins = 10, BinStrategy strategy = BinStrategy.EqualWidth)
        => Mce(Reliability(p, y, bins, strategy));

    private static double Ece(IReadOnlyList<ReliabilityBin> bins, int n)
    {
        double ece = 0;
        foreach (var b in bins)
            if (b.Count > 0) ece += (double)b.Count / n * Math.Abs(b.MeanPredicted - b.ObservedRate);
        return ece;
    }

    private static double Mce(IReadOnlyList<ReliabilityBin> bins)
    {
        double mce = 0;
        foreach (var b in bins)
            if (b.Count > 0) mce = Math.Max(mce, Math.Abs(b.MeanPredicted - b.ObservedRate));
        return mce;
    }

    /// <summary>floor(p * B), with 1.0 folded into the last bin.</summary>
    internal static int WidthBin(double p, int bins) => Math.Min((int)Math.Floor(p * bins), bins - 1);

    /// <summary>
    /// Quantiles of the values at k/B for k = 0..B, numpy's default linear interpolation; the position (N-1)k/B is split
    /// into whole and fractional parts with integers so the edges are the same doubles the Python reference computes.
    /// </summary>
    internal static double[] QuantileEdges(IReadOnlyList<double> values, int bins)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var edges = new double[bins + 1];
        for (int k = 0; k <= bins; k++)
        {
            long position = (long)(sorted.Length - 1) * k;
            int lo = (int)(position / bins);
            long remainder = position % bins;
            edges[k] = remainder == 0 ? sorted[lo] : sorted[lo] + ((double)remainder / bins) * (sorted[lo + 1] - sorted[lo]);
        }
        return edges;
    }

    /// <summary>The number of inner edges (edges[1..B-1]) strictly below v.</summary>
    internal static int MassBin(double[] edges, double v)
    {
        int lo = 1, hi = edges.Length - 1; // search inner edges [lo, hi) for the first edge >= v
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (edges[mid] < v) lo = mid + 1; else hi = mid;
        }
        return lo - 1;
    }

    private static (int[] Count, int[] Positives, double[] Sums) Tally(IReadOnlyList<double> p, IReadOnlyList<bool> y, int bins, Func<double, int> binOf)
    {
        var count = new int[bins];
        var positives = new int[bins];
        var sums = new double[bins];
        for (int i = 0; i < p.Count; i++)
        {
            int b = binOf(p[i]);
            count[b]++;
            sums[b] += p[i];
            if (y[i]) positives[b]++;
        }
        return (count, positives, sums);
    }

    private static List<ReliabilityBin> Collect(IReadOnlyList<double> p, IReadOnlyList<bool> y, int bins, Func<double, int> binOf, Func<int, (double Lower, double Upper)> bounds, bool dropEmpty)
    {
        var (count, positives, sums) = Tally(p, y, bins, binOf);
        var result = new List<ReliabilityBin>(bins);
        for (int b = 0; b < bins; b++)
        {
            if (dropEmpty && count[b] == 0) continue;
            var (lower, upper) = bounds(b);
            var (low, high) = Wilson(positives[b], count[b]);
            double mean = count[b] > 0 ? sums[b] / count[b] : double.NaN;
            double rate = count[b] > 0 ? (double)positives[b] / count[b] : double.NaN;
            result.Add(new ReliabilityBin(dropEmpty ? result.Count : b, lower, upper, count[b], mean, rate, low, high));
        }
        return result;
    }
}
