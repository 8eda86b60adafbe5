namespace LeadPropensity.Core.Evaluation;

/// <summary>
/// Evaluation metrics for lead scores: p are predicted probabilities in [0, 1], y are outcomes (true = won).
/// Every metric is checked against scikit-learn (tests/Core.Tests/Fixtures/make_metric_fixtures.py).
/// Undefined values (AUC with one class, AP without positives, rates of empty groups) are NaN.
/// </summary>
public static partial class Metrics
{
    /// <summary>Wilson's 1.96 for a two-sided 95% interval, to the digits scipy uses.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>Area under the ROC curve as the Mann-Whitney statistic: tied scores get average ranks (count half). NaN when only one class is present.</summary>
    public static double RocAuc(IReadOnlyList<double> p, IReadOnlyList<bool> y)
    {
        Validate(p, y, scoresOnly: true); // a ranking metric: any finite scores (raw margins, field values) will do
        long positives = CountPositives(y), negatives = p.Count - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        var order = StableOrder(p, descending: false);
        double positiveRankSum = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = TieGroupEnd(p, order, i);
            double averageRank = (i + j + 1) / 2.0; // 1-based ranks i+1 .. j
            for (int k = i; k < j; k++)
                if (y[order[k]]) positiveRankSum += averageRank;
            i = j;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// Average precision as scikit-learn defines it: the sum over distinct score thresholds (highest first) of
    /// (recall gained) * precision, step-wise with no interpolation; tied scores form one threshold. NaN without positives.
    /// </summary>
    public static double AveragePrecision(IReadOnlyList<double> p, IReadOnlyList<bool> y)
    {
        Validate(p, y);
        long positives = CountPositives(y);
        if (positives == 0) return double.NaN;
        var order = StableOrder(p, descending: true);
        long tp = 0, fp = 0;
        double ap = 0, previousRecall = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = TieGroupEnd(p, order, i);
            for (int k = i; k < j; k++)
                if (y[order[k]]) tp++; else fp++;
            double recall = (double)tp / positives;
            ap += (recall - previousRecall) * tp / (tp + fp);
            previousRecall = recall;
            i = j;
        }
        return ap;
    }

    /// <summary>Mean negative log-likelihood in natural log (nats); probabilities are clipped to [1e-15, 1 - 1e-15] like scikit-learn.</summary>
    public static double LogLoss(IReadOnlyList<double> p, IReadOnlyList<bool> y)
    {
        Validate(p, y);
        double sum = 0;
        for (int i = 0; i < p.Count; i++) sum += LogLoss(p[i], y[i]);
        return sum / p.Count;
    }

    /// <summary>One row's log loss, the probability clipped to [1e-15, 1 − 1e-15] as scikit-learn does.</summary>
    public static double LogLoss(double p, bool y)
    {
        const double eps = 1e-15;
        var q = Math.Clamp(p, eps, 1 - eps);
        return y ? -Math.Log(q) : -Math.Log(1 - q);
    }

    /// <summary>Brier score: mean squared difference between probability and outcome (0 best, 1 worst).</summary>
    public static double Brier(IReadOnlyList<double> p, IReadOnlyList<bool> y)
    {
        Validate(p, y);
        double sum = 0;
        for (int i = 0; i < p.Count; i++)
        {
            double d = p[i] - (y[i] ? 1.0 : 0.0);
            sum += d * d;
        }
        return sum / p.Count;
    }

    /// <summary>Wilson score interval for a proportion, clamped to [0, 1]; (0, 1) when n is 0 because nothing is known.</summary>
    public static (double Low, double High) Wilson(int successes, int n, double z = Z95)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must not be negative.");
        if (successes < 0 || successes > n)
            throw new ArgumentOutOfRangeException(nameof(successes), successes, $"successes must be between 0 and n ({n}).");
        if (!(z > 0) || double.IsInfinity(z)) throw new ArgumentOutOfRangeException(nameof(z), z, "z must be positive and finite.");
        if (n == 0) return (0, 1);
        double rate = (double)successes / n, z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (rate + z2 / (2.0 * n)) / denominator;
        double half = z / denominator * Math.Sqrt(rate * (1 - rate) / n + z2 / (4.0 * n * n));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>All headline metrics at once; Mce and Reliability use equal-width bins.</summary>
    public static MetricSummary Summarize(IReadOnlyList<double> p, IReadOnlyList<bool> y, int bins = 10)
    {
        Validate(p, y);
        CheckBins(bins);
        int positives = CountPositives(y);
        var reliability = Reliability(p, y, bins, BinStrategy.EqualWidth);
        return new MetricSummary(
            p.Count, positives, (double)positives / p.Count,
            RocAuc(p, y), AveragePrecision(p, y), LogLoss(p, y), Brier(p, y), Murphy(p, y, bins),
            Ece(reliability, p.Count), Ece(p, y, bins, BinStrategy.EqualMass), Mce(reliability),
            reliability, LiftByDecile(p, y));
    }

    internal static void Validate(IReadOnlyList<double> p, IReadOnlyList<bool> y, bool scoresOnly = false)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(y);
        if (p.Count == 0) throw new ArgumentException("At least one prediction is needed; the input is empty.", nameof(p));
        if (p.Count != y.Count)
            throw new ArgumentException($"Probabilities and labels differ in length ({p.Count} vs {y.Count}).", nameof(y));
        for (int i = 0; i < p.Count; i++)
        {
            if (!double.IsFinite(p[i])) throw new ArgumentException($"Probability at index {i} is {p[i]}.", nameof(p));
            if (!scoresOnly && (p[i] < 0 || p[i] > 1)) throw new ArgumentException($"Probability at index {i} is {p[i]}, outside [0, 1].", nameof(p));
        }
    }

    internal static void CheckBins(int bins)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "There must be at least one bin.");
    }

    internal static int CountPositives(IReadOnlyList<bool> y)
    {
        int count = 0;
        for (int i = 0; i < y.Count; i++)
            if (y[i]) count++;
        return count;
    }

    /// <summary>Indices sorted by value; ties keep input order so results never depend on the sort algorithm.</summary>
    internal static int[] StableOrder(IReadOnlyList<double> values, bool descending)
    {
        var order = new int[values.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int c = values[a].CompareTo(values[b]);
            return c != 0 ? (descending ? -c : c) : a.CompareTo(b);
        });
        return order;
    }

    /// <summary>The end (exclusive) of the run of equal values starting at sorted position start.</summary>
    private static int TieGroupEnd(IReadOnlyList<double> values, int[] order, int start)
    {
        int end = start + 1;
        while (end < order.Length && values[order[end]] == values[order[start]]) end++;
        return end;
    }
}
