using System.CommandLine;
using LeadPropensity.Core.Bundles;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

internal static class ModelsCommand
{
    public static Command Create()
    {
        var dir = Cli.Option("--models", "the model registry folder", "models");
        var list = new Command("list", "List model versions with their quality; * marks the champion.") { dir };
        list.SetAction(p =>
        {
            var reg = new ModelRegistry(p.GetValue(dir)!);
            var t = new Table().AddColumns("", "version", "created", "trainer", "AUC", "ECE", "rows");
            foreach (var e in reg.List())
            {
                var m = e.Manifest;
                t.AddRow(e.IsChampion ? "[green]*[/]" : "", e.Version, m?.CreatedAt.ToString("u") ?? "-", Markup.Escape(m?.Trainer.Name ?? "[unreadable] " + e.Error),
                    m is null ? "-" : $"{m.Metrics.RocAuc:F4}", m is null ? "-" : $"{m.Metrics.EceEqualWidth:F4}", m?.Data.Rows.ToString() ?? "-");
            }
            AnsiConsole.Write(t);
            return 0;
        });
        var version = new Argument<string>("version") { Description = "the version to promote" };
        var promote = new Command("promote", "Make a version the champion (served by Serving).") { dir, version };
        promote.SetAction(p =>
        {
            var reg = new ModelRegistry(p.GetValue(dir)!);
            var v = p.GetValue(version)!;
            reg.Load(v); // never promote a bundle that cannot be served (damaged, or in a folder not named after its version)
            reg.Promote(v);
            AnsiConsole.MarkupLineInterpolated($"champion is now [green]{v}[/]");
            return 0;
        });
        var rollback = new Command("rollback", "Make the previous champion the champion again.") { dir };
        rollback.SetAction(p =>
        {
            var v = new ModelRegistry(p.GetValue(dir)!).Rollback();
            AnsiConsole.MarkupLineInterpolated($"champion is now [green]{v}[/] again");
            return 0;
        });
        return new Command("models", "Manage the model registry.") { list, promote, rollback };
    }
}
