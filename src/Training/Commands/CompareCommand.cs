using System.CommandLine;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Reporting;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

internal static class CompareCommand
{
    public const int GateFailed = 4;

    public static Command Create()
    {
        var champion = Cli.Option<string>("--champion", "the current model: a bundle folder, 'champion' or a version in --models", required: true);
        var challenger = Cli.Option<string>("--challenger", "the candidate: a bundle folder or a version in --models", required: true);
        var data = Cli.Option<string>("--data", "labelled rows both models are judged on", required: true);
        var promote = Cli.Option<bool>("--promote-if-better", "when every gate passes, make the challenger the champion (it must be a version in --models)");
        var maxAucDrop = Cli.Option("--max-auc-drop", "largest AUC drop (champion − challenger) that still passes", 0.005);
        var maxEceRise = Cli.Option("--max-ece-rise", "largest ECE rise (10 equal-width bins) that still passes", 0.01);
        var maxLogLossRise = Cli.Option("--max-logloss-rise", "largest log loss rise (natural log) that still passes", 0.01);
        var models = Cli.Option("--models", "the model registry folder", "models");
        var cmd = new Command("compare",
            "Judge a challenger against the champion on the same labelled rows. Exit codes: 0 = every gate passes, " +
            $"{GateFailed} = a gate fails (challenger not promoted), {Cli.UserError} = bad arguments or data.")
            { champion, challenger, data, promote, maxAucDrop, maxEceRise, maxLogLossRise, models };
        cmd.SetAction(p =>
        {
            var registry = new ModelRegistry(p.GetValue(models)!);
            var a = ModelBundle.Load(registry.Resolve(p.GetValue(champion)!));
            var b = ModelBundle.Load(registry.Resolve(p.GetValue(challenger)!));
            var dataPath = p.GetValue(data)!;
            var (rowsA, rowsB) = (BundleEvaluation.Load(a, dataPath), BundleEvaluation.Load(b, dataPath));
            if (rowsA.Count == 0) throw new CommandException($"{dataPath} has no labelled rows to compare on");
            if (!rowsA.Labels.SequenceEqual(rowsB.Labels))
                throw new CommandException("the two models' schemas read different rows or labels from the data; they cannot be compared on it");
            var sa = Metrics.Summarize(BundleEvaluation.Score(a, rowsA), rowsA.Labels);
            var sb = Metrics.Summarize(BundleEvaluation.Score(b, rowsB), rowsB.Labels);
            var verdict = PromotionGate.Judge(sa, sb, new GateThresholds(p.GetValue(maxAucDrop), p.GetValue(maxEceRise), p.GetValue(maxLogLossRise)));
            Print(a.Version, b.Version, sa, sb, verdict);
            if (rowsA.LeftOut is { } left) AnsiConsole.MarkupLineInterpolated($"[yellow]{left.Text}[/]");
            if (!verdict.Passed)
            {
                AnsiConsole.MarkupLine("[red]verdict: FAIL[/] — the challenger is not promoted");
                return GateFailed;
            }
            AnsiConsole.MarkupLine("[green]verdict: PASS[/]");
            if (p.GetValue(promote))
            {
                var folder = Path.GetFullPath(Path.TrimEndingDirectorySeparator(b.Path));
                if (!string.Equals(Path.GetDirectoryName(folder), Path.GetFullPath(Path.TrimEndingDirectorySeparator(registry.Root)), StringComparison.Ordinal))
                    throw new CommandException($"--promote-if-better: the challenger {b.Path} is not a version in the registry {registry.Root}");
                registry.Promote(Path.GetFileName(folder));
                AnsiConsole.MarkupLineInterpolated($"champion is now [green]{Path.GetFileName(folder)}[/]");
            }
            return 0;
        });
        return cmd;
    }

    private static void Print(string va, string vb, MetricSummary a, MetricSummary b, GateVerdict verdict)
    {
        var t = new Table().Title($"champion {Markup.Escape(va)} vs challenger {Markup.Escape(vb)} on {a.Count} rows")
            .AddColumns("metric", "champion", "challenger", "change against challenger", "limit", "gate");
        foreach (var c in verdict.Checks)
            t.AddRow(c.Metric, $"{c.Champion:F4}", $"{c.Challenger:F4}", $"{c.Change:+0.0000;-0.0000;0.0000}", $"{c.Limit:F4}", c.Passed ? "[green]pass[/]" : "[red]fail[/]");
        t.AddRow("PR AUC", $"{a.AveragePrecision:F4}", $"{b.AveragePrecision:F4}", "", "", "");
        t.AddRow("Brier", $"{a.Brier:F4}", $"{b.Brier:F4}", "", "", "");
        t.AddRow("ECE (equal-mass)", $"{a.EceEqualMass:F4}", $"{b.EceEqualMass:F4}", "", "", "");
        AnsiConsole.Write(t);
    }
}
