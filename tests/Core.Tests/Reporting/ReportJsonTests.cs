using System.Text.Json;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Reporting;

namespace LeadPropensity.Core.Tests.Reporting;

public sealed class ReportJsonTests(ReportFixture f) : IClassFixture<ReportFixture>
{
    [Fact]
    public void EveryBundleHoldsBothReportFilesAndStillLoads()
    {
        Assert.True(File.Exists(Path.Combine(f.BundleDir, "report.json")));
        Assert.True(File.Exists(Path.Combine(f.BundleDir, "report.html")));
        Assert.Equal(f.Manifest.Version, ModelBundle.Load(f.BundleDir).Version);
        Assert.Equal(f.Manifest.Version, f.Json.RootElement.GetProperty("model").GetProperty("version").GetString());
    }

    [Fact]
    public void TheReportFilesAreInTheManifestsHashesAndADamagedReportIsCaught()
    {
        foreach (var name in new[] { "report.json", "report.html" })
            Assert.Equal(BundleWriter.Sha256(Path.Combine(f.BundleDir, name)), f.Manifest.Files[name]);
        Assert.Equal(f.Manifest.Files, ModelRegistry.ReadManifest(f.BundleDir).Files);
        var temp = RepoPaths.TempDir("lp-report-copy");
        try
        {
            var copy = Path.Combine(temp, f.Manifest.Version);
            Directory.CreateDirectory(copy);
            foreach (var file in Directory.GetFiles(f.BundleDir)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            File.AppendAllText(Path.Combine(copy, "report.html"), "<!-- altered -->");
            Assert.Contains("report.html does not match", Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy)).Message);
        }
        finally { Directory.Delete(temp, true); }
    }

    [Fact]
    public void ReportJsonHoldsEveryNumberOfSummarize()
    {
        var expected = Metrics.Summarize(f.Model.TestProbabilities, f.Model.TestLabels);
        var report = ReportWriter.TryRead(f.BundleDir)!;
        Assert.Equal(expected.RocAuc, report.Metrics.RocAuc);
        Assert.Equal(expected.AveragePrecision, report.Metrics.AveragePrecision);
        Assert.Equal(expected.LogLoss, report.Metrics.LogLoss);
        Assert.Equal(expected.Brier, report.Metrics.Brier);
        Assert.Equal(expected.Murphy, report.Metrics.Murphy);
        Assert.Equal(expected.EceEqualWidth, report.Metrics.EceEqualWidth);
        Assert.Equal(expected.EceEqualMass, report.Metrics.EceEqualMass);
        Assert.Equal(expected.Mce, report.Metrics.Mce);
        Assert.Equal(expected.Lift, report.Metrics.Lift);
        Assert.Equal(10, report.Metrics.Reliability.Count);
        for (var i = 0; i < 10; i++)
        {
            // NaN != NaN for records, so compare the parts that a bin always has.
            var (a, b) = (expected.Reliability[i], report.Metrics.Reliability[i]);
            Assert.Equal((a.Count, a.WilsonLow, a.WilsonHigh), (b.Count, b.WilsonLow, b.WilsonHigh));
            Assert.Equal(a.MeanPredicted, b.MeanPredicted);
        }
        Assert.Contains("natural", f.Json.RootElement.GetProperty("logLossUnit").GetString());
        Assert.Equal(Metrics.Reliability(f.Model.TestProbabilities, f.Model.TestLabels, 10, BinStrategy.EqualMass).Select(b => b.Count), report.ReliabilityEqualMass.Select(b => b.Count));
    }

    [Fact]
    public void BandsAndConfusionUseTheManifestCutoffs()
    {
        var report = ReportWriter.TryRead(f.BundleDir)!;
        var c = f.Manifest.RecommendedCutoffs;
        Assert.Equal([new BandCutoff("SQL", c.Sql), new BandCutoff("MQL", c.Mql), new BandCutoff("Nurture", 0)], report.Cutoffs);
        Assert.Equal(Metrics.Bands(f.Model.TestProbabilities, f.Model.TestLabels, report.Cutoffs).Select(b => (b.Name, b.Count, b.Positives)),
            report.Bands.Select(b => (b.Name, b.Count, b.Positives)));
        Assert.Equal(Metrics.ConfusionAtCutoffs(f.Model.TestProbabilities, f.Model.TestLabels, report.Cutoffs), report.Confusion);
        Assert.Equal(f.Manifest.Importance, report.Importance);
    }

    [Fact]
    public void ProfileDescribesBothPartsAndEveryField()
    {
        var p = ReportWriter.TryRead(f.BundleDir)!.Profile;
        Assert.Equal(f.Model.Train.Count, p.Train.Rows);
        Assert.Equal(f.Model.TestSet.Count, p.Test.Rows);
        Assert.True(p.Train.To <= p.Test.From, "the time split puts the test part after the training part");
        Assert.Equal(f.Model.Train.Fields, p.Fields.Select(x => x.Field));
        var visits = p.Fields.Single(x => x.Field == "website_visits_30d");
        var column = (LeadDataset d) => d.Values.Select(v => v[Array.IndexOf(d.Fields, "website_visits_30d")]).Where(v => v is not null).Select(v => double.Parse(v!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(Metrics.Psi(column(f.Model.Train), column(f.Model.TestSet), 10), visits.Psi);
        Assert.Null(p.Fields.Single(x => x.Field == "job_title").Psi);
        Assert.Null(p.Fields.Single(x => x.Field == "created_at").Psi);
        Assert.NotNull(p.Fields.Single(x => x.Field == "lead_source").Psi);
    }

    [Fact]
    public void NaNIsWrittenAsANamedLiteralAndReadBack()
    {
        var input = new ReportInput
        {
            Manifest = f.Manifest, Probabilities = [0.05, 0.2, 0.35, 0.7], Labels = [false, false, false, false],
            Profile = ReportWriter.TryRead(f.BundleDir)!.Profile, Kind = "evaluation", Data = "one-class.csv",
        };
        var dir = Path.Combine(f.Dir, "nan");
        var report = ReportWriter.Write(dir, input);
        Assert.True(double.IsNaN(report.Metrics.RocAuc));
        var json = File.ReadAllText(Path.Combine(dir, "report.json"));
        Assert.Contains("\"rocAuc\": \"NaN\"", json);
        using var doc = JsonDocument.Parse(json); // valid JSON despite NaN
        Assert.True(double.IsNaN(ReportWriter.Parse(json).Metrics.RocAuc));
        Assert.Contains(report.Warnings, w => w.Kind == "sample");
        Assert.Contains("data-key=\"auc\" data-value=\"NaN\"", File.ReadAllText(Path.Combine(dir, "report.html")));
    }

    [Fact]
    public void LeakFlagsBecomeWarnings()
    {
        var input = ReportInput.ForTraining(f.Model, f.Manifest with { Leaks = [new LeakFlag("closed_reason", 0.99, "on its own it ranks won above lost with AUC 0.990")] });
        var report = ReportBuilder.Build(input);
        var leak = Assert.Single(report.Warnings, w => w.Kind == "leak");
        Assert.Equal("closed_reason", leak.Field);
        Assert.Equal(report.Warnings.Count, Assert.Single(report.Summary, s => s.Key == "warnings").Value);
    }
}
