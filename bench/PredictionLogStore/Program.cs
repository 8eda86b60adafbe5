using System.Diagnostics;
using System.Text.Json;
using LeadPropensity.Core.State;

// What storing one logged prediction costs the SQLite state store: process CPU (user + system, so the file writes and
// checkpoints count) and wall time per row, for batches of 500 (the writer's default), in two traffic patterns:
//   new     every prediction is for a lead never seen before, with ids in increasing order (a first scoring run);
//   rescore a file already holding `prefill` predictions, and each new one for one of `leads` known leads picked at random
//           (a CRM scoring its open leads again as they change: each insert lands somewhere inside the lead index).
// After the rescore pattern it also times reading outcomes back (see ReadOutcomes).
// Usage: dotnet run -c Release -- [rows 100000] [runs 3] [prefill 300000] [leads 100000] [page size, 0 = the store's] [logged|utf8|text]
//   (from bench/PredictionLogStore)
// A page size makes the bench create each file with it first, as a file made by an earlier version (65536) would be;
// without one (or 0) the store creates the file with its own. The features are handed over as the service's prediction log
// does (logged, the default: LoggedFeatures, which the store need not check), as UTF-8 JSON from elsewhere (utf8: checked
// as it is stored, as the log's own were before), or as a string (text: what other callers do).
var rows = args.Length > 0 ? int.Parse(args[0]) : 100_000;
var runs = args.Length > 1 ? int.Parse(args[1]) : 3;
var prefill = args.Length > 2 ? int.Parse(args[2]) : 300_000;
var leads = args.Length > 3 ? int.Parse(args[3]) : 100_000;
int? pageSize = args.Length > 4 && int.Parse(args[4]) is > 0 and var size0 ? size0 : null;
var mode = args.Length > 5 ? args[5] : "logged";
if (mode is not ("logged" or "utf8" or "text")) throw new ArgumentException($"features as '{mode}': use logged, utf8 or text");
var repo = FindRepo();
var lead = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, "bench", "serving", "lead.json")));
// The features as the prediction log stores them: every value a JSON string.
var fields = lead.RootElement.GetProperty("features").EnumerateObject()
    .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText());
var features = JsonSerializer.Serialize(fields);
// BATCH: rows per store call (the writer's PredictionLog:BatchSize), 500 unless set.
var batchSize = int.TryParse(Environment.GetEnvironmentVariable("BATCH"), out var bs) ? bs : 500;
var featuresUtf8 = System.Text.Encoding.UTF8.GetBytes(features);
var batch = Enumerable.Range(0, batchSize)
    .Select(i => mode switch
    {
        "text" => new PredictionRecord($"L-{i:D6}", DateTime.UtcNow, "v1", "model", 0.123456789 + i * 1e-6, 42, "MQL", features),
        "utf8" => new PredictionRecord($"L-{i:D6}", DateTime.UtcNow, "v1", "model", 0.123456789 + i * 1e-6, 42, "MQL", featuresUtf8),
        _ => new PredictionRecord($"L-{i:D6}", DateTime.UtcNow, "v1", "model", 0.123456789 + i * 1e-6, 42, "MQL", LoggedFeatures.Write(fields)),
    }).ToList();
var rng = new Random(42);
var next = 0L;
string NewLead() => $"00Q{next++:D12}";
string KnownLead() => $"00Q{rng.Next(leads):D12}";

var results = new Dictionary<string, List<double>> { ["new"] = [], ["rescore"] = [] };
for (var run = 1; run <= runs; run++)
{
    foreach (var pattern in results.Keys)
    {
        var dir = Directory.CreateTempSubdirectory("lp-logstore");
        var connection = $"Data Source={Path.Combine(dir.FullName, "state.db")}";
        if (pageSize is { } size)
        {
            await using var c = new Microsoft.Data.Sqlite.SqliteConnection(connection);
            await c.OpenAsync();
            await using var cmd = new Microsoft.Data.Sqlite.SqliteCommand($"PRAGMA page_size = {size}; PRAGMA journal_mode = WAL; CREATE TABLE made_before (x);", c);
            await cmd.ExecuteNonQueryAsync();
        }
        await using (var store = new SqliteStateStore(connection))
        {
            await store.MigrateAsync();
            next = 0;
            await Append(store, pattern == "new" ? batchSize : prefill, pattern == "new" ? NewLead : KnownLead); // warm-up (JIT, first pages) or prefill
            var (cpu, wall) = await Append(store, rows, pattern == "new" ? NewLead : KnownLead);
            results[pattern].Add(cpu);
            Console.WriteLine($"run {run} {pattern,-7}: {rows} rows after {(pattern == "new" ? 0 : prefill)}, {cpu:F1} us CPU per row, {wall:F1} us wall per row, " +
                              $"page size {await PageSize(connection)}, {await FileBytes(connection) / (rows + (pattern == "new" ? batchSize : prefill)):F0} bytes of file per row");
            if (pattern == "rescore") await ReadOutcomes(store, connection, run);
        }
        dir.Delete(true);
    }
}
foreach (var (pattern, cpu) in results)
{
    cpu.Sort();
    Console.WriteLine($"median {pattern,-7}: {cpu[cpu.Count / 2]:F1} us CPU per stored prediction ({features.Length} characters of features as JSON, given as {mode})");
}

async Task<(double Cpu, double Wall)> Append(SqliteStateStore store, int count, Func<string> leadId)
{
    var me = Process.GetCurrentProcess();
    me.Refresh();
    var (c0, t0) = (me.TotalProcessorTime, Stopwatch.GetTimestamp());
    for (var n = 0; n < count; n += batchSize)
    {
        for (var i = 0; i < batch.Count; i++) batch[i] = batch[i] with { LeadId = leadId(), At = DateTime.UtcNow };
        await store.AppendPredictionsAsync(batch);
    }
    me.Refresh();
    return ((me.TotalProcessorTime - c0).TotalMicroseconds / count, Stopwatch.GetElapsedTime(t0).TotalMicroseconds / count);
}

// Reading the log back. The store keeps its lead index apart from the log and fills it in bulk: by the writer once
// SqliteStateStore.LeadIndexLag predictions wait for it, and before any read by lead. So first the predictions still
// waiting after the rescore pattern are indexed (timed: what the first read after a busy spell pays extra), then a fifth
// of the leads get an outcome, and each outcome is joined to its lead's latest prediction (GetScoredOutcomesAsync: live
// calibration) and the next training set is exported (ExportTrainingRowsAsync), after a warm-up pass.
async Task ReadOutcomes(SqliteStateStore store, string connection, int run)
{
    long waiting;
    await using (var c = new Microsoft.Data.Sqlite.SqliteConnection(connection))
    {
        await c.OpenAsync();
        await using var cmd = new Microsoft.Data.Sqlite.SqliteCommand(
            "SELECT COALESCE((SELECT MAX(id) FROM predictions), 0) - (SELECT upto FROM prediction_leads_upto)", c);
        waiting = (long)(await cmd.ExecuteScalarAsync())!;
    }
    var watch = Stopwatch.StartNew();
    await store.CountUnscoredOutcomesAsync(); // no outcomes yet: the time is the indexing
    Console.WriteLine($"run {run} first read: indexed the {waiting} predictions waiting for the lead index in {watch.Elapsed.TotalMilliseconds:F0} ms");
    var won = new Random(7);
    var outcomes = Enumerable.Range(0, leads).Where(i => i % 5 == 0)
        .Select(i => new OutcomeRecord($"00Q{i:D12}", won.NextDouble() < 0.2, DateTime.UtcNow)).ToList();
    foreach (var chunk in outcomes.Chunk(1000)) await store.UpsertOutcomesAsync(chunk);
    foreach (var pass in new[] { "warm-up", "timed" })
    {
        watch.Restart();
        var joined = (await store.GetScoredOutcomesAsync()).Count;
        var joinMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var exported = 0;
        await foreach (var _ in store.ExportTrainingRowsAsync()) exported++;
        if (pass == "warm-up") continue;
        Console.WriteLine($"run {run} outcomes: {joined} outcomes joined to their latest prediction in {joinMs:F0} ms, " +
                          $"{exported} training rows exported in {watch.Elapsed.TotalMilliseconds:F0} ms");
    }
}

// The file's size once the WAL is checkpointed into it (indexes and free pages included).
static async Task<double> FileBytes(string connection)
{
    await using (var c = new Microsoft.Data.Sqlite.SqliteConnection(connection))
    {
        await c.OpenAsync();
        await using var cmd = new Microsoft.Data.Sqlite.SqliteCommand("PRAGMA wal_checkpoint(TRUNCATE)", c);
        await cmd.ExecuteNonQueryAsync();
    }
    return new FileInfo(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connection).DataSource).Length;
}

static async Task<long> PageSize(string connection)
{
    await using var c = new Microsoft.Data.Sqlite.SqliteConnection(connection);
    await c.OpenAsync();
    await using var cmd = new Microsoft.Data.Sqlite.SqliteCommand("PRAGMA page_size", c);
    return (long)(await cmd.ExecuteScalarAsync())!;
}

static string FindRepo()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LeadPropensity.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}
