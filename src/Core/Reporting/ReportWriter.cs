using System.Text.Json;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Reporting;

/// <summary>Writes report.json and report.html into a folder (a bundle, or an evaluation's output) and reads report.json back.</summary>
public static class ReportWriter
{
    public const string JsonFile = "report.json";
    public const string HtmlFile = "report.html";

    /// <summary>Builds the report and writes both files; returns what report.json holds.</summary>
    public static Report Write(string dir, ReportInput input)
    {
        var report = ReportBuilder.Build(input);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, JsonFile), ToJson(report) + "\n");
        File.WriteAllText(Path.Combine(dir, HtmlFile), ReportHtml.Render(report, input.Probabilities, input.Labels));
        return report;
    }

    /// <summary>The <see cref="BundleWriter.ExtraFiles"/> hook that puts a training run's report into its bundle.</summary>
    public static BundleWriter.ExtraFiles ForTraining(TrainedModel model) =>
        (dir, manifest) => Write(dir, ReportInput.ForTraining(model, manifest, manifest.CreatedAt));

    public static string ToJson(Report report) => JsonSerializer.Serialize(report, Report.Json);

    public static Report Parse(string json) =>
        JsonSerializer.Deserialize<Report>(json, Report.Json) ?? throw new InvalidDataException("report.json is empty");

    /// <summary>The report in a folder, or null when it has none (bundles written before reports existed).</summary>
    public static Report? TryRead(string dir)
    {
        var path = Path.Combine(dir, JsonFile);
        if (!File.Exists(path)) return null;
        try { return Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path} cannot be read: {e.Message}", e); }
    }
}
