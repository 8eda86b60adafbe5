using LeadPropensity.Core.Bands;
using LeadPropensity.Core.State;

namespace LeadPropensity.Core.Tests.State;

/// <summary>A clock the tests move by hand, shared by every store a test opens.</summary>
public sealed class ManualClock(DateTime start) : TimeProvider
{
    public DateTime Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => new(Now, TimeSpan.Zero);
    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// The behaviour every state store must have. Each provider runs these same tests through a subclass that makes a
/// fresh, empty database per test.
/// </summary>
public abstract partial class StateStoreContract : IAsyncLifetime
{
    protected static readonly DateTime T0 = new(2025, 3, 1, 9, 0, 0, DateTimeKind.Utc);
    protected ManualClock Clock { get; } = new(new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc));
    private readonly List<IStateStore> _opened = [];
    private readonly List<string> _databases = [];

    protected abstract string Provider { get; }
    protected abstract Task<string> CreateDatabaseAsync();
    protected abstract Task DropDatabaseAsync(string connectionString);

    /// <summary>The first column of the first row of a query (or a statement's null) on the test's database, as text.</summary>
    protected abstract Task<string?> SqlAsync(string sql);

    protected string ConnectionString { get; private set; } = "";
    protected IStateStore Store { get; private set; } = null!;
    private int _firstMigration;

    public async Task InitializeAsync()
    {
        ConnectionString = await NewDatabaseAsync();
        Store = Open();
        _firstMigration = await Store.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _opened) await s.DisposeAsync();
        foreach (var db in _databases) await DropDatabaseAsync(db);
    }

    protected async Task<string> NewDatabaseAsync()
    {
        var cs = await CreateDatabaseAsync();
        _databases.Add(cs);
        return cs;
    }

    /// <summary>Another instance on the same database: a second replica, or the same process after a restart.</summary>
    protected IStateStore Open(string? connectionString = null)
    {
        var s = StateStoreFactory.Create(Provider, connectionString ?? ConnectionString, Clock);
        _opened.Add(s);
        return s;
    }

    [Fact]
    public async Task MigrationsRunOnceAndAgainDoNothing()
    {
        // Every migration of the provider (SQLite has two more than PostgreSQL: its lead index), once.
        var all = ((SqlStateStore)Store).Migrations.Select(m => m.Version).ToArray();
        Assert.Equal(Enumerable.Range(1, all.Length), all);
        Assert.Equal(all.Length, _firstMigration);
        Assert.Equal(0, await Store.MigrateAsync());
        Assert.Equal(0, await Open().MigrateAsync());
        Assert.Equal(all, await ((SqlStateStore)Store).AppliedMigrationsAsync());
    }

    [Fact]
    public async Task StoresMigratingAtOnceApplyEachMigrationOnce()
    {
        var fresh = await NewDatabaseAsync();
        var applied = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Open(fresh).MigrateAsync())));
        var all = ((SqlStateStore)Store).Migrations.Select(m => m.Version).ToArray();
        Assert.Equal(all.Length, applied.Sum());
        Assert.Equal(all, await ((SqlStateStore)Open(fresh)).AppliedMigrationsAsync());
    }

    [Fact]
    public async Task BandsAreUnsetOnANewStore()
    {
        Assert.Null(await Store.GetBandsAsync());
        Assert.Equal(0, await Store.GetBandsVersionAsync());
        Assert.Empty(await Store.GetBandHistoryAsync());
    }

    [Fact]
    public async Task SettingBandsKeepsTheSettingAndAuditsEveryChangeNewestFirst()
    {
        var first = CutoffSpec.Probabilities(0.2, 0.5);
        var second = CutoffSpec.Percentiles(60, 90, new BandNames("Hot", "Warm", "Cool", "Out"));
        var t1 = Clock.Now;
        await Store.SetBandsAsync(first, "admin-key", "initial cutoffs");
        Clock.Advance(TimeSpan.FromMinutes(5));
        var set = await Store.SetBandsAsync(second, "marketing-key", "top decile to sales");

        var current = await Store.GetBandsAsync();
        Assert.Equal(set, current);
        Assert.Equal(new BandSetting(second, "marketing-key", t1.AddMinutes(5), "top decile to sales", 2), current);

        var history = await Store.GetBandHistoryAsync();
        Assert.Equal([2L, 1L], history.Select(h => h.Version));
        Assert.Equal(new BandAuditEntry(2, "marketing-key", t1.AddMinutes(5), first, second, "top decile to sales"), history[0]);
        Assert.Equal(new BandAuditEntry(1, "admin-key", t1, null, first, "initial cutoffs"), history[1]);
        Assert.Equal([2L], (await Store.GetBandHistoryAsync(1)).Select(h => h.Version));
    }

    [Fact]
    public async Task EveryBandChangeBumpsTheVersionOtherReplicasSee()
    {
        var replica = Open();
        Assert.Equal(0, await replica.GetBandsVersionAsync());
        await Store.SetBandsAsync(CutoffSpec.Probabilities(0.2, 0.5), "admin-key", "a");
        Assert.Equal(1, await replica.GetBandsVersionAsync());
        await Store.SetBandsAsync(CutoffSpec.Probabilities(0.25, 0.5), "admin-key", "b");
        Assert.Equal(2, await replica.GetBandsVersionAsync());
        Assert.Equal(0.25, (await replica.GetBandsAsync())!.Spec.Mql);
    }

    [Fact]
    public async Task ConcurrentBandChangesFormOneUnbrokenAuditChain()
    {
        var specs = Enumerable.Range(0, 8).Select(i => CutoffSpec.Probabilities(0.1 + i * 0.01, 0.6)).ToList();
        await Task.WhenAll(specs.Select((s, i) => Task.Run(() => Open().SetBandsAsync(s, $"key-{i}", "race"))));
        var history = await Store.GetBandHistoryAsync();
        Assert.Equal(Enumerable.Range(1, 8).Reverse().Select(v => (long)v), history.Select(h => h.Version));
        for (var i = 0; i < history.Count - 1; i++) Assert.Equal(history[i + 1].NewSpec, history[i].OldSpec);
        Assert.Equal(history[0].NewSpec, (await Store.GetBandsAsync())!.Spec);
    }

    [Fact]
    public async Task ASettingSurvivesReopeningTheStore()
    {
        var spec = CutoffSpec.Percentiles(50, 85);
        await Store.SetBandsAsync(spec, "admin-key", "persist me");
        await Store.AppendPredictionsAsync([Prediction("L-1", T0)]);
        await Store.UpsertOutcomesAsync([new OutcomeRecord("L-1", true, T0.AddDays(3))]);
        await Store.DisposeAsync();

        var reopened = Open();
        Assert.Equal(0, await reopened.MigrateAsync());
        var bands = await reopened.GetBandsAsync();
        Assert.Equal((spec, "admin-key", "persist me", 1L), (bands!.Spec, bands.SetBy, bands.Reason, bands.Version));
        Assert.Equal([Prediction("L-1", T0)], await reopened.GetPredictionsAsync());
        Assert.True(Assert.Single(await reopened.GetScoredOutcomesAsync()).Won);
    }
}
