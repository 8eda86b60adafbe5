// Training-time bench for issue 3: times ONE fit per tree grid point through CandidateFitter.Fit, the exact code
// path `train` uses for every CV fold and for the final model, on a generated file read with LeadDataset and
// featurized with FeaturePlan (timed separately). With --export it writes the encoded matrices so that
// bench/training/fit_vs_xgb.py can fit XGBoost hist on exactly the same features.
//
//   dotnet run -c Release --project bench/TrainingScale -- --data leads.csv [--schema data/sample/schema.json]
//     [--points lightgbm:300:8:0.05:80,lightgbm:200:31:0.05:20,fasttree:300:8:0.05:80] [--threads default,2]
//     (a point may end in @default, @2 or @default/2 to override --threads for that point)
//     [--all-rows] [--seed 42] [--export DIR] [--json out.json]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Schema;
using Microsoft.ML;

var inv = CultureInfo.InvariantCulture;
var opts = new Dictionary<string, string>(StringComparer.Ordinal);
var flags = new HashSet<string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine($"unexpected argument '{args[i]}'"); return 2; }
    if (args[i] == "--all-rows") { flags.Add(args[i]); continue; }
    if (i + 1 >= args.Length) { Console.Error.WriteLine($"{args[i]} needs a value"); return 2; }
    opts[args[i]] = args[++i];
}
if (!opts.TryGetValue("--data", out var dataPath)) { Console.Error.WriteLine("--data PATH is required"); return 2; }
var schemaPath = opts.GetValueOrDefault("--schema", "data/sample/schema.json");
var seed = int.Parse(opts.GetValueOrDefault("--seed", "42"), inv);
var allRows = flags.Contains("--all-rows");
var threadSettings = opts.GetValueOrDefault("--threads", "default")
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseThreads).ToList();
// A point may carry its own thread settings after '@' (e.g. lightgbm:200:31:0.05:20@default); otherwise --threads applies.
var points = opts.GetValueOrDefault("--points", "lightgbm:300:8:0.05:80,lightgbm:200:31:0.05:20,fasttree:300:8:0.05:80")
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
    .Select(s => s.Split('@') is [var point, var th]
        ? (C: ParsePoint(point), Threads: th.Split('/').Select(ParseThreads).ToList())
        : (C: ParsePoint(s), Threads: threadSettings))
    .ToList();

static int? ParseThreads(string t) => t == "default" ? null : int.Parse(t, CultureInfo.InvariantCulture);

static Candidate ParsePoint(string s)
{
    var p = s.Split(':');
    if (p.Length != 5) throw new ArgumentException($"a point is trainer:trees:leaves:lr:minLeaf, not '{s}'");
    var kind = p[0].ToLowerInvariant() switch
    {
        "lightgbm" => TrainerKind.LightGbm,
        "fasttree" => TrainerKind.FastTree,
        _ => throw new ArgumentException($"trainer must be lightgbm or fasttree, not '{p[0]}'"),
    };
    var c = CultureInfo.InvariantCulture;
    return new Candidate(kind, int.Parse(p[1], c), int.Parse(p[2], c), double.Parse(p[3], c), int.Parse(p[4], c));
}

static string LoadAvg() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
static int DefaultThreads(TrainerKind k) => k == TrainerKind.LightGbm ? CandidateFitter.LightGbmThreads : CandidateFitter.FastTreeThreads;

var grid = Candidate.Grid(null);
Console.WriteLine($"TrainingScale: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, load average {LoadAvg()}");
Console.WriteLine($"ML.NET thread settings in CandidateFitter (the product): FastTree NumberOfThreads={CandidateFitter.FastTreeThreads}, " +
                  $"LightGBM NumberOfThreads={CandidateFitter.LightGbmThreads}; this run: threads {string.Join(",", threadSettings.Select(t => t?.ToString(inv) ?? "default"))}");
foreach (var (c, _) in points)
    if (!grid.Contains(c)) Console.WriteLine($"note: {c.Describe()} is not a point of Candidate.Grid");

// Load (not part of the featurize time: parsing the CSV is the same for every trainer).
var sw = Stopwatch.StartNew();
var schema = LeadSchema.Load(schemaPath);
var data = LeadDataset.Load(dataPath, schema);
var loadSeconds = sw.Elapsed.TotalSeconds;
Console.WriteLine($"loaded {data.Count:N0} rows ({data.Positives:N0} positive, {data.SkippedRows.Count} skipped) from {dataPath} in {loadSeconds:F1} s");

// Split exactly as ModelTrainer.Train (test share 0.2; the most recent 20% when the schema has a timestamp) unless --all-rows.
LeadDataset train, test;
string split;
if (allRows) { train = data; test = data; split = "all rows (training AUC reported)"; }
else
{
    var (trIdx, teIdx, method) = DataSplit.TrainTest(data.Labels, data.Times, new TrainingOptions().TestShare, seed);
    train = data.Subset(trIdx); test = data.Subset(teIdx); split = $"as the trainer: {method} held out";
}
data = null!;
GC.Collect();

// Featurize: fit the plan on the training part, encode training (and test) rows, as ModelTrainer.Train does.
sw.Restart();
var cpu0 = Cpu();
var plan = FeaturePlan.Fit(schema, train.Values, new TrainingOptions().Features);
var xTrain = ModelTrainer.Encode(plan, train);
var featurizeSeconds = sw.Elapsed.TotalSeconds;
var featurizeCpu = Cpu() - cpu0;
var xTest = allRows ? xTrain : ModelTrainer.Encode(plan, test);
var yTrain = train.Labels;
var yTest = test.Labels;
var width = plan.Width;
Console.WriteLine($"split: {split}; training rows {xTrain.Length:N0} ({yTrain.Count(b => b):N0} positive), evaluation rows {xTest.Length:N0}");
Console.WriteLine($"featurize (FeaturePlan.Fit + encode the training rows): {featurizeSeconds:F1} s wall, {featurizeCpu:F1} s CPU; width {width} features");

if (opts.TryGetValue("--export", out var exportDir))
{
    Directory.CreateDirectory(exportDir);
    static void WriteMatrix(string path, float[][] x)
    {
        using var f = new BufferedStream(File.Create(path), 1 << 20);
        foreach (var r in x) f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(r.AsSpan()));
    }
    WriteMatrix(Path.Combine(exportDir, "train.f32"), xTrain);
    File.WriteAllBytes(Path.Combine(exportDir, "train.y"), yTrain.Select(b => (byte)(b ? 1 : 0)).ToArray());
    if (!allRows)
    {
        WriteMatrix(Path.Combine(exportDir, "test.f32"), xTest);
        File.WriteAllBytes(Path.Combine(exportDir, "test.y"), yTest.Select(b => (byte)(b ? 1 : 0)).ToArray());
    }
    File.WriteAllText(Path.Combine(exportDir, "meta.json"), JsonSerializer.Serialize(new
    {
        width, trainRows = xTrain.Length, testRows = allRows ? 0 : xTest.Length, allRows, slotNames = plan.SlotNames(),
    }));
    Console.WriteLine($"exported the encoded matrices (float32, row-major) to {exportDir}");
}

var results = new List<object>();
foreach (var (c, pointThreads) in points)
{
    var done = new HashSet<int>();
    foreach (var t in pointThreads)
    {
        var threads = t ?? DefaultThreads(c.Kind);
        if (!done.Add(threads)) continue;
        var ml = new MLContext(seed: seed);
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var loadBefore = LoadAvg();
        cpu0 = Cpu();
        sw.Restart();
        var (_, scoring) = CandidateFitter.Fit(ml, c, xTrain, yTrain, width, seed, t);
        var fitSeconds = sw.Elapsed.TotalSeconds;
        var fitCpu = Cpu() - cpu0;
        var loadAfter = LoadAvg();
        var raw = xTest.Select(x => scoring.Raw(x)).ToArray();
        var auc = Metrics.RocAuc(raw, yTest);
        var setting = t is null ? "product default" : threads == DefaultThreads(c.Kind) ? "= product default" : "bench override";
        Console.WriteLine($"fit {c.Describe()} threads={threads} ({setting}): {fitSeconds:F1} s wall, {fitCpu:F1} s CPU; " +
                          $"{(allRows ? "training" : "held-out")} AUC {auc:F4}; load average before {loadBefore}, after {loadAfter}");
        results.Add(new
        {
            trainer = c.Kind.ToString().ToLowerInvariant(), trees = c.Trees, leaves = c.Leaves, learningRate = c.LearningRate, minLeaf = c.MinLeaf,
            threads, productDefault = threads == DefaultThreads(c.Kind), fitSeconds, fitCpuSeconds = fitCpu, auc,
            aucKind = allRows ? "training" : "held-out", loadBefore, loadAfter, inGrid = grid.Contains(c),
        });
    }
}

if (opts.TryGetValue("--json", out var jsonPath))
    File.WriteAllText(jsonPath, JsonSerializer.Serialize(new
    {
        data = Path.GetFullPath(dataPath), rows = train.Count + (allRows ? 0 : test.Count), trainRows = xTrain.Length, evalRows = xTest.Length, split,
        width, loadSeconds, featurizeSeconds, featurizeCpuSeconds = featurizeCpu, cores = Environment.ProcessorCount,
        fastTreeThreads = CandidateFitter.FastTreeThreads, lightGbmThreads = CandidateFitter.LightGbmThreads, fits = results,
    }, new JsonSerializerOptions { WriteIndented = true }));
return 0;
