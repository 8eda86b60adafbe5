using System.CommandLine;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Rules;
using LeadPropensity.Core.Schema;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

internal static class RulesCommand
{
    public static Command Create()
    {
        var data = Cli.Option<string>("--data", "labelled leads (CSV)", required: true);
        var rulesPath = Cli.Option("--rules", "the rules file", "rules.json");
        var model = Cli.Option<string?>("--model", "the model to compare with: a bundle folder, a version, or champion (default champion, when there is one)");
        var models = Cli.Option("--models", "the model registry folder", "models");
        var schemaPath = Cli.Option<string?>("--schema", "schema.json for the label mapping (default: the model's schema)");
        var evaluate = new Command("evaluate", "How well the rule score ranks leads, beside the champion model on the same rows.") { data, rulesPath, model, models, schemaPath };
        evaluate.SetAction(p =>
        {
            var rules = RuleSet.Load(p.GetValue(rulesPath)!);
            var registry = new ModelRegistry(p.GetValue(models)!);
            var modelArg = p.GetValue(model) ?? (registry.Champion() is null ? null : "champion");
            var bundle = modelArg is null ? null : ModelBundle.Load(registry.Resolve(modelArg));
            var schema = p.GetValue(schemaPath) is { } sp ? LeadSchema.Load(sp)
                : bundle?.Schema ?? throw new CommandException("give --schema (for the label) or a --model to compare with");
            foreach (var problem in rules.Validate(schema)) AnsiConsole.MarkupLineInterpolated($"[yellow]rules: {problem}[/]");
            var r = RulesComparison.Evaluate(rules, schema, p.GetValue(data)!, bundle);
            AnsiConsole.MarkupLineInterpolated($"{r.Rows} labelled leads, {r.Positives} won ({(double)r.Positives / Math.Max(r.Rows, 1):P1}); {r.SkippedRows} rows skipped");
            if (r.LeftOut is { } left) AnsiConsole.MarkupLineInterpolated($"[yellow]{left.Text}[/]");
            var t = new Table().AddColumns("engine", "AUC", "band", "leads", "share", "won", "conversion (95% interval)");
            foreach (var e in new[] { r.Rules, r.Model }.OfType<EngineEvaluation>())
            {
                var first = true;
                foreach (var b in e.Bands)
                {
                    t.AddRow(first ? Markup.Escape(e.Engine) : "", first ? $"{e.RocAuc:F4}" : "", b.Band, b.Count.ToString(), $"{b.Share:P1}", b.Won.ToString(),
                        b.Count == 0 ? "-" : $"{b.Rate:P1} ({b.Low:P1}–{b.High:P1})");
                    first = false;
                }
            }
            AnsiConsole.Write(t);
            if (r.Model is { } m)
                AnsiConsole.MarkupLineInterpolated($"the model ranks leads {(m.RocAuc > r.Rules.RocAuc ? "better" : "no better")} than the rules (AUC {m.RocAuc:F3} vs {r.Rules.RocAuc:F3})");
            return 0;
        });
        return new Command("rules", "Work with the point-based rules.") { evaluate };
    }
}
