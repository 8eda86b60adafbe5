using System.CommandLine;
using System.Globalization;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Reporting;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = Cli.Option<string>("--model", "the model: a bundle folder, 'champion' or a version in --models", required: true);
        var data = Cli.Option<string>("--data", "a labelled CSV export with the model's schema columns", required: true);
        var output = Cli.Option<string?>("--out", "where to write report.json and report.html (default: a new evaluation-… folder here)");
        var models = Cli.Option("--models", "the model registry folder", "models");
        var cmd = new Command("evaluate", "Score fresh labelled data with a model and write its evaluation and calibration report.") { model, data, output, models };
        cmd.SetAction(p =>
        {
            var dir = new ModelRegistry(p.GetValue(models)!).Resolve(p.GetValue(model)!);
            var bundle = ModelBundle.Load(dir);
            var dataPath = p.GetValue(data)!;
            var rows = BundleEvaluation.Load(bundle, dataPath);
            if (rows.Count == 0) throw new CommandException($"{dataPath} has no labelled rows to evaluate");
            var probabilities = BundleEvaluation.Score(bundle, rows);
            var now = DateTime.UtcNow;
            var outDir = p.GetValue(output) ?? NewFolder($"evaluation-{bundle.Version}-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
            // A bundle is never changed once written: its report files are in its manifest's hashes, so writing over
            // them would make the model refuse to load.
            if (File.Exists(Path.Combine(outDir, "manifest.json")))
                throw new CommandException($"{outDir} is a model bundle, which is never changed once written; give --out another folder");
            var report = ReportWriter.Write(outDir, BundleEvaluation.Input(bundle, rows, probabilities, Path.GetFileName(dataPath), now));
            Print(report, rows.SkippedRows.Count, rows.LeftOut, outDir);
            return 0;
        });
        return cmd;
    }

    private static string NewFolder(string name)
    {
        var path = Path.GetFullPath(name);
        for (var i = 2; Directory.Exists(path); i++) path = Path.GetFullPath($"{name}-{i}");
        return path;
    }

    private static void Print(Report r, int skipped, LeftOutRows? leftOut, string outDir)
    {
        var s = r.Metrics;
        var t = new Table().Title(Markup.Escape($"evaluation of {r.Model.Version} on {r.Data}")).HideHeaders().AddColumns("", "");
        t.AddRow("rows", $"{s.Count} ({s.Positives} won, {s.BaseRate:P1})" + (skipped > 0 ? $" [yellow]{skipped} skipped[/]" : ""));
        if (leftOut is not null) t.AddRow("[yellow]left out[/]", Markup.Escape(leftOut.Text));
        t.AddRow("AUC", $"{s.RocAuc:F4}");
        t.AddRow("log loss (natural log)", $"{s.LogLoss:F4}");
        t.AddRow("Brier", $"{s.Brier:F4}");
        t.AddRow("ECE (10 equal-width bins)", $"{s.EceEqualWidth:F4}");
        foreach (var (b, i) in r.Bands.Select((b, i) => (b, i)))
            t.AddRow(Markup.Escape($"band {b.Name} (p ≥ {r.Cutoffs[i].MinProbability:F3})"), $"{b.Count} leads ({b.Share:P1}), {b.ConversionRate:P1} bought");
        t.AddRow("warnings", r.Warnings.Count == 0 ? "none" : "[yellow]" + Markup.Escape(string.Join("; ", r.Warnings.Select(w => w.Message))) + "[/]");
        t.AddRow("report", Markup.Escape(Path.Combine(outDir, ReportWriter.HtmlFile)));
        AnsiConsole.Write(t);
        Console.WriteLine(outDir);
    }
}
