using System.Globalization;
using System.Text.RegularExpressions;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Reporting;
using LeadPropensity.Core.Schema;
using Spectre.Console;

namespace LeadPropensity.Training.Tests;

/// <summary>
/// These tests read what the commands print, through Spectre's one static console: they run apart from every other
/// test, so no other command writes into (or loses its output to) the capture.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCaptureCollection
{
    public const string Name = "console capture";
}

/// <summary>A Salesforce-style export whose label has won, lost and still-open leads.</summary>
[Collection(ConsoleCaptureCollection.Name)]
public partial class OpenLabelCommandTests : IDisposable
{
    private readonly string _dir = RepoPaths.TempDir("lp-open");
    private readonly string _data;
    private readonly (int Won, int Lost, int Open) _counts;

    public OpenLabelCommandTests()
    {
        // The first 3000 sample leads, labelled as a CRM's Status: every fifth lead is still open (its closing reason,
        // written with the outcome, blank), the rest Closed Won or Closed Lost as the sample says.
        var t = CsvTable.Load(RepoPaths.Repo("data", "sample", "leads.csv"));
        var (label, reason) = (t.Headers.ToList().IndexOf("outcome"), t.Headers.ToList().IndexOf("closed_reason"));
        var headers = t.Headers.Select((h, i) => i == label ? "Status" : h);
        var lines = new List<string> { string.Join(',', headers) };
        foreach (var (row, i) in t.Rows.Take(3000).Select((r, i) => (r.ToArray(), i)))
        {
            if (i % 5 == 0) (row[label], row[reason]) = ("Open", "");
            else row[label] = row[label] == "won" ? "Closed Won" : "Closed Lost";
            _counts = row[label] switch
            {
                "Open" => _counts with { Open = _counts.Open + 1 },
                "Closed Won" => _counts with { Won = _counts.Won + 1 },
                _ => _counts with { Lost = _counts.Lost + 1 },
            };
            lines.Add(string.Join(',', row.Select(v => v.IndexOfAny([',', '"']) >= 0 ? $"\"{v.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : v)));
        }
        _data = Path.Combine(_dir, "sf.csv");
        File.WriteAllLines(_data, lines);
    }

    [Fact]
    public void SchemaInferOnAThreeValueLabelProposesNegativeAndOpenAndListsEveryValue()
    {
        var schemaPath = Path.Combine(_dir, "schema.json");
        var (code, output) = Run("schema", "infer", "--data", _data, "--label", "Status", "--positive", "Closed Won", "--out", schemaPath);

        Assert.Equal(0, code);
        var label = LeadSchema.Load(schemaPath).Label;
        Assert.Equal(new[] { "Closed Won" }, label.Positive);
        Assert.Equal(new[] { "Closed Lost" }, label.Negative);
        Assert.Equal(new[] { "Open" }, label.Open);
        var decided = _counts.Won + _counts.Lost;
        Assert.Contains($"given as the label; {_counts.Won} of {decided} rows positive; {_counts.Open} rows with no outcome yet (open) left out", output);
        Assert.Contains($"{_counts.Won} of {decided} with an outcome positive", output);
        Assert.Contains("note: label column 'Status' has 3 values", output);
        Assert.Contains($"'Closed Won' ({_counts.Won} rows) → positive (won)", output);
        Assert.Contains($"'Closed Lost' ({_counts.Lost} rows) → negative (lost)", output);
        Assert.Contains($"'Open' ({_counts.Open} rows) → open (no outcome yet", output);
        Assert.Contains("Review this in the schema's label", output);
    }

    [Fact]
    public void TrainingOnAnOpenLabelLeavesTheOpenRowsOutAndLearnsTheDecidedRowsRate()
    {
        var schemaPath = Path.Combine(_dir, "schema.json");
        Assert.Equal(0, Run("schema", "infer", "--data", _data, "--label", "Status", "--positive", "Closed Won", "--out", schemaPath).Code);
        var registry = Path.Combine(_dir, "models");

        var (code, output) = Run("train", "--data", _data, "--schema", schemaPath, "--out", registry, "--trainer", "logistic", "--seed", "7");

        Assert.Equal(0, code);
        var leftOut = $"{_counts.Open} rows left out: label 'Open' means no outcome yet";
        Assert.Contains(leftOut, output);
        var bundle = ModelBundle.Load(Directory.GetDirectories(registry).Single());
        var data = bundle.Manifest.Data;
        Assert.Equal(_counts.Won + _counts.Lost, data.Rows);
        Assert.Equal(_counts.Won, data.Positives);
        Assert.Equal((double)_counts.Won / (_counts.Won + _counts.Lost), data.LabelRate, 12);
        Assert.Contains(((double)_counts.Won / (_counts.Won + _counts.Lost)).ToString("P1", CultureInfo.CurrentCulture), output);
        Assert.Equal(_counts.Open, data.LeftOut!.Rows);
        Assert.Equal(leftOut, data.LeftOut.Text);
        Assert.Equal(_counts.Open, ReportWriter.TryRead(bundle.Path)!.Profile.LeftOut!.Rows);

        // evaluate judges the same rows: the open leads are in none of its numbers either.
        var evaluation = Path.Combine(_dir, "evaluation");
        var (evalCode, evalOutput) = Run("evaluate", "--models", registry, "--model", bundle.Version, "--data", _data, "--out", evaluation);
        Assert.Equal(0, evalCode);
        Assert.Contains(leftOut, evalOutput);
        var report = ReportWriter.TryRead(evaluation)!;
        Assert.Equal(_counts.Won + _counts.Lost, report.Metrics.Count);
        Assert.Equal(_counts.Open, report.Profile.LeftOut!.Rows);
    }

    [Fact]
    public void TrainingWithANegativeListAndNoOpenListStillStopsOnTheOpenRows()
    {
        var schemaPath = Path.Combine(_dir, "schema.json");
        Assert.Equal(0, Run("schema", "infer", "--data", _data, "--label", "Status", "--positive", "Closed Won", "--out", schemaPath).Code);
        var s = LeadSchema.Load(schemaPath);
        (s with { Label = s.Label with { Open = null } }).Save(schemaPath);

        var (code, output) = Run("train", "--data", _data, "--schema", schemaPath, "--out", Path.Combine(_dir, "models"), "--trainer", "logistic");

        Assert.Equal(2, code);
        Assert.Contains($"{_counts.Open} rows have a label the schema cannot map in column 'Status': 'Open' ×{_counts.Open}", output);
        Assert.Contains("under the label's \"open\" to leave those rows out", output);
    }

    /// <summary>Runs a command and returns what it printed, with line wrapping undone (tables and long lines wrap at the console's width).</summary>
    private static (int Code, string Output) Run(params string[] args)
    {
        var previous = AnsiConsole.Console;
        var writer = new StringWriter();
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        try
        {
            var code = CommandFixture.Run(args);
            return (code, Spaces().Replace(TableRules().Replace(writer.ToString(), " "), " "));
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
    }

    [GeneratedRegex(@"\s*[│┃|]\s*\r?\n\s*[│┃|]\s*(?:[│┃|]\s*)*")]
    private static partial Regex TableRules();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { /* a temp folder left behind is harmless */ }
    }
}
