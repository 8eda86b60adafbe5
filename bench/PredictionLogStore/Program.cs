using System.Diagnostics;
using System.Text.Json;
using LeadPropensity.Core.State;

// What storing one logged prediction costs the SQLite state store: process CPU (user + system, so the file writes and
// checkpoints count) and wall time per row, for batches of 500 (the writer's default) appended to a fresh file.
// Usage: dotnet run -c Release -- [rows, default 150000] [runs, default 3]   (from bench/PredictionLogStore)
var rows = args.Length > 0 ? int.Parse(args[0]) : 150_000;
var runs = args.Length > 1 ? int.Parse(args[1]) : 3;
var repo = FindRepo();
var lead = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, "bench", "serving", "lead.json")));
// The features as the prediction log stores them: every value a JSON string.
var features = JsonSerializer.Serialize(lead.RootElement.GetProperty("features").EnumerateObject()
    .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText()));
const int batchSize = 500;
var batch = Enumerable.Range(0, batchSize)
    .Select(i => new PredictionRecord($"L-{i:D6}", DateTime.UtcNow, "v1", "model", 0.123456789 + i * 1e-6, 42, "MQL", features)).ToList();
// Lead ids in no particular order, as CRMs send them: each insert lands somewhere inside the lead-id index, not at its end.
var rng = new Random(42);
var cpu = new List<double>();
for (var run = 1; run <= runs; run++)
{
    var dir = Directory.CreateTempSubdirectory("lp-logstore");
    await using (var store = new SqliteStateStore($"Data Source={Path.Combine(dir.FullName, "state.db")}"))
    {
        await store.MigrateAsync();
        await store.AppendPredictionsAsync(batch); // warm-up: JIT, first pages
        var me = Process.GetCurrentProcess();
        me.Refresh();
        var (c0, t0) = (me.TotalProcessorTime, Stopwatch.GetTimestamp());
        for (var n = 0; n < rows; n += batchSize)
        {
            for (var i = 0; i < batch.Count; i++) batch[i] = batch[i] with { LeadId = $"L-{rng.Next(100_000_000):D8}", At = DateTime.UtcNow };
            await store.AppendPredictionsAsync(batch);
        }
        me.Refresh();
        var perRow = (me.TotalProcessorTime - c0).TotalMicroseconds / rows;
        cpu.Add(perRow);
        Console.WriteLine($"run {run}: {rows} rows, {perRow:F1} us CPU per row, {Stopwatch.GetElapsedTime(t0).TotalMicroseconds / rows:F1} us wall per row");
    }
    dir.Delete(true);
}
cpu.Sort();
Console.WriteLine($"median: {cpu[cpu.Count / 2]:F1} us CPU per stored prediction ({features.Length} characters of features)");

static string FindRepo()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LeadPropensity.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}
