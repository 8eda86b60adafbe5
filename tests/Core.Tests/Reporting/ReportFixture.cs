using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Reporting;
using LeadPropensity.Core.Sample;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests.Reporting;

/// <summary>A tiny logistic model trained on 3000 generated leads and written as a bundle with its report, shared by the report tests.</summary>
public sealed class ReportFixture : IDisposable
{
    public string Dir { get; } = RepoPaths.TempDir("lp-report");
    public TrainedModel Model { get; }
    public ModelManifest Manifest { get; }
    public string BundleDir { get; }
    public string Html { get; }
    public IHtmlDocument Document { get; }
    public JsonDocument Json { get; }

    public ReportFixture()
    {
        var csv = Path.Combine(Dir, "leads.csv");
        new LeadGenerator(5).Write(3000, csv, null);
        var data = LeadDataset.Load(csv, LeadSchema.Load(RepoPaths.Repo("data", "sample", "schema.json")));
        Model = ModelTrainer.Train(data, new TrainingOptions { Trainer = TrainerKind.Logistic, Seed = 3 });
        (BundleDir, Manifest) = BundleWriter.Write(Path.Combine(Dir, "models"), Model, csv, data.Sha256, 0, extra: ReportWriter.ForTraining(Model));
        Html = File.ReadAllText(Path.Combine(BundleDir, "report.html"));
        Document = new HtmlParser().ParseDocument(Html);
        Json = JsonDocument.Parse(File.ReadAllText(Path.Combine(BundleDir, "report.json")));
    }

    public void Dispose()
    {
        Json.Dispose();
        try { Directory.Delete(Dir, true); } catch (IOException) { /* a temp folder left behind is harmless */ }
    }
}
