using LeadPropensity.Core.Evaluation;

namespace LeadPropensity.Core.Monitoring;

/// <summary>
/// What GET /monitoring answers for a window of logged predictions: volume, band mix against the held-out mix, score and
/// field drift (PSI), live calibration against reported outcomes, and the alerts those raise.
/// </summary>
public sealed record MonitoringReport(
    DateTime? From, DateTime? To, string? ModelVersion, VolumeReport Volume, IReadOnlyList<BandMixRow> BandMix,
    DriftReport Drift, CalibrationReport Calibration, IReadOnlyList<MonitoringAlert> Alerts, IReadOnlyList<string> Notes);

/// <summary>Predictions logged in the window, in total and by source (model/rules), band, and both.</summary>
public sealed record VolumeReport(
    long Total, IReadOnlyDictionary<string, long> BySource, IReadOnlyDictionary<string, long> ByBand, IReadOnlyList<VolumeRow> BySourceAndBand);

public sealed record VolumeRow(string Source, string Band, long Count);

/// <summary>
/// One band: the served model's live answers in it (count and share) against the share of the bundle's held-out
/// probabilities the cutoffs in force put in it (null for Disqualified: held-out leads are not run through the rules).
/// Shares are null when there is nothing to divide by.
/// </summary>
public sealed record BandMixRow(string Band, long LiveCount, double? LiveShare, double? HeldOutShare);

/// <summary>
/// Score drift: PSI of the served model's live probabilities against its held-out probabilities (Metrics.Psi, 10 bins),
/// and per top field (by importance) against the training distribution recorded in report.json.
/// </summary>
public sealed record DriftReport(double? ScorePsi, int ScoreCount, string? ScoreNote, IReadOnlyList<FieldDrift> Fields, string? FieldsNote);

public sealed record FieldDrift(string Field, double Importance, double? Psi, int Count, string? Note);

/// <summary>
/// Live calibration of the served model over leads with outcomes (each lead's latest prediction): realized conversion per
/// decile of predicted probability (Metrics.Reliability, equal mass) and per band, with Wilson 95% intervals, and the live ECE
/// (Metrics.Ece, 10 equal-width bins, as the manifest's held-out EceEqualWidth is measured).
/// </summary>
public sealed record CalibrationReport(
    int Outcomes, int ModelOutcomes, int RulesOutcomes, int OtherVersionOutcomes, long UnscoredOutcomes, int Won,
    double? LiveEce, double? HeldOutEce, IReadOnlyList<ReliabilityBin> Deciles, IReadOnlyList<BandCalibration> Bands, string? Note);

public sealed record BandCalibration(string Band, int Count, int Won, double MeanPredicted, double ConversionRate, double WilsonLow, double WilsonHigh);

/// <summary>A threshold crossed: <see cref="Kind"/> is score-psi, field-psi or ece.</summary>
public sealed record MonitoringAlert(string Kind, string? Field, double Value, double Threshold, string Message);

/// <summary>When monitoring raises an alert (Monitoring:PsiAlert, Monitoring:EceAlert) and how much data it needs first (Monitoring:MinSample).</summary>
public sealed record MonitoringThresholds
{
    public double PsiAlert { get; init; } = 0.2;
    public double EceAlert { get; init; } = 0.05;
    public int MinSample { get; init; } = 30;
}
