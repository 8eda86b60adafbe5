using System.Text.Json;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Reporting;

/// <summary>report.json: everything the evaluation and calibration report shows, so a machine can read what a person reads.</summary>
public sealed record Report
{
    public const int FormatVersion = 1;
    public int Format { get; init; } = FormatVersion;
    /// <summary>"training" (the held-out part of a training run) or "evaluation" (fresh labelled data).</summary>
    public required string Kind { get; init; }
    public required DateTime GeneratedAt { get; init; }
    public required ReportModel Model { get; init; }
    /// <summary>Where the scored rows came from (a file name), for the reader.</summary>
    public required string Data { get; init; }
    /// <summary>Every number of <see cref="Metrics.Summarize"/>; its reliability table uses 10 equal-width bins.</summary>
    public required MetricSummary Metrics { get; init; }
    /// <summary>The unit of <c>metrics.logLoss</c>: natural log.</summary>
    public string LogLossUnit { get; init; } = "nats (natural log)";
    /// <summary>The reliability table over 10 equal-mass bins (the basis of <c>metrics.eceEqualMass</c>).</summary>
    public required IReadOnlyList<ReliabilityBin> ReliabilityEqualMass { get; init; }
    public required IReadOnlyList<BandCutoff> Cutoffs { get; init; }
    public required IReadOnlyList<BandRow> Bands { get; init; }
    public required IReadOnlyList<ConfusionAt> Confusion { get; init; }
    /// <summary>Permutation importance measured on the training run's held-out part.</summary>
    public required IReadOnlyList<FieldImportance> Importance { get; init; }
    public required DataProfile Profile { get; init; }
    /// <summary>The plain-language findings the HTML opens with; each key is a <c>data-key</c> in report.html.</summary>
    public required IReadOnlyList<SummaryFact> Summary { get; init; }
    public required IReadOnlyList<ReportWarning> Warnings { get; init; }

    /// <summary>camelCase, indented; NaN and infinities as the strings "NaN", "Infinity".</summary>
    public static JsonSerializerOptions Json => Bundles.ModelManifest.Json;
}

/// <summary>Which model the report judges, and how it was calibrated and why.</summary>
public sealed record ReportModel(string Version, string Trainer, string TrainerDescription, string Calibration, string CalibrationWhy, DateTime CreatedAt);

/// <summary>One finding of the summary: a stable key, its number (a rate, an AUC, a count) and the sentence that says it.</summary>
public sealed record SummaryFact(string Key, double Value, string Text);

/// <summary>Something a reader must know before trusting the numbers: a likely leak, drift, a change in missingness, a small sample.</summary>
public sealed record ReportWarning(string Kind, string? Field, string Message);
