using System.Text.Json;
using AngleSharp.Html.Parser;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Reporting;

namespace LeadPropensity.Training.Tests;

[Collection(CommandCollection.Name)]
public sealed class EvaluateCommandTests(CommandFixture f)
{
    [Fact]
    public void TrainWritesTheReportIntoEveryBundle()
    {
        foreach (var v in new[] { f.First, f.Second })
        {
            var dir = Path.Combine(f.Registry, v);
            Assert.Equal(v, ReportWriter.TryRead(dir)!.Model.Version);
            var html = new HtmlParser().ParseDocument(File.ReadAllText(Path.Combine(dir, "report.html")));
            Assert.NotNull(html.QuerySelector("#chart-reliability svg"));
        }
    }

    [Fact]
    public void EvaluateScoresFreshDataAndWritesItsReport()
    {
        var output = Path.Combine(f.Dir, "eval-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(0, CommandFixture.Run("evaluate", "--model", f.First, "--data", f.Fresh, "--out", output, "--models", f.Registry));

        var report = ReportWriter.TryRead(output)!;
        Assert.Equal("evaluation", report.Kind);
        Assert.Equal("fresh.csv", report.Data);
        var bundle = ModelBundle.Load(Path.Combine(f.Registry, f.First));
        var rows = LeadDataset.Load(f.Fresh, bundle.Schema);
        var expected = Metrics.Summarize(BundleEvaluation.Score(bundle, rows), rows.Labels);
        Assert.Equal(1500, report.Metrics.Count);
        Assert.Equal(expected.RocAuc, report.Metrics.RocAuc);
        Assert.Equal(expected.LogLoss, report.Metrics.LogLoss);
        // Drift is measured against the training distribution kept in the bundle's own report.
        Assert.NotNull(report.Profile.Fields.Single(x => x.Field == "website_visits_30d").Psi);
        Assert.Equal(bundle.Manifest.Data.Train.Rows, report.Profile.Train.Rows);

        var html = new HtmlParser().ParseDocument(File.ReadAllText(Path.Combine(output, "report.html")));
        foreach (var id in ReportHtml.ChartIds) Assert.NotEmpty(html.QuerySelectorAll($"#{id} svg polyline, #{id} svg rect, #{id} svg path"));
        Assert.Equal(JsonSerializer.Serialize(report.Metrics.RocAuc), html.QuerySelector("#summary [data-key=auc]")!.GetAttribute("data-value"));
    }

    [Fact]
    public void EvaluateResolvesTheChampion()
    {
        var registry = new ModelRegistry(f.Registry);
        if (registry.Champion() is null) registry.Promote(f.First);
        var output = Path.Combine(f.Dir, "eval-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(0, CommandFixture.Run("evaluate", "--model", "champion", "--data", f.Fresh, "--out", output, "--models", f.Registry));
        Assert.Equal(registry.Champion(), ReportWriter.TryRead(output)!.Model.Version);
    }

    [Fact]
    public void EvaluateNeverWritesIntoABundle()
    {
        var bundle = Path.Combine(f.Registry, f.First);
        var before = File.ReadAllBytes(Path.Combine(bundle, "report.html"));
        Assert.Equal(2, CommandFixture.Run("evaluate", "--model", f.First, "--data", f.Fresh, "--out", bundle, "--models", f.Registry));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(bundle, "report.html")));
        Assert.Equal(f.First, LeadPropensity.Core.Bundles.ModelBundle.Load(bundle).Version);
    }

    [Fact]
    public void EvaluateOfAnUnknownModelIsAUserError()
    {
        var output = Path.Combine(f.Dir, "eval-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(2, CommandFixture.Run("evaluate", "--model", "v-nope", "--data", f.Fresh, "--out", output, "--models", f.Registry));
        Assert.False(Directory.Exists(output));
    }
}
