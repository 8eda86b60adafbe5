namespace LeadPropensity.Core.State;

/// <summary>Makes the configured store (State__Provider, State__ConnectionString).</summary>
public static class StateStoreFactory
{
    public const string DefaultConnectionString = "Data Source=data/state.db";

    public static IStateStore Create(string provider, string connectionString, TimeProvider? clock = null)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException("the state store needs a connection string (State__ConnectionString)", nameof(connectionString));
        return provider?.Trim().ToLowerInvariant() switch
        {
            "sqlite" => new SqliteStateStore(connectionString, clock),
            "postgres" or "postgresql" => new PostgresStateStore(connectionString, clock),
            _ => throw new ArgumentException(
                $"unknown state store provider '{provider}': use 'Sqlite' or 'Postgres' (State__Provider)", nameof(provider)),
        };
    }
}
