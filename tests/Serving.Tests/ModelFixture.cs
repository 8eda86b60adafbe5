using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Sample;
using LeadPropensity.Core.Rules;
using LeadPropensity.Core.Schema;
using LeadPropensity.Core.Scoring;

namespace LeadPropensity.Serving.Tests;

[CollectionDefinition(Name)]
public sealed class ServingCollection : ICollectionFixture<ModelFixture>
{
    public const string Name = "serving";
}

/// <summary>
/// Trains two tiny models for the whole test run and writes them as two bundles (two versions whose probabilities
/// differ, for swaps). Each test that changes a registry gets its own copy; read-only tests share <see cref="Standard"/>.
/// </summary>
public sealed class ModelFixture : IDisposable
{
    private readonly string _source;
    private readonly List<IDisposable> _owned = [];
    private readonly Lazy<ServingFactory> _standard;

    public string V1 { get; }
    public string V2 { get; }
    public ModelBundle Bundle { get; }
    public ModelBundle Bundle2 { get; }
    public IReadOnlyList<Dictionary<string, string?>> Leads { get; }
    /// <summary>The <see cref="Leads"/> that V1 and V2 both score with the model (not the rules' missing-fields fallback).</summary>
    public IReadOnlyList<Dictionary<string, string?>> BothModelsAnswer { get; }

    public ModelFixture()
    {
        _source = RepoPaths.TempDir("lp-serving-src");
        var csv = Path.Combine(_source, "leads.csv");
        new LeadGenerator(7).Write(3000, csv, null);
        var ds = LeadDataset.Load(csv, LeadSchema.Load(RepoPaths.Repo("data", "sample", "schema.json")));
        var model = ModelTrainer.Train(ds, new TrainingOptions { Trainer = TrainerKind.Logistic, Folds = 3 });
        var registry = Path.Combine(_source, "models");
        V1 = Path.GetFileName(BundleWriter.Write(registry, model, csv, ds.Sha256, 0).Path);
        // V2 is another model (other leads), so a test can tell from a probability which model scored it.
        var csv2 = Path.Combine(_source, "leads2.csv");
        new LeadGenerator(8).Write(1500, csv2, null);
        var ds2 = LeadDataset.Load(csv2, ds.Schema);
        var model2 = ModelTrainer.Train(ds2, new TrainingOptions { Trainer = TrainerKind.Logistic, Folds = 3 });
        V2 = Path.GetFileName(BundleWriter.Write(registry, model2, csv2, ds2.Sha256, 0).Path);
        Bundle = ModelBundle.Load(Path.Combine(registry, V1));
        Bundle2 = ModelBundle.Load(Path.Combine(registry, V2));
        Leads = ReadLeads(RepoPaths.Repo("data", "sample", "leads.csv"), 200);
        // Each model answers a lead itself unless too many of its own top fields are missing; these leads both models answer.
        var scorer = new LeadScorer(RuleSet.Load(RepoPaths.Repo("rules.json")), new ScoringPolicy());
        BothModelsAnswer = Leads.Where(l => new[] { Bundle, Bundle2 }.All(b => scorer.Assess(b, null, l).Result?.Source == LeadScorer.ModelSource)).ToList();
        _standard = new Lazy<ServingFactory>(() => Own(new ServingFactory(Registry(V1, champion: V1))));
    }

    /// <summary>A shared service serving <see cref="V1"/>, for tests that change nothing.</summary>
    public ServingFactory Standard => _standard.Value;

    /// <summary>
    /// A fresh registry holding the given versions, a corrupt one named "v-corrupt" when asked, and when asked one named
    /// "v-misfit" that loads but that the rules do not fit (its schema makes a field the rules compare as a number categorical).
    /// Both are copies of <see cref="V1"/> whose manifests name them, so that each is refused for its own fault.
    /// </summary>
    public string Registry(string? v1 = null, string? champion = null, bool withV2 = false, bool withCorrupt = false, bool withMisfit = false)
    {
        var dir = RepoPaths.TempDir("lp-serving-reg");
        foreach (var v in new[] { v1, withV2 ? V2 : null }.OfType<string>()) Copy(Path.Combine(_source, "models", v), Path.Combine(dir, v));
        if (withCorrupt)
        {
            var bad = Path.Combine(dir, "v-corrupt");
            Copy(Path.Combine(_source, "models", V1), bad);
            SetManifestVersion(bad, "v-corrupt");
            File.AppendAllText(Path.Combine(bad, "scoring.json"), " ");
        }
        if (withMisfit)
        {
            var misfit = Path.Combine(dir, "v-misfit");
            Copy(Path.Combine(_source, "models", V1), misfit);
            var path = Path.Combine(misfit, "manifest.json");
            var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
            manifest["version"] = "v-misfit";
            var column = manifest["schema"]!["columns"]!.AsArray().Single(c => (string?)c!["name"] == "days_since_last_activity")!;
            column["type"] = "categorical";
            File.WriteAllText(path, manifest.ToJsonString());
        }
        if (champion is not null) File.WriteAllText(Path.Combine(dir, "champion"), champion + "\n");
        return dir;
    }

    /// <summary>
    /// Copies the bundle <paramref name="version"/> into <paramref name="registry"/> as the folder <paramref name="folder"/>,
    /// unchanged: its manifest still names <paramref name="version"/> (a bundle copied or renamed by hand).
    /// </summary>
    public void CopyAs(string version, string registry, string folder) => Copy(Path.Combine(_source, "models", version), Path.Combine(registry, folder));

    private static void SetManifestVersion(string bundle, string version)
    {
        var path = Path.Combine(bundle, "manifest.json");
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        manifest["version"] = version;
        File.WriteAllText(path, manifest.ToJsonString());
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
