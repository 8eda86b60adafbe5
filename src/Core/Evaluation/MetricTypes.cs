namespace LeadPropensity.Core.Evaluation;

/// <summary>How reliability bins are cut: fixed [i/B, (i+1)/B) intervals, or quantiles of the predictions.</summary>
public enum BinStrategy
{
    EqualWidth,
    EqualMass,
}

/// <summary>
/// One bin of a reliability diagram. Empty bins (equal width only) have Count 0, NaN means and the Wilson interval (0, 1).
/// Equal-width bins are [Lower, Upper) except the last, which includes 1.0; equal-mass bins are (Lower, Upper]
/// except the first, which includes its Lower (the smallest prediction).
/// </summary>
public sealed record ReliabilityBin(int Index, double Lower, double Upper, int Count, double MeanPredicted, double ObservedRate, double WilsonLow, double WilsonHigh);

/// <summary>Murphy's decomposition of the Brier score; Brier is the actual score, not Reliability - Resolution + Uncertainty.</summary>
public sealed record BrierDecomposition(double Brier, double Reliability, double Resolution, double Uncertainty);

/// <summary>One decile of a lift table (decile 1 = highest scores); CumulativeGain is the share of all positives in deciles 1..Decile.</summary>
public sealed record LiftRow(int Decile, int Count, int Positives, double Rate, double Lift, double CumulativeGain, double MinScore, double MaxScore);

/// <summary>A named score band; a list of cutoffs is ordered best first, e.g. SQL 0.4, MQL 0.15, Nurture 0.</summary>
public sealed record BandCutoff(string Name, double MinProbability);

/// <summary>How one band performed; the AtOrAbove columns treat "this band or a better one" as the positive prediction.</summary>
public sealed record BandRow(string Name, int Count, double Share, int Positives, double ConversionRate, double WilsonLow, double WilsonHigh, double PrecisionAtOrAbove, double RecallAtOrAbove);

/// <summary>The confusion matrix when leads with probability &gt;= Cutoff (this band or better) are predicted positive.</summary>
public sealed record ConfusionAt(string Band, double Cutoff, int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives);

/// <summary>Every headline metric of one scored set, as recorded beside a model; Mce and Reliability use equal-width bins.</summary>
public sealed record MetricSummary(
    int Count,
    int Positives,
    double BaseRate,
    double RocAuc,
    double AveragePrecision,
    double LogLoss,
    double Brier,
    BrierDecomposition Murphy,
    double EceEqualWidth,
    double EceEqualMass,
    double Mce,
    IReadOnlyList<ReliabilityBin> Reliability,
    IReadOnlyList<LiftRow> Lift);
