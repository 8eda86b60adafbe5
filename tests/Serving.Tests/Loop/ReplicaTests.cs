using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using LeadPropensity.Core.State;

namespace LeadPropensity.Serving.Tests.Loop;

/// <summary>
/// Two real service processes on loopback ports sharing one PostgreSQL database and one model registry, as N replicas
/// behind a load balancer would: band cutoffs set on one are in force on the other, a promotion on one is served by
/// both, and both log into the one store.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class ReplicaTests(ModelFixture fx) : IAsyncLifetime
{
    private string _db = "";
    private readonly List<Process> _processes = [];

    public async Task InitializeAsync() => _db = await PostgresTestServer.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) { p.Kill(entireProcessTree: true); await p.WaitForExitAsync(); } }
            catch (InvalidOperationException) { /* already gone */ }
            p.Dispose();
        }
        await PostgresTestServer.DropDatabaseAsync(_db);
    }

    [Fact]
    public async Task APromotionOnOneReplicaIsServedByBothWithinFiveSeconds()
    {
        var registry = fx.Registry(fx.V1, champion: fx.V1, withV2: true);
        var (a, b) = (await StartAsync(registry), await StartAsync(registry));
        Assert.Equal(fx.V1, await ServedVersion(a));
        Assert.Equal(fx.V1, await ServedVersion(b));

        var promoted = await a.PostAsync($"/admin/models/{fx.V2}/promote", null);
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        Assert.Equal(fx.V2, await ServedVersion(a));
        var clock = Stopwatch.StartNew();
        while (await ServedVersion(b) != fx.V2 && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(50);
        Assert.Equal(fx.V2, await ServedVersion(b));

        // Both replicas log into the one store.
        Assert.Equal(HttpStatusCode.OK, (await a.PostLead(fx.Leads[0], leadId: "REP-A")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.PostLead(fx.Leads[1], leadId: "REP-B")).StatusCode);
        await using var store = StateStoreFactory.Create("Postgres", _db);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        IReadOnlyList<PredictionRecord> rows;
        while ((rows = await store.GetPredictionsAsync()).Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(["REP-A", "REP-B"], rows.Select(r => r.LeadId).Order());
        Assert.All(rows, r => Assert.Equal(fx.V2, r.ModelVersion));
    }

    [Fact]
    public async Task BandCutoffsSetOnOneReplicaAreInForceOnTheOtherWithinFiveSeconds()
    {
        var registry = fx.Registry(fx.V1, champion: fx.V1);
        var (a, b) = (await StartAsync(registry), await StartAsync(registry));
        var put = await a.PutAsJsonAsync("/bands", new { mql = 0.123, sql = 0.654, reason = "replica test" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var clock = Stopwatch.StartNew();
        double? sql = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            sql = (await b.GetFromJsonAsync<JsonElement>("/bands")).GetProperty("cutoffs").GetProperty("sql").GetDouble();
            if (Math.Abs(sql.Value - 0.654) < 1e-9) break;
            await Task.Delay(50);
        }
        Assert.Equal(0.654, sql!.Value, 9);
        var history = await b.GetFromJsonAsync<JsonElement>("/bands/history");
        Assert.Equal("replica test", history.EnumerateArray().First().GetProperty("reason").GetString());
    }

    private static async Task<string?> ServedVersion(HttpClient c) =>
        (await c.GetFromJsonAsync<JsonElement>("/model")).GetProperty("version").GetString();

    /// <summary>Starts `dotnet LeadPropensity.Serving.dll` on a free loopback port and waits until it is live.</summary>
    private async Task<HttpClient> StartAsync(string registry)
    {
        var port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "LeadPropensity.Serving.dll");
        var psi = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = RepoPaths.TempDir("lp-replica"),
        };
        var env = psi.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Testing";
        env["State__Provider"] = "Postgres";
        env["State__ConnectionString"] = _db;
        env["Models__Path"] = registry;
        env["Models__PollInterval"] = "00:00:00.500";
        env["Rules__Path"] = RepoPaths.Repo("rules.json");
        env["PredictionLog__MaxWait"] = "00:00:00.050";
        env["Auth__Keys__0__Name"] = "admin";
        env["Auth__Keys__0__Hash"] = ServingFactory.Hash(ServingFactory.AdminKey);
        env["Auth__Keys__0__Role"] = "admin";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
        _processes.Add(process);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ServingFactory.AdminKey);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try { if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode) return client; }
            catch (HttpRequestException) { /* not listening yet */ }
            await Task.Delay(100);
        }
        lock (output) throw new InvalidOperationException($"the replica on port {port} did not become ready:\n{output}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
