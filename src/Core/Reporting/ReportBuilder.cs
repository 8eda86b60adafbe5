using System.Globalization;
using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Reporting;

/// <summary>What a report is built from: the model's manifest, scored labelled rows and their data profile.</summary>
public sealed record ReportInput
{
    public required ModelManifest Manifest { get; init; }
    public required IReadOnlyList<double> Probabilities { get; init; }
    public required IReadOnlyList<bool> Labels { get; init; }
    public required DataProfile Profile { get; init; }
    /// <summary>"training" or "evaluation".</summary>
    public string Kind { get; init; } = "training";
    /// <summary>Where the rows came from; the manifest's training file when not given.</summary>
    public string? Data { get; init; }
    /// <summary>Band cutoffs, best first, the last at 0; the manifest's recommended SQL/MQL/Nurture cutoffs when not given.</summary>
    public IReadOnlyList<BandCutoff>? Cutoffs { get; init; }
    public DateTime? Now { get; init; }

    /// <summary>A training run judged on its held-out part, with the train-vs-test profile of its rows.</summary>
    public static ReportInput ForTraining(TrainedModel model, ModelManifest manifest, DateTime? now = null) => new()
    {
        Manifest = manifest, Probabilities = model.TestProbabilities, Labels = model.TestLabels,
        Profile = DataProfiler.Compare(model.Train, model.TestSet, model.LeftOut), Kind = "training", Now = now,
    };
}

/// <summary>Turns scored, labelled rows into a <see cref="Report"/>: metrics, bands, profile, warnings and the plain-language summary.</summary>
public static class ReportBuilder
{
    /// <summary>A reliability bin is quoted in the summary only with at least this many leads.</summary>
    public const int MinBinLeads = 30;
    public const double DriftPsi = 0.25;
    public const double MissingShift = 0.10;
    public const int MinClassCount = 30;

    /// <summary>SQL at or above the SQL cutoff, MQL at or above the MQL cutoff, Nurture below.</summary>
    public static IReadOnlyList<BandCutoff> Cutoffs(RecommendedCutoffs c, BandNames? names = null)
    {
        names ??= BandNames.Default;
        return [new BandCutoff(names.Sql, c.Sql), new BandCutoff(names.Mql, c.Mql), new BandCutoff(names.Nurture, 0)];
    }

    public static Report Build(ReportInput input)
    {
        var p = input.Probabilities; var y = input.Labels;
        var m = input.Manifest;
        var cutoffs = input.Cutoffs ?? Cutoffs(m.RecommendedCutoffs);
        var summary = Metrics.Summarize(p, y);
        var bands = Metrics.Bands(p, y, cutoffs);
        var model = new ReportModel(m.Version, m.Trainer.Name, m.Trainer.Description, m.Calibration.Method, m.Calibration.Why, m.CreatedAt);
        var warnings = Warnings(m, summary, input.Profile);
        return new Report
        {
            Kind = input.Kind,
            GeneratedAt = input.Now ?? DateTime.UtcNow,
            Model = model,
            Data = input.Data ?? m.Data.File,
            Metrics = summary,
            ReliabilityEqualMass = Metrics.Reliability(p, y, 10, BinStrategy.EqualMass),
            Cutoffs = cutoffs,
            Bands = bands,
            Confusion = Metrics.ConfusionAtCutoffs(p, y, cutoffs),
            Importance = m.Importance,
            Profile = input.Profile,
            Summary = Summarize(summary, bands, cutoffs, model, warnings),
            Warnings = warnings,
        };
    }

    private static List<SummaryFact> Summarize(MetricSummary s, IReadOnlyList<BandRow> bands, IReadOnlyList<BandCutoff> cutoffs, ReportModel model, IReadOnlyList<ReportWarning> warnings)
    {
        var facts = new List<SummaryFact>
        {
            new("base-rate", s.BaseRate, F($"{s.Positives} of {s.Count} leads bought ({Pct(s.BaseRate)})."))
        };
        facts.Add(double.IsNaN(s.RocAuc)
            ? new SummaryFact("auc", s.RocAuc, "The ranking quality (AUC) cannot be measured: these leads all had the same outcome.")
            : new SummaryFact("auc", s.RocAuc, F($"Take one lead that bought and one that did not: the model scores the buyer higher {Pct(s.RocAuc)} of the time (ROC AUC {s.RocAuc:F3}, {AucWords(s.RocAuc)}).")));
        foreach (var b in s.Reliability.Where(b => b.Count >= MinBinLeads).OrderByDescending(b => b.Lower))
        {
            var (lo, hi) = (Score(b.Lower), Score(b.Upper));
            facts.Add(new SummaryFact($"bin-{lo}-{hi}", b.ObservedRate,
                F($"Leads scored {lo}–{hi} bought {Pct(b.ObservedRate)} of the time (n = {b.Count}; the model said {Pct(b.MeanPredicted)} on average).")));
        }
        for (var i = 0; i < bands.Count; i++)
        {
            var b = bands[i];
            var range = cutoffs[i].MinProbability <= 0 ? F($"below {cutoffs[i - 1].MinProbability:F3}") : F($"probability {cutoffs[i].MinProbability:F3} or higher");
            facts.Add(new SummaryFact($"band-{Key(b.Name)}", b.ConversionRate, b.Count == 0
                ? $"No lead fell in the {b.Name} band ({range})."
                : F($"{b.Name} leads ({range}; {Pct(b.Share)} of leads) bought {Pct(b.ConversionRate)} of the time (n = {b.Count}).")));
        }
        facts.Add(new SummaryFact("ece", s.EceEqualWidth,
            F($"Probabilities were calibrated with {CalibrationName(model.Calibration)}, chosen because of the {model.CalibrationWhy}. ") +
            F($"On these leads a stated probability is off by {s.EceEqualWidth * 100:F1} points on average (expected calibration error, 10 equal-width bins).")));
        facts.Add(new SummaryFact("warnings", warnings.Count, warnings.Count == 0 ? "No warnings." : F($"{warnings.Count} warning(s): read them before acting on these numbers.")));
        return facts;
    }

    private static List<ReportWarning> Warnings(ModelManifest m, MetricSummary s, DataProfile profile)
    {
        var w = new List<ReportWarning>();
        foreach (var l in m.Leaks)
            w.Add(new ReportWarning("leak", l.Field, F($"LIKELY LEAK: '{l.Field}' {l.Reason}. Mark it \"availableAtScoring\": false if it is filled in after the outcome.")));
        int negatives = s.Count - s.Positives;
        if (s.Positives < MinClassCount || negatives < MinClassCount)
            w.Add(new ReportWarning("sample", null, F($"Only {s.Positives} won and {negatives} lost leads: the numbers below are rough (at least {MinClassCount} of each are advisable).")));
        foreach (var f in profile.Fields)
        {
            if (f.Psi is { } psi && psi > DriftPsi)
                w.Add(new ReportWarning("drift", f.Field, F($"'{f.Field}' has shifted since training (PSI {psi:F3} > {DriftPsi:F2}).")));
            if (f.MissingTrain is { } mt && Math.Abs(f.MissingTest - mt) > MissingShift)
                w.Add(new ReportWarning("missing", f.Field, F($"'{f.Field}' is missing for {Pct(f.MissingTest)} of these leads but {Pct(mt)} in training.")));
        }
        return w;
    }

    private static string AucWords(double auc) => auc switch
    {
        >= 0.9 => "excellent — check the warnings for leaks",
        >= 0.8 => "very good",
        >= 0.7 => "good",
        >= 0.6 => "fair",
        _ => "weak",
    };

    private static string CalibrationName(string method) => method switch
    {
        "platt" => "Platt scaling (a logistic curve)",
        "isotonic" => "isotonic regression (a monotone step curve)",
        _ => method,
    };

    internal static int Score(double p) => (int)Math.Round(p * 100, MidpointRounding.AwayFromZero);
    internal static string Pct(double v) => double.IsNaN(v) ? "n/a" : (v * 100).ToString("F0", CultureInfo.InvariantCulture) + "%";
    internal static string Key(string name) => new(name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
