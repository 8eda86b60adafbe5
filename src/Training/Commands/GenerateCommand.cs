using System.CommandLine;
using LeadPropensity.Core.Sample;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var rows = Cli.Option("--rows", "number of leads", 20000);
        var seed = Cli.Option("--seed", "random seed; the same seed gives the same bytes", 42);
        var output = Cli.Option<string>("--out", "the lead export to write (CSV)", required: true);
        var truth = Cli.Option<string?>("--truth", "where to write each lead's true probability of buying");
        var cmd = new Command("generate", "Write a synthetic B2B lead export with known true probabilities.") { rows, seed, output, truth };
        cmd.SetAction(p =>
        {
            var n = p.GetValue(rows);
            if (n <= 0) throw new CommandException("--rows must be positive");
            new LeadGenerator(p.GetValue(seed)).Write(n, p.GetValue(output)!, p.GetValue(truth));
            var truthNote = p.GetValue(truth) is { } t ? $" and their truth to {t}" : "";
            AnsiConsole.MarkupLineInterpolated($"wrote [green]{n}[/] leads to {p.GetValue(output)}{truthNote}");
            return 0;
        });
        return cmd;
    }
}
