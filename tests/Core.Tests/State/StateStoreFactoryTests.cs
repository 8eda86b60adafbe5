using LeadPropensity.Core.State;

namespace LeadPropensity.Core.Tests.State;

public class StateStoreFactoryTests
{
    [Theory]
    [InlineData("Sqlite", typeof(SqliteStateStore))]
    [InlineData("SQLITE", typeof(SqliteStateStore))]
    [InlineData("postgres", typeof(PostgresStateStore))]
    [InlineData("Postgres", typeof(PostgresStateStore))]
    public async Task TheProviderNameChoosesTheStoreWhateverItsCase(string provider, Type expected)
    {
        var cs = expected == typeof(SqliteStateStore) ? $"Data Source={Path.Combine(RepoPaths.TempDir("lp-state"), "s.db")}" : "Host=127.0.0.1;Database=x";
        await using var store = StateStoreFactory.Create(provider, cs);
        Assert.IsType(expected, store);
    }

    [Fact]
    public void AnUnknownProviderIsAClearArgumentError()
    {
        var e = Assert.Throws<ArgumentException>(() => StateStoreFactory.Create("mysql", "Server=x"));
        Assert.Contains("'mysql'", e.Message);
        Assert.Contains("Sqlite", e.Message);
        Assert.Contains("Postgres", e.Message);
    }

    [Fact]
    public void SqliteNeedsAFile() =>
        Assert.Throws<ArgumentException>(() => StateStoreFactory.Create("Sqlite", "Data Source=:memory:"));
}
