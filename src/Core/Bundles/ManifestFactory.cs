using System.Text.Json;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Bundles;

internal static class ManifestFactory
{
    public static ModelManifest Create(string version, DateTime created, TrainedModel m, string dataFile, string sha, int skipped,
        TruthComparison? truth, IReadOnlyDictionary<string, string> files)
    {
        var all = m.Train.Times.Concat(m.TestSet.Times).Where(t => t is not null).Select(t => t!.Value).ToList();
        var rows = m.Train.Count + m.TestSet.Count;
        var positives = m.Train.Positives + m.TestSet.Positives;
        return new ModelManifest
        {
            Version = version,
            CreatedAt = created,
            Schema = JsonDocument.Parse(m.Train.Schema.ToJson()).RootElement.Clone(),
            Trainer = new TrainerInfo(m.Chosen.Name, m.Chosen.Describe(), m.Chosen.HyperParameters(),
                "lowest out-of-fold log loss in 5-fold cross-validation on the training part (single candidates and linear+tree blends)"),
            Seed = m.Seed,
            Calibration = m.Calibration,
            CrossValidation = m.CrossValidation,
            Data = new DataFingerprint(Path.GetFileName(dataFile), sha, rows, positives, rows == 0 ? 0 : (double)positives / rows,
                all.Count == 0 ? null : all.Min(), all.Count == 0 ? null : all.Max(), skipped, m.SplitMethod, Profile(m.Train), Profile(m.TestSet), m.LeftOut),
            Metrics = TestMetrics.From(m.Test),
            Importance = m.Importance,
            Leaks = m.Leaks,
            RecommendedCutoffs = Recommend(m.TestProbabilities),
            HeldOut = new HeldOut(m.TestProbabilities.Select(p => Math.Round(p, 6)).ToArray(), m.TestLabels),
            Packages = Packages(),
            Files = files,
            Truth = truth,
        };
    }


    private static PartProfile Profile(LeadDataset d)
    {
        var t = d.Times.Where(x => x is not null).Select(x => x!.Value).ToList();
        return new PartProfile(d.Count, d.Positives, d.Count == 0 ? 0 : (double)d.Positives / d.Count, t.Count == 0 ? null : t.Min(), t.Count == 0 ? null : t.Max());
    }

    /// <summary>SQL = the top 10% of held-out scores, MQL = the next 30% (so the top 40% are MQL or better).</summary>
    public static RecommendedCutoffs Recommend(IReadOnlyList<double> p)
    {
        var sorted = p.OrderBy(v => v).ToArray();
        double Q(double q) => sorted[Math.Clamp((int)Math.Floor(q * sorted.Length), 0, sorted.Length - 1)];
        var sql = Q(0.90);
        var mql = Math.Min(Q(0.60), sql - 1e-6);
        return new RecommendedCutoffs(Math.Max(mql, 1e-6), Math.Min(sql, 1 - 1e-6), "SQL = top 10% of held-out scores, MQL = the next 30%");
    }

    private static Dictionary<string, string> Packages() => new()
    {
        ["Microsoft.ML"] = typeof(Microsoft.ML.MLContext).Assembly.GetName().Version?.ToString() ?? "?",
        ["Microsoft.ML.FastTree"] = typeof(Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer).Assembly.GetName().Version?.ToString() ?? "?",
        ["Microsoft.ML.LightGbm"] = typeof(Microsoft.ML.Trainers.LightGbm.LightGbmBinaryTrainer).Assembly.GetName().Version?.ToString() ?? "?",
        ["LeadPropensity.Core"] = typeof(ManifestFactory).Assembly.GetName().Version?.ToString() ?? "?",
        [".NET"] = Environment.Version.ToString(),
    };
}
