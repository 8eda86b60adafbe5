using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Sample;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Serving.Tests;

[CollectionDefinition(Name)]
public sealed class ServingCollection : ICollectionFixture<ModelFixture>
{
    public const string Name = "serving";
}

/// <summary>
/// Trains one tiny model for the whole test run and writes it as two bundles (two versions of the same model, for
/// swaps). Each test that changes a registry gets its own copy; read-only tests share <see cref="Standard"/>.
/// </summary>
public sealed class ModelFixture : IDisposable
{
    private readonly string _source;
    private readonly List<IDisposable> _owned = [];
    private readonly Lazy<ServingFactory> _standard;

    public string V1 { get; }
    public string V2 { get; }
    public ModelBundle Bundle { get; }
    public IReadOnlyList<Dictionary<string, string?>> Leads { get; }

    public ModelFixture()
    {
        _source = RepoPaths.TempDir("lp-serving-src");
        var csv = Path.Combine(_source, "leads.csv");
        new LeadGenerator(7).Write(3000, csv, null);
        var ds = LeadDataset.Load(csv, LeadSchema.Load(RepoPaths.Repo("data", "sample", "schema.json")));
        var model = ModelTrainer.Train(ds, new TrainingOptions { Trainer = TrainerKind.Logistic, Folds = 3 });
        var registry = Path.Combine(_source, "models");
        V1 = Path.GetFileName(BundleWriter.Write(registry, model, csv, ds.Sha256, 0).Path);
        V2 = Path.GetFileName(BundleWriter.Write(registry, model, csv, ds.Sha256, 0).Path);
        Bundle = ModelBundle.Load(Path.Combine(registry, V1));
        Leads = ReadLeads(RepoPaths.Repo("data", "sample", "leads.csv"), 200);
        _standard = new Lazy<ServingFactory>(() => Own(new ServingFactory(Registry(V1, champion: V1))));
    }

    /// <summary>A shared service serving <see cref="V1"/>, for tests that change nothing.</summary>
    public ServingFactory Standard => _standard.Value;

    /// <summary>A fresh registry holding the given versions (and a corrupt one named "v-corrupt" when asked).</summary>
    public string Registry(string? v1 = null, string? champion = null, bool withV2 = false, bool withCorrupt = false)
    {
        var dir = RepoPaths.TempDir("lp-serving-reg");
        foreach (var v in new[] { v1, withV2 ? V2 : null }.OfType<string>()) Copy(Path.Combine(_source, "models", v), Path.Combine(dir, v));
        if (withCorrupt)
        {
            var bad = Path.Combine(dir, "v-corrupt");
            Copy(Path.Combine(_source, "models", V1), bad);
            File.AppendAllText(Path.Combine(bad, "scoring.json"), " ");
        }
        if (champion is not null) File.WriteAllText(Path.Combine(dir, "champion"), champion + "\n");
        return dir;
    }

    public T Own<T>(T disposable) where T : IDisposable
    {
        lock (_owned) _owned.Add(disposable);
        return disposable;
    }

    /// <summary>Rows of the bundled sample as a CRM would send them (no outcome, no post-outcome fields).</summary>
    private static List<Dictionary<string, string?>> ReadLeads(string path, int n)
    {
        using var reader = CsvTableReader.Open(path);
        var leads = new List<Dictionary<string, string?>>();
        foreach (var row in reader.ReadAll().Take(n))
        {
            var d = new Dictionary<string, string?>();
            for (var i = 0; i < reader.Headers.Count; i++)
                if (reader.Headers[i] is not ("outcome" or "closed_reason")) d[reader.Headers[i]] = row.Values[i];
            leads.Add(d);
        }
        return leads;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        try { Directory.Delete(_source, true); } catch (IOException) { /* temp folder; best effort */ }
    }
}
