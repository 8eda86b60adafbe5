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

    [Fact]
    public async Task TheFileIsCreatedOnFirstStartInWalModeWithLargePages()
    {
        var path = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        Assert.True(File.Exists(path));
        await using var c = new SqliteConnection(ConnectionString);
        await c.OpenAsync();
        await using var cmd = new SqliteCommand("PRAGMA journal_mode", c);
        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync());
        // The prediction log's rows are about a kilobyte each: the store creates its file with 64 KB pages.
        cmd.CommandText = "PRAGMA page_size";
        Assert.Equal(65536L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task AnInsertSQLiteRefusesIsAnErrorAndWritesNothing()
    {
        // A trigger makes SQLite refuse the second row of the batch: the whole batch is rolled back and the error surfaces.
        await using (var c = new SqliteConnection(ConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = new SqliteCommand(
                "CREATE TRIGGER refuse BEFORE INSERT ON predictions WHEN NEW.lead_id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused by test'); END", c);
            await cmd.ExecuteNonQueryAsync();
        }
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        PredictionRecord Row(string id) => new(id, at, "v1", "model", 0.25, 25, "MQL", "{\"a\":\"1\"}");
        var e = await Assert.ThrowsAsync<SqliteException>(() => Store.AppendPredictionsAsync([Row("ok"), Row("bad")]));
        Assert.Contains("refused by test", e.Message);
        Assert.Empty(await Store.GetPredictionsAsync());
        await Store.AppendPredictionsAsync([Row("ok")]);
        Assert.Equal("ok", Assert.Single(await Store.GetPredictionsAsync()).LeadId);
    }
}
