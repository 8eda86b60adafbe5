using System.CommandLine;
using System.Text;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Schema;
using LeadPropensity.Core.State;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

/// <summary>`export-training-data`: the leads serving scored and the CRM resolved, as a labelled CSV and a schema `train` accepts.</summary>
internal static class ExportTrainingDataCommand
{
    public static Command Create()
    {
        var store = Cli.Option<string>("--store", "the state store: a SQLite file path, or a PostgreSQL connection string", required: true);
        var provider = Cli.Option<string?>("--provider", "Sqlite or Postgres (default: Postgres for a connection string with Host=, else Sqlite)");
        provider.AcceptOnlyFromAmong("Sqlite", "Postgres", "sqlite", "postgres");
        var since = Cli.Option<string?>("--since", "only leads last scored on or after this date (UTC, e.g. 2025-06-01)");
        var output = Cli.Option<string>("--out", "the labelled CSV to write", required: true);
        var schemaOut = Cli.Option<string?>("--schema-out", "where to write a schema.json for `train` (inferred from the export)");
        var cmd = new Command("export-training-data", "Export logged features joined with outcomes as the next training set.")
            { store, provider, since, output, schemaOut };
        cmd.SetAction(async (p, ct) =>
        {
            var (kind, connection) = Resolve(p.GetValue(store)!, p.GetValue(provider));
            var from = p.GetValue(since) is { } s ? ParseDate(s) : (DateTime?)null;
            var outPath = p.GetValue(output)!;
            TrainingExportResult result;
            await using (var st = StateStoreFactory.Create(kind, connection))
            {
                await st.MigrateAsync(ct);
                await using var writer = new StreamWriter(outPath, false, new UTF8Encoding(false), 1 << 16);
                result = await TrainingExport.WriteCsvAsync(st, from, writer, ct);
            }
            AnsiConsole.MarkupLineInterpolated(
                $"exported [green]{result.Rows}[/] leads ({result.Won} won) with {result.FeatureColumns.Count} feature columns to {outPath}");
            if (p.GetValue(schemaOut) is { } schemaPath)
            {
                if (result.Rows == 0) throw new CommandException("no lead has both a logged prediction and an outcome: nothing to infer a schema from");
                InferSchema(outPath).Save(schemaPath);
                AnsiConsole.MarkupLineInterpolated($"schema written to [green]{schemaPath}[/]; review it, then train with --data {outPath} --schema {schemaPath}");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>The schema the inferrer proposes, with the export's own columns fixed: lead_id the id, scored_at the timestamp, neither a feature.</summary>
    internal static LeadSchema InferSchema(string csvPath)
    {
        var proposal = SchemaInferrer.Infer(CsvTable.Load(csvPath), TrainingExport.LabelColumn, ["won"]);
        var s = proposal.Schema;
        return s with
        {
            Label = new LabelSpec { Column = TrainingExport.LabelColumn, Positive = ["won"], Negative = ["lost"] },
            Id = TrainingExport.IdColumn,
            Timestamp = TrainingExport.TimeColumn,
            Columns = s.Columns.Select(c => c.Name is TrainingExport.IdColumn or TrainingExport.TimeColumn ? c with { Type = ColumnType.Ignore, AvailableAtScoring = true } : c).ToList(),
        };
    }

    internal static (string Provider, string ConnectionString) Resolve(string store, string? provider)
    {
        var looksPostgres = store.Contains("Host=", StringComparison.OrdinalIgnoreCase) || store.Contains("Server=", StringComparison.OrdinalIgnoreCase);
        var kind = provider ?? (looksPostgres ? "Postgres" : "Sqlite");
        if (!kind.Equals("Sqlite", StringComparison.OrdinalIgnoreCase)) return (kind, store);
        var isConnectionString = store.Contains("Data Source=", StringComparison.OrdinalIgnoreCase);
        var path = isConnectionString ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(store).DataSource : store;
        // Opening a missing SQLite file would create an empty store and export nothing: say so instead.
        if (!File.Exists(path)) throw new CommandException($"no SQLite state store at '{path}'");
        return (kind, isConnectionString ? store : $"Data Source={path}");
    }

    private static DateTime ParseDate(string s) =>
        ValueParsing.TryIsoInstant(s, out var d)
            ? d : throw new CommandException($"--since '{s}' is not an ISO 8601 date (use e.g. 2025-06-01 or 2025-06-01T12:00:00Z)");
}
