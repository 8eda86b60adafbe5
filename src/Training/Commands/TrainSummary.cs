using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

internal static class TrainSummary
{
    public static void Print(LeadDataset data, TrainedModel m, ModelManifest manifest, string path, bool promoted, TimeSpan took)
    {
        var t = new Table().Title("training summary").HideHeaders().AddColumns("", "");
        t.AddRow("rows", $"{data.Count} ({m.Train.Count} train, {m.TestSet.Count} test; {manifest.Data.Split})");
        if (m.LeftOut is { } left) t.AddRow("[yellow]left out[/]", Markup.Escape(left.Text));
        if (data.SkippedRows.Count > 0) t.AddRow("[yellow]skipped rows[/]", Markup.Escape($"{data.SkippedRows.Count}: " + string.Join("; ", data.SkippedRows.Take(3)) + (data.SkippedRows.Count > 3 ? "; …" : "")));
        if (m.UnreadableValues.Count > 0)
            t.AddRow("[yellow]values read as missing[/]", Markup.Escape($"{m.UnreadableValues.Count}: " + string.Join("; ", m.UnreadableValues.Take(3)) +
                                                                        (m.UnreadableValues.Count > 3 ? "; …" : "")));
        t.AddRow("label rate", $"{(double)data.Positives / data.Count:P1}");
        t.AddRow("trainer", Markup.Escape(m.Chosen.Describe()));
        t.AddRow("calibration", Markup.Escape($"{m.Calibration.Method} ({m.Calibration.Why})"));
        var s = m.Test;
        t.AddRow("test AUC", $"{s.RocAuc:F4}");
        t.AddRow("test log loss (natural log)", $"{s.LogLoss:F4}");
        t.AddRow("test Brier", $"{s.Brier:F4}");
        t.AddRow("test ECE (10 equal-width bins)", $"{s.EceEqualWidth:F4}");
        t.AddRow("top fields (permutation, test set)", Markup.Escape(string.Join(", ", m.Importance.Take(5).Select(i => $"{i.Field} (+{i.LogLossIncrease:F4} log loss)"))));
        t.AddRow("recommended cutoffs", $"SQL ≥ {manifest.RecommendedCutoffs.Sql:F3}, MQL ≥ {manifest.RecommendedCutoffs.Mql:F3}");
        if (manifest.Truth is { } tr)
            t.AddRow("vs. true probabilities", $"AUC {tr.ModelAuc:F4} vs {tr.TrueProbabilityAuc:F4} (gap {tr.AucGap:F4}); mean |p − true| {tr.MeanAbsoluteError:F4} on {tr.Rows} rows");
        t.AddRow("warnings", m.Leaks.Count == 0 ? "none" : "[red]" + Markup.Escape(string.Join("; ", m.Leaks.Select(l => $"LIKELY LEAK {l.Field}: {l.Reason}"))) + "[/]");
        t.AddRow("bundle", Markup.Escape(path) + (promoted ? " [green](champion)[/]" : ""));
        t.AddRow("took", $"{took.TotalSeconds:F1} s");
        AnsiConsole.Write(t);
        foreach (var l in m.Leaks)
            AnsiConsole.MarkupLineInterpolated($"[red]WARNING: '{l.Field}' looks like post-outcome data: {l.Reason}. Mark it \"availableAtScoring\": false if it is filled after the outcome.[/]");
    }
}
