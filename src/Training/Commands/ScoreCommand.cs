using System.CommandLine;
using System.Text;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Rules;
using LeadPropensity.Core.Scoring;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = Cli.Option("--model", "a bundle folder, a version, or champion", "champion");
        var models = Cli.Option("--models", "the model registry folder", "models");
        var data = Cli.Option<string>("--data", "the leads to score (CSV, any size: it is streamed)", required: true);
        var output = Cli.Option<string>("--out", "where to write the scored CSV", required: true);
        var reasons = Cli.Option<bool>("--reasons", "add the top three fields pushing each score up and down");
        var strict = Cli.Option<bool>("--strict", "stop at the first bad row instead of skipping it");
        var engine = Cli.Option("--engine", "model (the bundle) or rules (the point-based rules alone)", "model");
        engine.AcceptOnlyFromAmong("model", "rules");
        var rulesPath = Cli.Option("--rules", "the rules file, with --engine rules", "rules.json");
        var idColumn = Cli.Option<string?>("--id", "the id column, with --engine rules (default: lead_id when present)");
        var cmd = new Command("score", "Score a CSV of leads with a model bundle (or the rules).") { model, models, data, output, reasons, strict, engine, rulesPath, idColumn };
        cmd.SetAction(p =>
        {
            var bad = new List<string>();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var options = new CsvScoringOptions
            {
                Reasons = p.GetValue(reasons), Strict = p.GetValue(strict),
                OnBadRow = e => { if (bad.Count < 20) bad.Add(e.Message); },
            };
            CsvScoringResult result;
            string used;
            using (var reader = CsvTableReader.Open(p.GetValue(data)!))
            using (var writer = new StreamWriter(p.GetValue(output)!, false, new UTF8Encoding(false), 1 << 16))
            {
                if (p.GetValue(engine) == "rules")
                {
                    var rules = RuleSet.Load(p.GetValue(rulesPath)!);
                    var id = p.GetValue(idColumn) ?? (reader.IndexOf("lead_id") >= 0 ? "lead_id" : null);
                    result = RulesCsvScorer.Score(rules, reader, writer, options, id, p.GetValue(data)!);
                    used = "the rules in " + p.GetValue(rulesPath);
                }
                else
                {
                    var bundle = ModelBundle.Load(new ModelRegistry(p.GetValue(models)!).Resolve(p.GetValue(model)!));
                    result = CsvScorer.Score(bundle, reader, writer, options, p.GetValue(data)!);
                    used = bundle.Version;
                }
            }
            foreach (var b in bad) AnsiConsole.MarkupLineInterpolated($"[yellow]skipped:[/] {b}");
            if (result.Skipped > bad.Count) AnsiConsole.MarkupLineInterpolated($"[yellow]… and {result.Skipped - bad.Count} more skipped rows[/]");
            var rate = result.Scored / Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
            AnsiConsole.MarkupLineInterpolated($"scored [green]{result.Scored}[/] leads with {used} into {p.GetValue(output)} ({result.Skipped} skipped, {rate:F0} rows/s)");
            return 0;
        });
        return cmd;
    }
}
