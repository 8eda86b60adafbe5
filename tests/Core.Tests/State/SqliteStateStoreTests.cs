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
}
