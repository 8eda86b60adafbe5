using System.Text.Json;
using System.Text.Json.Serialization;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Bundles;

/// <summary>manifest.json: what a bundle is, where its data came from, and how good it is.</summary>
public sealed record ModelManifest
{
    public const int FormatVersion = 1;
    public int Format { get; init; } = FormatVersion;
    public required string Version { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required JsonElement Schema { get; init; }
    public required TrainerInfo Trainer { get; init; }
    public required int Seed { get; init; }
    public required CalibrationChoice Calibration { get; init; }
    public required IReadOnlyList<CandidateResult> CrossValidation { get; init; }
    public required DataFingerprint Data { get; init; }
    public required TestMetrics Metrics { get; init; }
    public required IReadOnlyList<FieldImportance> Importance { get; init; }
    public required IReadOnlyList<LeakFlag> Leaks { get; init; }
    public required RecommendedCutoffs RecommendedCutoffs { get; init; }
    public required HeldOut HeldOut { get; init; }
    public required IReadOnlyDictionary<string, string> Packages { get; init; }
    public required IReadOnlyDictionary<string, string> Files { get; init; }
    /// <summary>Quality against known true probabilities, when the data came with a truth file (the sample does).</summary>
    public TruthComparison? Truth { get; init; }

    public LeadSchema ParseSchema() => LeadSchema.Parse(Schema.GetRawText(), $"manifest {Version} schema");

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// <see cref="Json"/> for reading a bundle: a null where the type has none (a damaged or hand-edited file) is a
    /// JsonException at load, not a NullReferenceException on the first request that reads it.
    /// </summary>
    public static readonly JsonSerializerOptions ReadJson = new(Json) { RespectNullableAnnotations = true };

    /// <summary>
    /// What serving and the tools read from a manifest beyond its types (null members are refused by <see cref="ReadJson"/>,
    /// null entries of lists and dictionaries are not): lists without null entries, paired held-out arrays.
    /// </summary>
    public void Check()
    {
        static void NoNulls<T>(IReadOnlyList<T> list, string name) where T : class
        {
            if (list.Any(e => e is null)) throw new InvalidDataException($"manifest.json's {name} has an empty entry");
        }
        NoNulls(Importance, "importance");
        NoNulls(Leaks, "leaks");
        NoNulls(CrossValidation, "crossValidation");
        if (HeldOut.Probabilities.Length != HeldOut.Labels.Length)
            throw new InvalidDataException("manifest.json's held-out probabilities and labels do not pair up");
        if (HeldOut.Probabilities.Any(p => !(p is >= 0 and <= 1)))
            throw new InvalidDataException("manifest.json's held-out probabilities are not all probabilities");
        if (Files.Any(f => f.Value is null)) throw new InvalidDataException("manifest.json lists a file without its SHA-256");
    }
}

public sealed record TrainerInfo(string Name, string Description, IReadOnlyDictionary<string, double> HyperParameters, string Selection);

public sealed record PartProfile(int Rows, int Positives, double LabelRate, DateTime? From, DateTime? To);

/// <param name="LeftOut">Rows left out because their label means no outcome yet; null (and absent from the file) when there were none.</param>
public sealed record DataFingerprint(string File, string Sha256, int Rows, int Positives, double LabelRate, DateTime? From, DateTime? To,
    int SkippedRows, string Split, PartProfile Train, PartProfile Test, LeftOutRows? LeftOut = null);

public sealed record TestMetrics(int Rows, double RocAuc, double AveragePrecision, double LogLoss, double Brier, double EceEqualWidth, double EceEqualMass, double Mce)
{
    public static TestMetrics From(MetricSummary s) => new(s.Count, s.RocAuc, s.AveragePrecision, s.LogLoss, s.Brier, s.EceEqualWidth, s.EceEqualMass, s.Mce);
}

/// <summary>Cutoffs as probabilities: SQL = top 10% of held-out scores, MQL = the next 30%.</summary>
public sealed record RecommendedCutoffs(double Mql, double Sql, string Rule);

/// <summary>The held-out test part's calibrated probabilities and outcomes, for the cutoff simulator and drift monitoring.</summary>
public sealed record HeldOut(double[] Probabilities, bool[] Labels);

public sealed record TruthComparison(string TruthFile, int Rows, double ModelAuc, double TrueProbabilityAuc, double AucGap, double MeanAbsoluteError);
