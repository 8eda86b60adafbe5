using System.CommandLine;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Reporting;
using LeadPropensity.Core.Schema;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

internal static class TrainCommand
{
    public const int LeakExit = 3;

    public static Command Create()
    {
        var data = Cli.Option<string>("--data", "the labelled CSV export", required: true);
        var schema = Cli.Option<string?>("--schema", "schema.json describing the export");
        var label = Cli.Option<string?>("--label", "the label column, when no schema is given (the schema is inferred)");
        var positive = Cli.Option<string[]>("--positive", "label values that mean won (with --label)");
        var ignore = Cli.Option<string[]>("--ignore", "columns to leave out (with --label)");
        positive.AllowMultipleArgumentsPerToken = true;
        ignore.AllowMultipleArgumentsPerToken = true;
        var output = Cli.Option("--out", "the model registry folder", "models");
        var trainer = Cli.Option("--trainer", "auto, fasttree, lightgbm or logistic", "auto");
        trainer.AcceptOnlyFromAmong("auto", "fasttree", "lightgbm", "logistic");
        var seed = Cli.Option("--seed", "random seed: the same data, schema and seed give the same metrics", 42);
        var promote = Cli.Option<bool>("--promote", "make the new bundle the champion");
        var strict = Cli.Option<bool>("--strict", "fail on a likely leak, any bad row or any value that cannot be read as its column's type");
        var truthData = Cli.Option<string?>("--truth-data", "an independent labelled file whose true probabilities are known");
        var truth = Cli.Option<string?>("--truth", "the truth file for --truth-data (lead_id,true_probability)");
        var testData = Cli.Option<string?>("--test-data", "use this labelled file as the test set instead of splitting --data (e.g. to compare tools on one split)");

        var cmd = new Command("train", "Learn a calibrated buy-likelihood model and write a versioned bundle.")
            { data, schema, label, positive, ignore, output, trainer, seed, promote, strict, truthData, truth, testData };
        cmd.SetAction(p =>
        {
            var dataPath = p.GetValue(data)!;
            Cli.EnsureWritableFolder(p.GetValue(output)!, "--out");
            var s = LoadOrInferSchema(dataPath, p.GetValue(schema), p.GetValue(label), p.GetValue(positive), p.GetValue(ignore));
            var options = new TrainingOptions
            {
                Seed = p.GetValue(seed),
                Trainer = p.GetValue(trainer) switch { "fasttree" => TrainerKind.FastTree, "lightgbm" => TrainerKind.LightGbm, "logistic" => TrainerKind.Logistic, _ => null },
                FailOnLeak = p.GetValue(strict), FailOnUnreadable = p.GetValue(strict),
            };
            var started = DateTime.UtcNow;
            LeadDataset dataset = null!;
            TrainedModel model = null!;
            try
            {
                AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(ctx =>
                    {
                        var load = ctx.AddTask("loading data", maxValue: 1);
                        dataset = LeadDataset.Load(dataPath, s, p.GetValue(strict));
                        var test = p.GetValue(testData) is { } tdPath ? LeadDataset.Load(tdPath, s, p.GetValue(strict)) : null;
                        load.Increment(1);
                        model = ModelTrainer.Train(dataset, options, new SpectreProgress(ctx), test);
                    });
            }
            catch (TrainingException e) when (e.Message.Contains("leak", StringComparison.Ordinal))
            {
                throw new CommandException(e.Message, LeakExit);
            }
            catch (TrainingException e)
            {
                throw new CommandException(e.Message);
            }

            TruthComparison? truthResult = null;
            if (p.GetValue(truthData) is { } td)
            {
                var tf = p.GetValue(truth) ?? throw new CommandException("--truth-data needs --truth");
                truthResult = TruthCheck.Compare(s, model.Plan, x => model.Probability(x), td, tf);
            }
            var (path, manifest) = BundleWriter.Write(p.GetValue(output)!, model, dataPath, dataset.Sha256, dataset.SkippedRows.Count, truthResult,
                extra: ReportWriter.ForTraining(model));
            if (p.GetValue(promote)) new ModelRegistry(p.GetValue(output)!).Promote(manifest.Version);
            TrainSummary.Print(dataset, model, manifest, path, p.GetValue(promote), DateTime.UtcNow - started);
            return 0;
        });
        return cmd;
    }

    internal static LeadSchema LoadOrInferSchema(string dataPath, string? schemaPath, string? label, string[]? positive, string[]? ignore)
    {
        if (schemaPath is not null) return LeadSchema.Load(schemaPath);
        if (label is null) throw new CommandException("give --schema schema.json, or --label COLUMN to infer one");
        var proposal = SchemaInferrer.Infer(CsvTable.Load(dataPath), label, positive);
        SchemaCommand.PrintLabelNote(proposal);
        var ignored = new HashSet<string>(ignore ?? [], StringComparer.Ordinal);
        var schema = proposal.Schema with
        {
            Columns = proposal.Schema.Columns.Select(c => ignored.Contains(c.Name) ? c with { Type = ColumnType.Ignore } : c).ToList(),
        };
        AnsiConsole.MarkupLine($"[grey]no --schema: inferred one ({schema.FeatureColumns.Count()} feature columns); `schema infer` shows and saves it[/]");
        return schema;
    }

    private sealed class SpectreProgress(ProgressContext ctx) : ITrainingProgress
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];
        public void Stage(string name, int total) => _tasks[name] = ctx.AddTask(name, maxValue: Math.Max(total, 1));
        public void Advance(string name) { if (_tasks.TryGetValue(name, out var t)) t.Increment(1); }
    }
}
