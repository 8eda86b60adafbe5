using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Sample;
using LeadPropensity.Core.State;

namespace LeadPropensity.Serving.Tests.Loop;

/// <summary>
/// A serving test over a real state store: each test gets a fresh database of the subclass's provider (a SQLite file, or
/// a new database on the PostgreSQL server of LP_TEST_POSTGRES) and servers configured to use it.
/// </summary>
public abstract class StoreBackedTests(ModelFixture fx) : IAsyncLifetime
{
    private readonly List<ServingFactory> _servers = [];

    protected ModelFixture Fx => fx;
    protected abstract string Provider { get; }
    protected abstract Task<string> CreateDatabaseAsync();
    protected abstract Task DropDatabaseAsync(string connectionString);
    protected string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var s in _servers) await s.DisposeAsync();
        await DropDatabaseAsync(ConnectionString);
    }

    /// <summary>A server on this test's store serving V1 (or the given registry), the prediction log flushing every 50 ms.</summary>
    protected ServingFactory Server(IDictionary<string, string?>? settings = null, string? registry = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["State:Provider"] = Provider,
            ["State:ConnectionString"] = ConnectionString,
            ["PredictionLog:MaxWait"] = "00:00:00.050",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var server = new ServingFactory(registry ?? fx.Registry(fx.V1, champion: fx.V1), all);
        _servers.Add(server);
        return server;
    }

    protected IStateStore OpenStore() => StateStoreFactory.Create(Provider, ConnectionString);

    /// <summary>Waits until the store holds at least <paramref name="n"/> predictions (the log writes off the request path).</summary>
    protected async Task<IReadOnlyList<PredictionRecord>> LoggedAsync(int n)
    {
        await using var store = OpenStore();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var rows = await store.GetPredictionsAsync();
            if (rows.Count >= n || DateTime.UtcNow > deadline) return rows;
            await Task.Delay(50);
        }
    }

    /// <summary>Generated leads as a CRM sends them (no outcome), with their outcomes.</summary>
    protected static List<(string Id, Dictionary<string, string?> Features, bool Won)> Generated(int n, int seed = 31)
    {
        var header = LeadGenerator.Header;
        return new LeadGenerator(seed).Generate(n).Select(l =>
        {
            var f = new Dictionary<string, string?>();
            for (var i = 0; i < header.Length; i++)
                if (header[i] is not ("lead_id" or "outcome" or "closed_reason")) f[header[i]] = l.Fields[i] == "" ? null : l.Fields[i];
            return (l.Fields[0], f, l.Fields[^1] == "won");
        }).ToList();
    }

    protected static async Task<HttpResponseMessage> PredictBatch(HttpClient c, IEnumerable<(string Id, Dictionary<string, string?> Features, bool Won)> leads)
    {
        var r = await c.PostAsJsonAsync("/predict/batch", leads.Select(l => new { leadId = l.Id, features = l.Features }).ToList());
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return r;
    }

    protected static Task<HttpResponseMessage> PostOutcomes(HttpClient c, object items) =>
        c.PostAsJsonAsync("/outcomes", items);

    protected static object Outcome(string leadId, bool won, DateTime at) => new { leadId, outcome = won ? "won" : "lost", at = at.ToString("O") };

    protected static async Task<JsonElement> Monitoring(HttpClient c, string query = "")
    {
        var r = await c.GetAsync("/monitoring" + query);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await r.Json();
    }

    /// <summary>A CSV body of the sample's first rows (no outcome columns).</summary>
    protected static string SampleCsv(int rows)
    {
        using var reader = CsvTableReader.Open(RepoPaths.Repo("data", "sample", "leads.csv"));
        var keep = reader.Headers.Select((h, i) => (h, i)).Where(x => x.h is not ("outcome" or "closed_reason")).ToList();
        var lines = new List<string> { string.Join(',', keep.Select(x => LeadPropensity.Core.Csv.CsvText.Escape(x.h))) };
        foreach (var row in reader.ReadAll().Take(rows)) lines.Add(string.Join(',', keep.Select(x => LeadPropensity.Core.Csv.CsvText.Escape(row.Values[x.i]))));
        return string.Join('\n', lines) + "\n";
    }

}

/// <summary>Runs a store-backed test class on SQLite.</summary>
public static class SqliteDatabases
{
    public static Task<string> Create() =>
        Task.FromResult($"Data Source={Path.Combine(RepoPaths.TempDir("lp-loop"), "state.db")}");

    public static Task Drop(string connectionString)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var dir = Path.GetDirectoryName(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource);
        try { if (dir is not null) Directory.Delete(dir, true); } catch (IOException) { /* temp folder; best effort */ }
        return Task.CompletedTask;
    }
}
