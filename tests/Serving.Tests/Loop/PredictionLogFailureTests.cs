using System.Diagnostics;
using System.Globalization;
using System.Net;
using LeadPropensity.Core.Bands;
using LeadPropensity.Core.State;
using LeadPropensity.Serving.Monitoring;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace LeadPropensity.Serving.Tests.Loop;

/// <summary>
/// The prediction log when the store cannot keep up or fails: single requests do not wait, batches wait rather than
/// drop, and every prediction not written is counted in /metrics and by the log. A test double wraps a real SQLite store only to stall or fail its appends.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class PredictionLogFailureTests(ModelFixture fx) : IAsyncLifetime
{
    private string _db = "";

    public async Task InitializeAsync() => _db = await SqliteDatabases.Create();
    public Task DisposeAsync() => SqliteDatabases.Drop(_db);

    [Fact]
    public async Task AFullBufferDropsAndCountsInsteadOfWaiting()
    {
        var store = new StallingStore(StateStoreFactory.Create("Sqlite", _db));
        await using var server = Server(store, new() { ["PredictionLog:Capacity"] = "1", ["PredictionLog:BatchSize"] = "1" });
        var c = Client(server);
        var log = server.Services.GetRequiredService<PredictionLog>();
        var before = await DroppedMetric(c, PredictionLog.ReasonFull);

        const int n = 20;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) Assert.Equal(HttpStatusCode.OK, (await c.PostLead(fx.Leads[i], leadId: $"F-{i}")).StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"requests waited for the stalled store ({clock.Elapsed})");

        // One prediction is stuck in the stalled write, at most one waits in the buffer: the rest were dropped.
        Assert.InRange(log.Dropped, n - 2, n);
        Assert.Equal(log.Dropped, await DroppedMetric(c, PredictionLog.ReasonFull) - before);

        store.Release();
        await server.DisposeAsync();
        await using var reopened = StateStoreFactory.Create("Sqlite", _db);
        Assert.Equal(n - log.Dropped, (await reopened.GetPredictionsAsync()).Count); // written + dropped = sent: nothing lost unseen
    }

    [Theory]
    [InlineData("text/csv")]
    [InlineData("application/json")]
    public async Task ABatchWaitsForRoomInTheBufferInsteadOfDropping(string contentType)
    {
        var store = new StallingStore(StateStoreFactory.Create("Sqlite", _db));
        await using var server = Server(store, new() { ["PredictionLog:Capacity"] = "1", ["PredictionLog:BatchSize"] = "1" });
        var c = Client(server);
        var log = server.Services.GetRequiredService<PredictionLog>();

        const int n = 12;
        var leads = fx.Leads.Take(n).ToList();
        HttpContent body = contentType == "text/csv"
            ? new StringContent(Http.LeadsCsv(leads), System.Text.Encoding.UTF8, "text/csv")
            : System.Net.Http.Json.JsonContent.Create(leads.Select((l, i) => new { leadId = $"B-{i}", features = l }));
        var request = c.PostAsync("/predict/batch", body);

        // The store is stalled: with room for one answer, the batch cannot finish, and nothing is dropped meanwhile.
        await Task.Delay(700);
        Assert.False(request.IsCompleted, "the batch finished although its log could not be stored");
        Assert.Equal(0, log.Dropped);

        store.Release();
        var r = await request.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (log.Written < n && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(n, log.Written);
        Assert.Equal(0, log.Dropped);
        Assert.Equal(0, await DroppedMetric(c, PredictionLog.ReasonFull));
        // The backlog gauge is set as each batch is written: with everything stored, nothing is waiting.
        var pending = (await c.GetStringAsync("/metrics")).Split('\n').Single(l => l.StartsWith("leadpropensity_prediction_log_pending ", StringComparison.Ordinal));
        Assert.Equal("0", pending.Split(' ')[1]);
    }

    [Fact]
    public async Task AFailingStoreIsRetriedThenCountedAsDropped()
    {
        var store = new StallingStore(StateStoreFactory.Create("Sqlite", _db)) { Fail = true };
        store.Release();
        await using var server = Server(store, new() { ["PredictionLog:Retries"] = "2", ["PredictionLog:RetryDelay"] = "00:00:00.010" });
        var c = Client(server);
        var log = server.Services.GetRequiredService<PredictionLog>();
        var before = await DroppedMetric(c, PredictionLog.ReasonStore);

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await c.PostLead(fx.Leads[i], leadId: $"S-{i}")).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (log.Dropped < 3 && DateTime.UtcNow < deadline) await Task.Delay(20);

        Assert.Equal(3, log.Dropped);
        Assert.Equal(0, log.Written);
        Assert.Equal(3, await DroppedMetric(c, PredictionLog.ReasonStore) - before);
        Assert.True(store.Attempts >= 3, $"each batch is tried 1 + Retries times ({store.Attempts} attempts)");
    }

    /// <summary>
    /// A store that refuses one prediction (a row it cannot take) made the writer drop the whole batch with it: the
    /// others are now written in smaller batches and only that one is dropped.
    /// </summary>
    [Fact]
    public async Task APredictionTheStoreRefusesIsSetAsideAndTheRestOfItsBatchIsWritten()
    {
        var store = new StallingStore(StateStoreFactory.Create("Sqlite", _db)) { RefuseLead = "R-7" };
        store.Release();
        await using var server = Server(store, new()
        {
            ["PredictionLog:Retries"] = "1", ["PredictionLog:RetryDelay"] = "00:00:00.010", ["PredictionLog:MaxWait"] = "00:00:02",
        });
        var c = Client(server);
        var log = server.Services.GetRequiredService<PredictionLog>();
        const int n = 20;
        var batch = await c.PostAsync("/predict/batch",
            System.Net.Http.Json.JsonContent.Create(fx.Leads.Take(n).Select((l, i) => new { leadId = $"R-{i}", features = l })));
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (log.Written + log.Dropped < n && DateTime.UtcNow < deadline) await Task.Delay(20);

        Assert.Equal(1, log.Dropped);
        Assert.Equal(n - 1, log.Written);
        Assert.Equal(1, await DroppedMetric(c, PredictionLog.ReasonStore));
        var stored = (await store.GetPredictionsAsync()).Select(p => p.LeadId).ToHashSet();
        Assert.Equal(n - 1, stored.Count);
        Assert.DoesNotContain("R-7", stored);
        // Both halves failing is the store failing, not one row: the search stops rather than trying every row.
        Assert.True(store.Attempts < 2 + 2 * 6, $"{store.Attempts} attempts");
    }

    private WebApplicationFactory<Program> Server(IStateStore store, Dictionary<string, string?> settings)
    {
        settings["State:Provider"] = "Sqlite";
        settings["State:ConnectionString"] = _db;
        settings["PredictionLog:MaxWait"] = "00:00:00.005";
        return new ServingFactory(fx.Registry(fx.V1, champion: fx.V1), settings)
            .WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(store)));
    }

    private static HttpClient Client(WebApplicationFactory<Program> server)
    {
        var c = server.CreateClient();
        c.DefaultRequestHeaders.Add("X-Api-Key", ServingFactory.ScorerKey);
        return c;
    }

    private static async Task<long> DroppedMetric(HttpClient c, string reason)
    {
        var prefix = $"leadpropensity_prediction_log_dropped_total{{reason=\"{reason}\"}} ";
        var line = (await c.GetStringAsync("/metrics")).Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : (long)double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>A real store whose appends wait for <see cref="Release"/>, and fail when <see cref="Fail"/> is set.</summary>
    private sealed class StallingStore(IStateStore inner) : IStateStore
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _attempts;
        public bool Fail { get; init; }
        /// <summary>A lead id whose predictions the store refuses, with the batch they came in (as a constraint would).</summary>
        public string? RefuseLead { get; init; }
        public int Attempts => Volatile.Read(ref _attempts);
        public void Release() => _gate.TrySetResult();

        public async Task AppendPredictionsAsync(IReadOnlyList<PredictionRecord> predictions, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _attempts);
            await _gate.Task;
            if (Fail) throw new IOException("the store is down (test double)");
            if (RefuseLead is { } refused && predictions.Any(p => p.LeadId == refused)) throw new InvalidDataException($"the store refuses {refused} (test double)");
            await inner.AppendPredictionsAsync(predictions, ct);
        }

        public string Provider => inner.Provider;
        public Task<int> MigrateAsync(CancellationToken ct = default) => inner.MigrateAsync(ct);
        public Task<BandSetting?> GetBandsAsync(CancellationToken ct = default) => inner.GetBandsAsync(ct);
        public Task<long> GetBandsVersionAsync(CancellationToken ct = default) => inner.GetBandsVersionAsync(ct);
        public Task<BandSetting> SetBandsAsync(CutoffSpec spec, string keyName, string reason, CancellationToken ct = default) => inner.SetBandsAsync(spec, keyName, reason, ct);
        public Task<IReadOnlyList<BandAuditEntry>> GetBandHistoryAsync(int limit = 100, CancellationToken ct = default) => inner.GetBandHistoryAsync(limit, ct);
        public Task<long> DeletePredictionsBeforeAsync(DateTime before, CancellationToken ct = default) => inner.DeletePredictionsBeforeAsync(before, ct);
        public Task<IReadOnlyList<PredictionRecord>> GetPredictionsAsync(DateTime? from = null, DateTime? to = null, CancellationToken ct = default) => inner.GetPredictionsAsync(from, to, ct);
        public IAsyncEnumerable<PredictionRecord> StreamPredictionsAsync(DateTime? from = null, DateTime? to = null, CancellationToken ct = default) => inner.StreamPredictionsAsync(from, to, ct);
        public Task<OutcomeUpsertResult> UpsertOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default) => inner.UpsertOutcomesAsync(outcomes, ct);
        public Task<long> CountUnscoredOutcomesAsync(CancellationToken ct = default) => inner.CountUnscoredOutcomesAsync(ct);
        public Task<IReadOnlyList<ScoredOutcome>> GetScoredOutcomesAsync(DateTime? from = null, DateTime? to = null, CancellationToken ct = default) => inner.GetScoredOutcomesAsync(from, to, ct);
        public IAsyncEnumerable<TrainingRow> ExportTrainingRowsAsync(DateTime? since = null, CancellationToken ct = default) => inner.ExportTrainingRowsAsync(since, ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
