using System.CommandLine;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Schema;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

internal static class SchemaCommand
{
    public static Command Create()
    {
        var data = Cli.Option<string>("--data", "the CSV export", required: true);
        var label = Cli.Option<string>("--label", "the label column (won/lost)", required: true);
        var positive = Cli.Option<string[]>("--positive", "label values that mean a purchase (default 1, won, yes, true)");
        positive.AllowMultipleArgumentsPerToken = true;
        var output = Cli.Option<string?>("--out", "where to write the proposed schema.json");
        var infer = new Command("infer", "Propose a schema for a CSV export and explain each decision.") { data, label, positive, output };
        infer.SetAction(p =>
        {
            var table = CsvTable.Load(p.GetValue(data)!);
            var proposal = SchemaInferrer.Infer(table, p.GetValue(label)!, p.GetValue(positive));
            Print(proposal);
            if (p.GetValue(output) is { } path)
            {
                proposal.Schema.Save(path);
                AnsiConsole.MarkupLineInterpolated($"schema written to [green]{path}[/]; review it, then train with --schema {path}");
            }
            else AnsiConsole.WriteLine(proposal.Schema.ToJson());
            return 0;
        });
        return new Command("schema", "Work with schema.json files.") { infer };
    }

    private static void Print(SchemaProposal p)
    {
        var rate = p.Decided == 0 ? 0 : (double)p.Positives / p.Decided;
        var t = new Table().Title(p.Decided == p.Rows
            ? $"{p.Rows} rows, {p.Positives} positive ({rate:P1})"
            : $"{p.Rows} rows, {p.Positives} of {p.Decided} with an outcome positive ({rate:P1})" + (p.LeftOut > 0 ? $"; {p.LeftOut} with no outcome yet left out" : ""));
        t.AddColumns("column", "decision", "missing", "distinct", "reason");
        foreach (var d in p.Decisions)
            t.AddRow(Markup.Escape(d.Name), Markup.Escape(d.Decision), $"{d.MissingShare:P0}", d.Distinct.ToString(),
                Markup.Escape(d.Reason) + (d.Warning is null ? "" : $"\n[yellow]{Markup.Escape(d.Warning)}[/]"));
        AnsiConsole.Write(t);
        if (p.Schema.Id is { } id) AnsiConsole.MarkupLineInterpolated($"id: [blue]{id}[/]");
        if (p.Schema.Timestamp is { } ts) AnsiConsole.MarkupLineInterpolated($"timestamp: [blue]{ts}[/]");
        PrintLabelNote(p);
    }

    /// <summary>A label of more than two values was mapped by guesswork (which values mean no outcome yet): say so where it is seen.</summary>
    internal static void PrintLabelNote(SchemaProposal p)
    {
        if (p.LabelNote is { } note) AnsiConsole.MarkupLineInterpolated($"[yellow]note: {note}[/]");
    }
}
