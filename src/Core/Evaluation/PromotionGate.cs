namespace LeadPropensity.Core.Evaluation;

/// <summary>How much worse than the champion a challenger may be on each gated metric and still be promoted.</summary>
public sealed record GateThresholds(double MaxAucDrop = 0.005, double MaxEceRise = 0.01, double MaxLogLossRise = 0.01);

/// <summary>One gate: the metric on both models, the change that counts against the challenger, its limit and the verdict.</summary>
public sealed record GateCheck(string Metric, double Champion, double Challenger, double Change, double Limit, bool Passed);

public sealed record GateVerdict(bool Passed, IReadOnlyList<GateCheck> Checks);

/// <summary>Decides whether a challenger may replace the champion, judged on the same labelled rows.</summary>
public static class PromotionGate
{
    /// <summary>Absorbs the rounding of a difference so that a change exactly at its limit passes (0.800 − 0.795 is 0.005000000000000004).</summary>
    public const double Tolerance = 1e-12;

    /// <summary>
    /// Passes when every gate holds: AUC drop (champion − challenger) ≤ MaxAucDrop, ECE rise (equal-width, challenger − champion)
    /// ≤ MaxEceRise and log loss rise ≤ MaxLogLossRise. A change exactly at its limit passes; an undefined metric (NaN) fails.
    /// </summary>
    public static GateVerdict Judge(MetricSummary champion, MetricSummary challenger, GateThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(champion);
        ArgumentNullException.ThrowIfNull(challenger);
        ArgumentNullException.ThrowIfNull(thresholds);
        GateCheck Check(string name, double a, double b, double change, double limit) =>
            new(name, a, b, change, limit, double.IsFinite(change) && change <= limit + Tolerance);
        List<GateCheck> checks =
        [
            Check("roc-auc", champion.RocAuc, challenger.RocAuc, champion.RocAuc - challenger.RocAuc, thresholds.MaxAucDrop),
            Check("ece", champion.EceEqualWidth, challenger.EceEqualWidth, challenger.EceEqualWidth - champion.EceEqualWidth, thresholds.MaxEceRise),
            Check("log-loss", champion.LogLoss, challenger.LogLoss, challenger.LogLoss - champion.LogLoss, thresholds.MaxLogLossRise),
        ];
        return new GateVerdict(checks.All(c => c.Passed), checks);
    }
}
