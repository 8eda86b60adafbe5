namespace LeadPropensity.Core.Tests.State;

/// <summary>The store contract on a real PostgreSQL server (see <see cref="PostgresTestServer"/>): a new database per test.</summary>
public sealed class PostgresStateStoreTests : StateStoreContract
{
    protected override string Provider => "Postgres";

    protected override Task<string> CreateDatabaseAsync() => PostgresTestServer.CreateDatabaseAsync();

    protected override Task DropDatabaseAsync(string connectionString) => PostgresTestServer.DropDatabaseAsync(connectionString);

    protected override async Task<string?> SqlAsync(string sql)
    {
        await using var c = new Npgsql.NpgsqlConnection(ConnectionString);
        await c.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, c);
        return (await cmd.ExecuteScalarAsync())?.ToString();
    }
}
