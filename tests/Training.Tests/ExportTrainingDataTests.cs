using System.Globalization;
using System.Text.Json.Nodes;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Sample;
using LeadPropensity.Core.Schema;
using LeadPropensity.Core.State;

namespace LeadPropensity.Training.Tests;

/// <summary>The loop from serving back to training: logged features + reported outcomes → export → train.</summary>
// In the command collection: `train` shows Spectre progress, which refuses to run concurrently with another test's.
[Collection(CommandCollection.Name)]
public class ExportTrainingDataTests
{
    private static readonly string[] NotSentAtScoring = ["lead_id", "outcome", "closed_reason"];

    /// <summary>Logs a prediction for each generated lead (its fields as the request's features) and its outcome.</summary>
    private static async Task FillAsync(IStateStore store, int leads)
    {
        await store.MigrateAsync();
        var header = LeadGenerator.Header;
        var predictions = new List<PredictionRecord>();
        var outcomes = new List<OutcomeRecord>();
        foreach (var lead in new LeadGenerator(7).Generate(leads))
        {
            var f = lead.Fields;
            var features = new JsonObject();
            for (var i = 0; i < header.Length; i++)
            {
                if (NotSentAtScoring.Contains(header[i])) continue;
                // As a CRM would send them: numbers as numbers, blanks as null, the rest as text.
                features[header[i]] = f[i] == "" ? null
                    : double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? JsonValue.Create(d) : JsonValue.Create(f[i]);
            }
            var at = DateTime.Parse(f[1], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            predictions.Add(new PredictionRecord(f[0], at, "v1", "model", 0.1, 10, "Nurture", features.ToJsonString()));
            outcomes.Add(new OutcomeRecord(f[0], f[^1] == "won", at.AddDays(30)));
        }
        await store.AppendPredictionsAsync(predictions);
        await store.UpsertOutcomesAsync(outcomes);
    }

    [Fact]
    public async Task ExportedLeadsTrainALogisticModel()
    {
        var dir = RepoPaths.TempDir("lp-export");
        var db = Path.Combine(dir, "state.db");
        await using (var store = StateStoreFactory.Create("Sqlite", $"Data Source={db}")) await FillAsync(store, 600);

        var csv = Path.Combine(dir, "leads.csv");
        var schemaPath = Path.Combine(dir, "schema.json");
        Assert.Equal(0, CommandFixture.Run("export-training-data", "--store", db, "--out", csv, "--schema-out", schemaPath));

        var lines = File.ReadAllLines(csv);
        Assert.Equal(601, lines.Length);
        var expected = LeadGenerator.Header.Where(h => !NotSentAtScoring.Contains(h)).Prepend("scored_at").Prepend("lead_id").Append("outcome");
        Assert.Equal(string.Join(',', expected), lines[0]);
        Assert.StartsWith("L-000001,2025-01-01T", lines[1]);

        var schema = LeadSchema.Load(schemaPath);
        Assert.Equal(("lead_id", "scored_at", "outcome"), (schema.Id, schema.Timestamp, schema.Label.Column));
        Assert.DoesNotContain(schema.FeatureColumns, c => c.Name is "lead_id" or "scored_at" or "outcome");

        var registry = Path.Combine(dir, "models");
        Assert.Equal(0, CommandFixture.Run("train", "--data", csv, "--schema", schemaPath, "--out", registry, "--trainer", "logistic"));
        Assert.Single(new ModelRegistry(registry).List());
    }

    [Fact]
    public async Task PostgresAndSqliteStoresExportTheSameCsv()
    {
        var dir = RepoPaths.TempDir("lp-export");
        var db = Path.Combine(dir, "state.db");
        await using (var store = StateStoreFactory.Create("Sqlite", $"Data Source={db}")) await FillAsync(store, 150);
        var pg = await PostgresTestServer.CreateDatabaseAsync();
        try
        {
            await using (var store = StateStoreFactory.Create("Postgres", pg)) await FillAsync(store, 150);
            var (fromSqlite, fromPostgres) = (Path.Combine(dir, "s.csv"), Path.Combine(dir, "p.csv"));
            Assert.Equal(0, CommandFixture.Run("export-training-data", "--store", db, "--provider", "Sqlite", "--out", fromSqlite, "--since", "2025-03-01"));
            Assert.Equal(0, CommandFixture.Run("export-training-data", "--store", pg, "--out", fromPostgres, "--since", "2025-03-01"));
            var rows = File.ReadAllLines(fromSqlite);
            Assert.InRange(rows.Length, 2, 150);
            Assert.All(rows.Skip(1), r => Assert.True(string.CompareOrdinal(r.Split(',')[1], "2025-03-01") >= 0));
            Assert.Equal(rows, File.ReadAllLines(fromPostgres));
        }
        finally { await PostgresTestServer.DropDatabaseAsync(pg); }
    }

    [Fact]
    public async Task NothingToExportOrNoStoreIsAUserError()
    {
        var dir = RepoPaths.TempDir("lp-export");
        var db = Path.Combine(dir, "state.db");
        await using (var store = StateStoreFactory.Create("Sqlite", $"Data Source={db}")) await FillAsync(store, 20);
        var csv = Path.Combine(dir, "leads.csv");
        Assert.Equal(2, CommandFixture.Run("export-training-data", "--store", db, "--since", "2099-01-01", "--out", csv, "--schema-out", Path.Combine(dir, "s.json")));
        Assert.Single(File.ReadAllLines(csv));
        Assert.Equal(2, CommandFixture.Run("export-training-data", "--store", Path.Combine(dir, "missing.db"), "--out", csv));
        Assert.Equal(2, CommandFixture.Run("export-training-data", "--store", db, "--since", "not-a-date", "--out", csv));
    }
}
