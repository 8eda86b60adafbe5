using Microsoft.Data.Sqlite;
using LeadPropensity.Core.State;

namespace LeadPropensity.Core.Tests.State;

/// <summary>The store contract on SQLite: each test gets a file of its own in a folder that does not exist yet.</summary>
public sealed class SqliteStateStoreTests : StateStoreContract
{
    private readonly string _dir = RepoPaths.TempDir("lp-state");

    protected override string Provider => "Sqlite";

    protected override Task<string> CreateDatabaseAsync() =>
        Task.FromResult($"Data Source={Path.Combine(_dir, Guid.NewGuid().ToString("N"), "state.db")}");

    protected override Task DropDatabaseAsync(string connectionString)
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { /* a temp folder left behind is harmless */ }
        return Task.CompletedTask;
    }

    protected override Task<string?> SqlAsync(string sql) => Sql(ConnectionString, sql);

    [Fact]
    public async Task TheFileIsCreatedOnFirstStartInWalModeWithSmallPagesAndALargeWal()
    {
        var path = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        Assert.True(File.Exists(path));
        await using var c = new SqliteConnection(ConnectionString);
        await c.OpenAsync();
        await using var cmd = new SqliteCommand("PRAGMA journal_mode", c);
        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync());
        // Logged predictions land all over the lead index: the store creates its file with 4 KB pages (see OpenAsync).
        cmd.CommandText = "PRAGMA page_size";
        Assert.Equal(4096L, (long)(await cmd.ExecuteScalarAsync())!);
        // Checkpoints every 64 MB of WAL, on the store's own connections.
        var store = (SqliteStateStore)Store;
        Assert.Equal(16384L, await store.PragmaAsync("wal_autocheckpoint"));
    }

    [Fact]
    public async Task AFileWithLargerPagesKeepsThemAndCheckpointsAtTheSameSize()
    {
        // A file made with 64 KB pages (as earlier versions did): its page size is fixed, and 64 MB of WAL is 1,024 pages.
        var old = await NewDatabaseAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(new SqliteConnectionStringBuilder(old).DataSource)!);
        await Sql(old, "PRAGMA page_size = 65536; PRAGMA journal_mode = WAL; CREATE TABLE made_before (x);");
        var store = (SqliteStateStore)Open(old);
        await store.MigrateAsync();
        Assert.Equal(65536L, await store.PragmaAsync("page_size"));
        Assert.Equal(1024L, await store.PragmaAsync("wal_autocheckpoint"));
    }

    [Fact]
    public async Task AnInsertSQLiteRefusesIsAnErrorAndWritesNothing()
    {
        // A trigger makes SQLite refuse the second row of the batch: the whole batch is rolled back and the error surfaces.
        await Sql(ConnectionString,
            "CREATE TRIGGER refuse BEFORE INSERT ON predictions WHEN NEW.lead_id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        PredictionRecord Row(string id) => new(id, at, "v1", "model", 0.25, 25, "MQL", "{\"a\":\"1\"}");
        var e = await Assert.ThrowsAsync<SqliteException>(() => Store.AppendPredictionsAsync([Row("ok"), Row("bad")]));
        Assert.Contains("refused by test", e.Message);
        Assert.Empty(await Store.GetPredictionsAsync());
        await Store.AppendPredictionsAsync([Row("ok")]);
        Assert.Equal("ok", Assert.Single(await Store.GetPredictionsAsync()).LeadId);
    }

    // The insert stores SqliteStateStore.RowsPerStatement rows per statement and the rest with one more: batches on either
    // side of those sizes keep every column of every row, in the order given (one time for all, so ids decide the order).
    [Theory]
    [InlineData(1)]
    [InlineData(SqliteStateStore.RowsPerStatement - 1)]
    [InlineData(SqliteStateStore.RowsPerStatement)]
    [InlineData(SqliteStateStore.RowsPerStatement + 1)]
    [InlineData(3 * SqliteStateStore.RowsPerStatement + 5)]
    public async Task BatchesOfAnySizeKeepEveryRowWholeAndInOrder(int size)
    {
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(70);
        var rows = Enumerable.Range(0, size).Select(i =>
        {
            var features = new KeyValuePair<string, string?>[] { new("row", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("kind", i % 2 == 0 ? "even" : null) };
            // Every column differs from its neighbours' and the features come in each form a caller can hand over.
            var p = new PredictionRecord($"L-{size}-{i}", at, i % 3 == 0 ? null : $"v{i % 4}", i % 5 == 0 ? "rules" : "model",
                (i + 1) / (size + 2.0), i % 101, i % 2 == 0 ? "MQL" : "SQL", LoggedFeatures.Write(features));
            return (i % 3) switch
            {
                0 => p,
                1 => p with { FeaturesJson = $$"""{"row":"{{i}}","text":"yes"}""" },
                _ => new PredictionRecord(p.LeadId, p.At, p.ModelVersion, p.Source, p.Probability, p.Score, p.Band,
                    System.Text.Encoding.UTF8.GetBytes($$"""{"row":"{{i}}","utf8":"ü"}""")),
            };
        }).ToList();
        await Store.AppendPredictionsAsync(rows);

        var back = await Store.GetPredictionsAsync();
        Assert.Equal(rows.Select(r => (r.LeadId, r.At, r.ModelVersion, r.Source, r.Probability, r.Score, r.Band)),
            back.Select(r => (r.LeadId, r.At, r.ModelVersion, r.Source, r.Probability, r.Score, r.Band)));
        for (var i = 0; i < size; i++)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(back[i].FeaturesJson);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), doc.RootElement.GetProperty("row").GetString());
        }
        Assert.Equal(rows.Where((_, i) => i % 3 != 0).Select(r => r.FeaturesJson), back.Where((_, i) => i % 3 != 0).Select(r => r.FeaturesJson));
    }

    [Fact]
    public async Task AFileFromBeforeTheLeadIndexChangesIsUpgradedKeepingItsLog()
    {
        // A file as version 2 left it: the lead index on the log, (lead_id, at, id), and a logged lead scored three times.
        var old = await NewDatabaseAsync();
        var migrations = ((SqlStateStore)Store).Migrations;
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        await using (var v2 = new SqliteStateStore(old))
        {
            await v2.MigrateAsync();
            await v2.AppendPredictionsAsync([.. new[] { 2, 0, 1 }.Select(h => new PredictionRecord("L-1", at.AddHours(h), $"v{h}", "model", 0.1 * (h + 1), 10 * (h + 1), "MQL", "{}"))]);
            await v2.AppendPredictionsAsync([new PredictionRecord("L-2", at, "v0", "model", 0.5, 50, "SQL", "{}")]);
            await v2.UpsertOutcomesAsync([new OutcomeRecord("L-1", true, at.AddDays(3))]);
            await Sql(old, """
                DROP TRIGGER prediction_latest_delete; DROP TABLE prediction_latest; DROP TABLE prediction_leads_upto;
                DROP TABLE feature_keys; ALTER TABLE predictions DROP COLUMN features_keys;
                CREATE INDEX ix_predictions_lead ON predictions (lead_id, at, id); DELETE FROM schema_migrations WHERE version >= 3
                """);
        }

        var store = Open(old);
        Assert.Equal(4, await store.MigrateAsync());
        Assert.Equal([.. migrations.Select(m => m.Version)], await ((SqlStateStore)store).AppliedMigrationsAsync());
        // The log keeps only its time index; the lead index is a table of its own, holding each logged lead's latest already.
        Assert.Equal("ix_predictions_at", await Sql(old,
            "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'predictions' AND sql IS NOT NULL ORDER BY name)"));
        Assert.Equal("2 4", await Sql(old, "SELECT (SELECT COUNT(*) FROM prediction_latest) || ' ' || (SELECT upto FROM prediction_leads_upto)"));
        // A lead's latest prediction is one seek in it: no sorting of the lead's rows.
        var plan = await PlanAsync(old, "SELECT id FROM prediction_latest WHERE lead_id = 'L-1' ORDER BY at DESC, id DESC LIMIT 1");
        Assert.Contains("prediction_latest", plan);
        Assert.DoesNotContain("TEMP B-TREE", plan);
        // The log is kept, and the outcome still meets its lead's latest prediction (the one logged first, two hours on).
        Assert.Equal(4, (await store.GetPredictionsAsync()).Count);
        var scored = Assert.Single(await store.GetScoredOutcomesAsync());
        Assert.Equal(("L-1", at.AddHours(2), "v2", 30), (scored.LeadId, scored.PredictedAt, scored.ModelVersion, scored.Score));
    }

    [Fact]
    public async Task LoggedPredictionsReachTheLeadIndexInBulkAndReadsNeverMissOne()
    {
        await using var store = new SqliteStateStore(ConnectionString) { LeadIndexLag = 5 };
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        PredictionRecord Row(int i) => new($"L-{i}", at.AddMinutes(i), "v1", "model", 0.01 * i, i, "MQL", $$"""{"n":"{{i}}"}""");
        async Task<string?> Indexed() => await Sql(ConnectionString,
            "SELECT (SELECT COUNT(*) FROM prediction_latest) || ' of ' || (SELECT COUNT(*) FROM predictions) || ', up to ' || (SELECT upto FROM prediction_leads_upto)");

        // Below the lag, the writer leaves its rows for a later pass...
        await store.AppendPredictionsAsync([Row(1), Row(2), Row(3)]);
        Assert.Equal("0 of 3, up to 0", await Indexed());
        // ...and the append that brings the lag to LeadIndexLag indexes all of them, in its own transaction.
        await store.AppendPredictionsAsync([Row(4), Row(5)]);
        Assert.Equal("5 of 5, up to 5", await Indexed());

        // A read by lead first indexes what is waiting: the outcome of a lead logged a moment ago finds its prediction.
        await store.AppendPredictionsAsync([Row(6)]);
        Assert.Equal("5 of 6, up to 5", await Indexed());
        var upsert = await store.UpsertOutcomesAsync([new OutcomeRecord("L-6", true, at.AddDays(1)), new OutcomeRecord("L-9", false, at.AddDays(1))]);
        Assert.Equal(1, upsert.Unscored);
        Assert.Equal("6 of 6, up to 6", await Indexed());
        await store.AppendPredictionsAsync([Row(7) with { LeadId = "L-6", At = at.AddHours(1), Score = 77 }]);
        Assert.Equal(77, Assert.Single(await store.GetScoredOutcomesAsync()).Score);
        Assert.Equal(1, await store.CountUnscoredOutcomesAsync());
        // One entry per lead: L-6's second prediction took the place of its first.
        Assert.Equal("6 of 7, up to 7", await Indexed());

        // Deleting old predictions takes them out of the lead index too, indexed or not.
        await store.AppendPredictionsAsync([Row(8)]);
        Assert.Equal(6, await store.DeletePredictionsBeforeAsync(at.AddMinutes(7)));
        Assert.Equal("1 of 2, up to 7", await Indexed());
        Assert.Equal(77, Assert.Single(await store.GetScoredOutcomesAsync()).Score);
        Assert.Equal("2 of 2, up to 8", await Indexed());
    }

    [Fact]
    public async Task AFileWhoseLeadIndexHeldEveryPredictionKeepsEachLeadsLatest()
    {
        // A file as version 5 left it: an index entry for every logged prediction. L-1 was scored three times, the last
        // two at the same moment (a batch), and logged out of time order; L-2 once, and its prediction later deleted.
        var old = await NewDatabaseAsync();
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        await using (var v5 = new SqliteStateStore(old) { LeadIndexLag = 1 })
        {
            await v5.MigrateAsync();
            await v5.AppendPredictionsAsync([
                new PredictionRecord("L-1", at.AddHours(1), "v1", "model", 0.2, 20, "MQL", "{}"),
                new PredictionRecord("L-1", at, "v1", "model", 0.1, 10, "MQL", "{}"),
                new PredictionRecord("L-1", at.AddHours(1), "v1", "model", 0.3, 30, "MQL", "{}"),
                new PredictionRecord("L-2", at, "v1", "model", 0.4, 40, "SQL", "{}"),
                new PredictionRecord("L-3", at.AddDays(1), "v1", "model", 0.5, 50, "SQL", "{}")]);
            await Sql(old, """
                DROP TRIGGER prediction_latest_delete; DROP TABLE prediction_latest;
                CREATE TABLE prediction_leads (
                    lead_id TEXT NOT NULL, at TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (lead_id, at, id)) WITHOUT ROWID;
                INSERT INTO prediction_leads (lead_id, at, id) SELECT lead_id, at, id FROM predictions;
                CREATE TRIGGER prediction_leads_delete AFTER DELETE ON predictions BEGIN
                    DELETE FROM prediction_leads WHERE lead_id = OLD.lead_id AND at = OLD.at AND id = OLD.id;
                END;
                DELETE FROM predictions WHERE lead_id = 'L-2';
                DELETE FROM schema_migrations WHERE version >= 6
                """);
        }

        var store = Open(old);
        Assert.Equal(1, await store.MigrateAsync());
        Assert.Equal("L-1 3, L-3 5", await Sql(old, "SELECT group_concat(lead_id || ' ' || id, ', ') FROM (SELECT * FROM prediction_latest ORDER BY lead_id)"));
        Assert.Equal("0", await Sql(old, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'prediction_leads%' AND name != 'prediction_leads_upto'"));
        await store.UpsertOutcomesAsync([new OutcomeRecord("L-1", true, at.AddDays(2)), new OutcomeRecord("L-2", false, at.AddDays(2))]);
        Assert.Equal(30, Assert.Single(await store.GetScoredOutcomesAsync()).Score);
        Assert.Equal(1, await store.CountUnscoredOutcomesAsync());

        // From now on a prediction older than a lead's latest leaves the entry as it is; a later one takes its place.
        await store.AppendPredictionsAsync([new PredictionRecord("L-1", at.AddMinutes(1), "v1", "model", 0.6, 60, "SQL", "{}")]);
        Assert.Equal(30, Assert.Single(await store.GetScoredOutcomesAsync()).Score);
        await store.AppendPredictionsAsync([new PredictionRecord("L-1", at.AddHours(1), "v2", "model", 0.7, 70, "SQL", "{}")]);
        Assert.Equal(70, Assert.Single(await store.GetScoredOutcomesAsync()).Score);
        // Deleting a lead's older predictions keeps its entry; deleting its latest (and so all older ones) takes it out.
        Assert.Equal(2, await store.DeletePredictionsBeforeAsync(at.AddMinutes(30)));
        Assert.Equal(70, Assert.Single(await store.GetScoredOutcomesAsync()).Score);
        Assert.Equal(3, await store.DeletePredictionsBeforeAsync(at.AddHours(2)));
        Assert.Empty(await store.GetScoredOutcomesAsync());
        Assert.Equal(2, await store.CountUnscoredOutcomesAsync());
        Assert.Equal("L-3", await Sql(old, "SELECT group_concat(lead_id, ', ') FROM prediction_latest"));
    }

    [Fact]
    public async Task ABatchThatFailsLeavesNoListOfNamesAndTheNextOneStoresItAgain()
    {
        await Sql(ConnectionString,
            "CREATE TRIGGER refuse BEFORE INSERT ON predictions WHEN NEW.lead_id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        await Assert.ThrowsAsync<SqliteException>(() => Store.AppendPredictionsAsync([Logged("ok", at, ("a", "1")), Logged("bad", at, ("a", "2"))]));
        Assert.Equal("0", await Sql(ConnectionString, "SELECT COUNT(*) FROM feature_keys"));

        await Store.AppendPredictionsAsync([Logged("ok", at, ("a", "1"))]);
        Assert.Equal("""{"a":"1"}""", Assert.Single(await Store.GetPredictionsAsync()).FeaturesJson);
        Assert.Equal("1", await Sql(ConnectionString, "SELECT COUNT(*) FROM feature_keys"));
    }

    private static async Task<string?> Sql(string connectionString, string sql)
    {
        await using var c = new SqliteConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new SqliteCommand(sql, c);
        return (await cmd.ExecuteScalarAsync())?.ToString();
    }

    private static async Task<string> PlanAsync(string connectionString, string query)
    {
        await using var c = new SqliteConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new SqliteCommand("EXPLAIN QUERY PLAN " + query, c);
        await using var r = await cmd.ExecuteReaderAsync();
        var steps = new List<string>();
        while (await r.ReadAsync()) steps.Add(r.GetString(3));
        return string.Join(" | ", steps);
    }
}
