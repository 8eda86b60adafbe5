namespace LeadPropensity.Core.Evaluation;

public static partial class Metrics
{
    /// <summary>
    /// Lift by decile of descending score. Leads are sorted by score, ties in input order, and decile d holds sorted
    /// positions [floor((d-1)N/10), floor(dN/10)), so tied scores can straddle a decile boundary. With fewer than ten
    /// leads the empty deciles are left out. Lift and CumulativeGain are NaN when there are no positives.
    /// </summary>
    public static IReadOnlyList<LiftRow> LiftByDecile(IReadOnlyList<double> p, IReadOnlyList<bool> y)
    {
        Validate(p, y);
        var order = StableOrder(p, descending: true);
        long n = order.Length;
        int total = CountPositives(y);
        double baseRate = (double)total / n;
        var rows = new List<LiftRow>(10);
        int cumulative = 0;
        for (int d = 1; d <= 10; d++)
        {
            int start = (int)((d - 1) * n / 10), end = (int)(d * n / 10);
            if (end == start) continue;
            int positives = 0;
            for (int k = start; k < end; k++)
                if (y[order[k]]) positives++;
            cumulative += positives;
            double rate = (double)positives / (end - start);
            rows.Add(new LiftRow(
                d, end - start, positives, rate,
                total > 0 ? rate / baseRate : double.NaN,
                total > 0 ? (double)cumulative / total : double.NaN,
                MinScore: p[order[end - 1]], MaxScore: p[order[start]]));
        }
        return rows;
    }

    /// <summary>
    /// The band table: a lead goes to the first band whose MinProbability &lt;= p. Cutoffs must be strictly decreasing and the
    /// last must be &lt;= 0 so every lead has a band. ConversionRate and PrecisionAtOrAbove are NaN for empty groups,
    /// RecallAtOrAbove is NaN without positives.
    /// </summary>
    public static IReadOnlyList<BandRow> Bands(IReadOnlyList<double> p, IReadOnlyList<bool> y, IReadOnlyList<BandCutoff> cutoffs)
    {
        Validate(p, y);
        ValidateCutoffs(cutoffs);
        if (cutoffs[^1].MinProbability > 0)
            throw new ArgumentException($"The last band ('{cutoffs[^1].Name}') must have MinProbability <= 0 so every lead has a band.", nameof(cutoffs));
        var count = new int[cutoffs.Count];
        var positives = new int[cutoffs.Count];
        for (int i = 0; i < p.Count; i++)
        {
            int band = 0;
            while (cutoffs[band].MinProbability > p[i]) band++;
            count[band]++;
            if (y[i]) positives[band]++;
        }
        int total = CountPositives(y), countAbove = 0, positivesAbove = 0;
        var rows = new List<BandRow>(cutoffs.Count);
        for (int b = 0; b < cutoffs.Count; b++)
        {
            countAbove += count[b];
            positivesAbove += positives[b];
            var (low, high) = Wilson(positives[b], count[b]);
            rows.Add(new BandRow(
                cutoffs[b].Name, count[b], (double)count[b] / p.Count, positives[b],
                count[b] > 0 ? (double)positives[b] / count[b] : double.NaN, low, high,
                countAbove > 0 ? (double)positivesAbove / countAbove : double.NaN,
                total > 0 ? (double)positivesAbove / total : double.NaN));
        }
        return rows;
    }

    /// <summary>One confusion matrix per cutoff, predicting positive when p &gt;= MinProbability ("this band or better").</summary>
    public static IReadOnlyList<ConfusionAt> ConfusionAtCutoffs(IReadOnlyList<double> p, IReadOnlyList<bool> y, IReadOnlyList<BandCutoff> cutoffs)
    {
        Validate(p, y);
        ValidateCutoffs(cutoffs);
        var result = new List<ConfusionAt>(cutoffs.Count);
        foreach (var cutoff in cutoffs)
        {
            int tp = 0, fp = 0, tn = 0, fn = 0;
            for (int i = 0; i < p.Count; i++)
            {
                bool predicted = p[i] >= cutoff.MinProbability;
                if (predicted) { if (y[i]) tp++; else fp++; }
                else if (y[i]) fn++;
                else tn++;
            }
            result.Add(new ConfusionAt(cutoff.Name, cutoff.MinProbability, tp, fp, tn, fn));
        }
        return result;
    }

    private static void ValidateCutoffs(IReadOnlyList<BandCutoff> cutoffs)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        if (cutoffs.Count == 0) throw new ArgumentException("At least one band cutoff is needed.", nameof(cutoffs));
        for (int i = 0; i < cutoffs.Count; i++)
        {
            var c = cutoffs[i] ?? throw new ArgumentException($"Band cutoff at index {i} is null.", nameof(cutoffs));
            if (string.IsNullOrWhiteSpace(c.Name)) throw new ArgumentException($"Band cutoff at index {i} has no name.", nameof(cutoffs));
            if (!double.IsFinite(c.MinProbability))
                throw new ArgumentException($"Band '{c.Name}' has a non-finite MinProbability.", nameof(cutoffs));
            if (i > 0 && c.MinProbability >= cutoffs[i - 1].MinProbability)
                throw new ArgumentException(
                    $"Band cutoffs must be ordered best first with strictly decreasing MinProbability; '{c.Name}' ({c.MinProbability}) is not below '{cutoffs[i - 1].Name}' ({cutoffs[i - 1].MinProbability}).",
                    nameof(cutoffs));
        }
    }
}
