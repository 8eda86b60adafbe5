using LeadPropensity.Core.Evaluation;

namespace LeadPropensity.Core.Bands;

/// <summary>One band of a simulation: its volume and how often its leads converted on held-out data.</summary>
public sealed record SimulatedBand(
    string Name, double MinProbability, int Leads, double Share, double LeadsPer1000, int Conversions,
    double ConversionRate, double WilsonLow, double WilsonHigh);

/// <summary>
/// What sending every lead scored at or above <see cref="Cutoff"/> gets: volume, and precision and recall against
/// the held-out outcomes. Precision is NaN when nothing is sent, recall when there are no conversions.
/// </summary>
public sealed record CutoffQuality(
    double Cutoff, int Leads, double Share, double LeadsPer1000, int TruePositives, int FalsePositives, int FalseNegatives,
    double Precision, double Recall);

/// <summary>What candidate cutoffs would have done on a model's held-out leads.</summary>
public sealed record CutoffSimulation(
    BandCutoffs Cutoffs, int Leads, int Conversions, double BaseRate, IReadOnlyList<SimulatedBand> Bands,
    CutoffQuality Sql, CutoffQuality MqlOrBetter);

/// <summary>The answer to "which SQL cutoff reaches this precision?": null <see cref="Quality"/> when no cutoff does.</summary>
public sealed record PrecisionTarget(double Target, CutoffQuality? Quality, double BestPrecision);

/// <summary>
/// The cutoff simulator: per band volume and conversion, precision and recall of SQL and of MQL-or-better, and the
/// inverse questions (the SQL cutoff for a precision target, or for the top K%). Every number comes from
/// <see cref="Metrics.Bands"/> and <see cref="Metrics.ConfusionAtCutoffs"/>, so it matches the evaluation report.
/// Held-out data says nothing about disqualification, so the simulation covers SQL, MQL and Nurture.
/// </summary>
public static class CutoffSimulator
{
    public static CutoffSimulation Simulate(IReadOnlyList<double> p, IReadOnlyList<bool> y, BandCutoffs cutoffs)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        var names = cutoffs.Names;
        BandCutoff[] table = [new(names.Sql, cutoffs.Sql), new(names.Mql, cutoffs.Mql), new(names.Nurture, 0)];
        var rows = Metrics.Bands(p, y, table);
        var bands = rows.Select((r, i) => new SimulatedBand(
            r.Name, table[i].MinProbability, r.Count, r.Share, r.Share * 1000, r.Positives, r.ConversionRate, r.WilsonLow, r.WilsonHigh)).ToList();
        var confusion = Metrics.ConfusionAtCutoffs(p, y, table[..2]);
        var conversions = rows.Sum(r => r.Positives);
        return new CutoffSimulation(cutoffs, p.Count, conversions, (double)conversions / p.Count, bands,
            Quality(confusion[0], p.Count), Quality(confusion[1], p.Count));
    }

    /// <summary>
    /// The lowest SQL cutoff (one of the held-out scores) whose precision is at least <paramref name="target"/>: the most
    /// leads sales can get at that precision. Precision is not monotone in the cutoff, so every distinct score is tried.
    /// </summary>
    public static PrecisionTarget ForPrecision(IReadOnlyList<double> p, IReadOnlyList<bool> y, double target)
    {
        if (!double.IsFinite(target) || target <= 0 || target > 1)
            throw new ArgumentOutOfRangeException(nameof(target), target, "a precision target must lie in (0, 1]");
        // Walk the distinct scores from the highest down, counting what each would send (ConfusionAtCutoffs costs O(n)
        // per cutoff, too much for every score of a large held-out set); the answer's numbers then come from Metrics.
        Metrics.Validate(p, y);
        var order = p.Select((s, i) => (Score: s, Won: y[i])).OrderByDescending(t => t.Score).ToArray();
        double? lowest = null;
        var best = double.NaN;
        for (int i = 0, sent = 0, won = 0; i < order.Length;)
        {
            var score = order[i].Score;
            for (; i < order.Length && order[i].Score == score; i++) { sent++; if (order[i].Won) won++; }
            var precision = (double)won / sent;
            if (!(precision <= best)) best = precision; // max that ignores the initial NaN
            if (precision >= target) lowest = score;
        }
        var quality = lowest is { } cutoff ? Quality(Metrics.ConfusionAtCutoffs(p, y, [new BandCutoff("SQL", cutoff)])[0], p.Count) : null;
        return new PrecisionTarget(target, quality, best);
    }

    /// <summary>The SQL cutoff that sends the top <paramref name="percent"/>% of held-out leads to sales (as <c>sqlPercentile = 100 - K</c> would).</summary>
    public static CutoffQuality ForTopPercent(IReadOnlyList<double> p, IReadOnlyList<bool> y, double percent)
    {
        if (!double.IsFinite(percent) || percent <= 0 || percent >= 100)
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "a top percentage must lie strictly between 0 and 100");
        var cutoff = CutoffSpec.ScoreAtPercentile(p, 100 - percent);
        return Quality(Metrics.ConfusionAtCutoffs(p, y, [new BandCutoff("SQL", cutoff)])[0], p.Count);
    }

    private static double Precision(ConfusionAt c) =>
        c.TruePositives + c.FalsePositives > 0 ? (double)c.TruePositives / (c.TruePositives + c.FalsePositives) : double.NaN;

    private static CutoffQuality Quality(ConfusionAt c, int n)
    {
        var sent = c.TruePositives + c.FalsePositives;
        var positives = c.TruePositives + c.FalseNegatives;
        var share = (double)sent / n;
        return new CutoffQuality(c.Cutoff, sent, share, share * 1000, c.TruePositives, c.FalsePositives, c.FalseNegatives,
            Precision(c), positives > 0 ? (double)c.TruePositives / positives : double.NaN);
    }
}
