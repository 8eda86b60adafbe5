using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Sample;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests.Modeling;

/// <summary>The bundled default model (models/champion), rebuilt by scripts/build-default-model.sh.</summary>
public class ShippedModelTests
{
    private static readonly Lazy<ModelBundle> Bundle = new(() =>
        ModelBundle.Load(new ModelRegistry(RepoPaths.Repo("models")).Resolve("champion")));

    [Fact]
    public void ChampionLoadsAndItsSchemaIsTheSampleSchema()
    {
        var b = Bundle.Value;
        var sample = LeadSchema.Load(RepoPaths.Repo("data", "sample", "schema.json"));
        Assert.Equal(sample.ToJson(), b.Schema.ToJson());
        Assert.Equal(sample.FeatureColumns.Select(c => c.Name), b.Fields);
        Assert.True(File.Exists(Path.Combine(b.Path, "report.html")));
        Assert.Equal(LeadDataset.FileSha256(RepoPaths.Repo("data", "sample", "leads.csv")), b.Manifest.Data.Sha256);
    }

    [Fact]
    public void ChampionIsCloseToTheTrueProbabilitiesOfAnIndependentSample()
    {
        var b = Bundle.Value;
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "test.csv");
        var truth = Path.Combine(dir, "test.truth.csv");
        new LeadGenerator(7).Write(20000, csv, truth);
        var t = TruthCheck.Compare(b.Schema, b.Plan, x => b.Score(x, default).Probability, csv, truth);
        Assert.True(t.ModelAuc >= t.TrueProbabilityAuc - 0.02, $"AUC {t.ModelAuc:F4} vs true {t.TrueProbabilityAuc:F4}");
        // The goal is 0.03; the shipped model measures 0.0315 (bench/RESULTS.md), so the goal is not met yet and this
        // looser bound only catches regressions.
        Assert.True(t.MeanAbsoluteError <= 0.035, $"mean |p - true| {t.MeanAbsoluteError:F4}");
        var recorded = b.Manifest.Truth!;
        Assert.Equal(recorded.MeanAbsoluteError, t.MeanAbsoluteError, 9);
        Assert.Equal(recorded.AucGap, t.AucGap, 9);
    }
}
