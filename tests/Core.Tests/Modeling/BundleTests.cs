using System.Text.Json;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Scoring;

namespace LeadPropensity.Core.Tests.Modeling;

[Collection(TrainedSampleCollection.Name)]
public class BundleTests(TrainedSampleFixture f)
{
    [Fact]
    public void ManifestRecordsWhatTheArchitectureLists()
    {
        var m = ModelRegistry.ReadManifest(f.BundlePath);
        Assert.Equal(Path.GetFileName(f.BundlePath), m.Version);
        Assert.Equal("outcome", m.ParseSchema().Label.Column);
        Assert.Equal("logistic", m.Trainer.Name);
        Assert.Equal(5, m.Seed);
        Assert.Equal(f.Data.Sha256, m.Data.Sha256);
        Assert.Equal(4000, m.Data.Rows);
        Assert.NotNull(m.Data.From);
        Assert.Equal(800, m.HeldOut.Probabilities.Length);
        Assert.Equal(m.HeldOut.Probabilities.Length, m.HeldOut.Labels.Length);
        Assert.True(m.RecommendedCutoffs.Mql < m.RecommendedCutoffs.Sql);
        Assert.Contains("Microsoft.ML", m.Packages.Keys);
        Assert.Contains("model.zip", m.Files.Keys);
        Assert.NotEmpty(m.Importance);
    }

    [Fact]
    public void RecommendedCutoffsPutTheTopTenthInSqlAndTheNextThirtyPercentInMql()
    {
        var p = f.Manifest.HeldOut.Probabilities;
        var sql = p.Count(v => v >= f.Manifest.RecommendedCutoffs.Sql) / (double)p.Length;
        var mqlOrBetter = p.Count(v => v >= f.Manifest.RecommendedCutoffs.Mql) / (double)p.Length;
        Assert.InRange(sql, 0.09, 0.12);
        Assert.InRange(mqlOrBetter, 0.38, 0.42);
    }

    [Fact]
    public void LoadedBundleScoresLikeTheTrainedModel()
    {
        var b = ModelBundle.Load(f.BundlePath);
        var x = ModelTrainer.Encode(b.Plan, f.Model.TestSet);
        for (var i = 0; i < 50; i++)
            Assert.Equal(f.Model.TestProbabilities[i], b.Score(x[i], f.Model.TestSet.Values[i]).Probability, 9);
    }

    [Fact]
    public void ReasonsArePerBusinessFieldAndPointTheRightWay()
    {
        var b = ModelBundle.Load(f.BundlePath);
        var lead = new Dictionary<string, string?>
        {
            ["demo_requested"] = "yes", ["job_title"] = "Chief Technology Officer", ["budget_confirmed"] = "yes",
            ["unsubscribed"] = "yes", ["lead_source"] = "customer_referral", ["website_visits_30d"] = "12",
        };
        var prepared = PreparedLead.From(b, lead);
        Assert.True(prepared.IsValid);
        var s = b.Score(prepared.Features, prepared.Values, 3);
        Assert.True(s.Up.Count <= 3 && s.Down.Count <= 3);
        Assert.Contains(s.Up, r => r.Field == "demo_requested" && r.Value == "yes" && r.Effect > 0);
        Assert.Contains(s.Down, r => r.Field == "unsubscribed" && r.Effect < 0);
        Assert.All(s.Up.Concat(s.Down), r => Assert.Contains(r.Field, b.Fields));
        Assert.Equal(s.Up.Select(r => r.Field).Distinct().Count(), s.Up.Count);
    }

    [Fact]
    public void LeadFieldsMatchExactlyThenIgnoringCaseAndAnyDictionaryGivesTheSameLead()
    {
        var b = ModelBundle.Load(f.BundlePath);
        var exact = b.Fields.Select((name, i) => (name, f.Model.TestSet.Values[0][i])).ToDictionary(p => p.name, p => p.Item2);
        var all = PreparedLead.From(b, exact);
        Assert.Empty(all.UnknownFields);

        // Another dictionary type, upper-cased names, one extra schema column (the id) and one foreign field.
        var other = new SortedDictionary<string, string?>(exact.ToDictionary(p => p.Key.ToUpperInvariant(), p => p.Value))
        {
            [b.Schema.Id!] = "L-1", ["favourite_colour"] = "blue",
        };
        var mixed = PreparedLead.From(b, new System.Collections.ObjectModel.ReadOnlyDictionary<string, string?>(other));
        Assert.Equal(all.Values, mixed.Values);
        Assert.Equal(all.Features, mixed.Features);
        Assert.Equal(all.MissingFields, mixed.MissingFields);
        Assert.Equal(["favourite_colour"], mixed.UnknownFields);
    }

    [Fact]
    public void ContributionsAddUpToTheRawScoreMinusTheBaseline()
    {
        var b = ModelBundle.Load(f.BundlePath);
        var x = ModelTrainer.Encode(b.Plan, f.Model.TestSet);
        var slots = new double[b.Plan.Width];
        b.Artifact.Model.Contributions(x[0], slots);
        Assert.Equal(b.Artifact.Model.Raw(x[0]) - b.Artifact.Model.Baseline, slots.Sum(), 4);
    }

    [Fact]
    public void DamagedFilesAreRefused()
    {
        var copy = CopyBundle();
        File.AppendAllText(Path.Combine(copy, "scoring.json"), " ");
        Assert.Contains("SHA-256", Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy)).Message);

        copy = CopyBundle();
        File.Delete(Path.Combine(copy, "model.zip"));
        Assert.Contains("model.zip is missing", Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy)).Message);

        copy = CopyBundle();
        File.WriteAllText(Path.Combine(copy, "manifest.json"), "{ not json");
        Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy));
    }

    [Fact]
    public void AModelThatNoLongerReproducesItsChecksIsRefused()
    {
        var copy = CopyBundle();
        var path = Path.Combine(copy, "scoring.json");
        var json = File.ReadAllText(path);
        var artifact = JsonSerializer.Deserialize<ScoringArtifact>(json, ScoringArtifact.Json)!;
        var lin = (LinearModel)artifact.Model;
        for (var i = 0; i < lin.Weights.Length; i++) lin.Weights[i] *= 2; // silently wrong weights
        File.WriteAllText(path, JsonSerializer.Serialize(artifact, ScoringArtifact.Json));
        var manifestPath = Path.Combine(copy, "manifest.json");
        var manifest = ModelRegistry.ReadManifest(copy);
        var files = new Dictionary<string, string>(manifest.Files) { ["scoring.json"] = BundleWriter.Sha256(path) };
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest with { Files = files }, ModelManifest.Json));
        Assert.Contains("damaged", Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy)).Message);
    }

    [Fact]
    public void AFailedWriteLeavesNoBundleAndNoTempFolder()
    {
        var registry = Path.Combine(RepoPaths.TempDir(), "models");
        Assert.Throws<IOException>(() => BundleWriter.Write(registry, f.Model, f.Csv, f.Data.Sha256, 0,
            extra: (_, _) => throw new IOException("disk full")));
        Assert.Empty(Directory.GetDirectories(registry));
        Assert.Null(new ModelRegistry(registry).Champion());
    }

    [Fact]
    public void PromoteAndRollbackMoveTheChampion()
    {
        var registry = Path.Combine(RepoPaths.TempDir(), "models");
        var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var (_, a) = BundleWriter.Write(registry, f.Model, f.Csv, f.Data.Sha256, 0, now: now);
        var (_, b) = BundleWriter.Write(registry, f.Model, f.Csv, f.Data.Sha256, 0, now: now);
        Assert.NotEqual(a.Version, b.Version);
        var reg = new ModelRegistry(registry);
        Assert.Null(reg.Champion());
        reg.Promote(a.Version);
        reg.Promote(b.Version);
        Assert.Equal(b.Version, reg.Champion());
        Assert.True(reg.List().Single(e => e.Version == b.Version).IsChampion);
        Assert.Equal(a.Version, reg.Rollback());
        Assert.Equal(a.Version, reg.Champion());
        Assert.Throws<InvalidOperationException>(() => reg.Rollback());
        Assert.Throws<DirectoryNotFoundException>(() => reg.Promote("v-nope"));
        Assert.Equal(Path.Combine(registry, a.Version), reg.Resolve("champion"));
    }

    /// <summary>
    /// A registry stores each bundle under its version; a copied or renamed folder holds another version than its name,
    /// and whoever follows a champion naming it would never see the champion's version served (and reload forever).
    /// The registry refuses to load or promote it, saying how to mend it; outside a registry a bundle's folder is free.
    /// </summary>
    [Fact]
    public void ARegistryRefusesToLoadOrPromoteAFolderNotNamedAfterItsVersion()
    {
        var registry = Path.Combine(RepoPaths.TempDir(), "models");
        var (path, m) = BundleWriter.Write(registry, f.Model, f.Csv, f.Data.Sha256, 0);
        var copy = Path.Combine(registry, "v-copy");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(path)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var reg = new ModelRegistry(registry);
        reg.Promote(m.Version);

        Assert.Equal(m.Version, reg.Load(m.Version).Version);
        var load = Assert.Throws<InvalidDataException>(() => reg.Load("v-copy")).Message;
        Assert.Contains($"model folder 'v-copy' holds version {m.Version}: a bundle's folder must be named after its version", load);
        Assert.Contains($"promote {m.Version}, which the registry holds", load);
        var promote = Assert.Throws<InvalidDataException>(() => reg.Promote("v-copy")).Message;
        Assert.Contains("must be named after its version", promote);
        Assert.Equal(m.Version, reg.Champion());
        Assert.Equal(m.Version, ModelBundle.Load(copy).Version);

        // Renamed rather than copied, the version is nowhere else: the fix is the folder's name.
        Directory.Move(path, Path.Combine(registry, "v-renamed"));
        Assert.Contains($"rename the folder to {m.Version}, then promote it", Assert.Throws<InvalidDataException>(() => reg.Load("v-renamed")).Message);
    }

    [Fact]
    public void CsvScoringSkipsBadRowsWithTheirLineNumbers()
    {
        var b = ModelBundle.Load(f.BundlePath);
        var lines = File.ReadLines(f.FreshCsv).Take(11).ToList();
        var cols = lines[5].Split(',');
        cols[Array.IndexOf(lines[0].Split(','), "website_visits_30d")] = "lots";
        lines[5] = string.Join(',', cols);
        lines[8] = "L-x,2025-01-01";
        using var reader = CsvTableReader.FromString(string.Join("\n", lines) + "\n", "fresh.csv");
        var output = new StringWriter();
        var bad = new List<CsvFormatException>();
        var result = CsvScorer.Score(b, reader, output, new CsvScoringOptions { Reasons = true, OnBadRow = bad.Add }, "fresh.csv");
        Assert.Equal(8, result.Scored);
        Assert.Equal(2, result.Skipped);
        Assert.Contains(bad, e => e.Line == 6 && e.Message.Contains("website_visits_30d") && e.Message.Contains("'lots' is not a number"));
        Assert.Contains(bad, e => e.Line == 9 && e.Message.Contains("expected"));
        var outLines = output.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal("lead_id,probability,score,band,reasons_up,reasons_down", outLines[0]);
        Assert.Equal(9, outLines.Length);
        Assert.All(outLines.Skip(1), l => Assert.Matches(@"^L-\d+,0\.\d+,\d+,(SQL|MQL|Nurture),", l));
    }

    [Fact]
    public void LeadIdsAreCheckedOnlyWhenAskedForByTheServiceWhoseLogJoinsOnThem()
    {
        var b = ModelBundle.Load(f.BundlePath);
        var lines = File.ReadLines(f.FreshCsv).Take(3).ToList();
        var longId = new string('L', LeadIds.MaxLength + 1);
        lines[1] = longId + lines[1][lines[1].IndexOf(',')..];
        string Scored(bool check, out CsvScoringResult result)
        {
            using var reader = CsvTableReader.FromString(string.Join("\n", lines) + "\n", "fresh.csv");
            var output = new StringWriter();
            result = CsvScorer.Score(b, reader, output, new CsvScoringOptions { CheckLeadIds = check, ErrorRows = true }, "fresh.csv");
            return output.ToString();
        }
        // A scored file copies its ids as they are.
        var file = Scored(check: false, out var all);
        Assert.Equal((2L, 0L), (all.Scored, all.Skipped));
        Assert.StartsWith(longId + ",0.", file.Split('\n')[1]);
        // The service reports the row instead (its log joins outcomes on the id), naming the line and the id column.
        var served = Scored(check: true, out var checkedResult);
        Assert.Equal((1L, 1L), (checkedResult.Scored, checkedResult.Skipped));
        Assert.Contains($"2,,,error,fresh.csv: line 2: lead_id: not a lead id: longer than {LeadIds.MaxLength} characters", served);
    }

    [Fact]
    public void StrictCsvScoringStopsAtTheFirstBadRow()
    {
        var b = ModelBundle.Load(f.BundlePath);
        var lines = File.ReadLines(f.FreshCsv).Take(4).ToList();
        lines[2] = "L-x,2025-01-01";
        using var reader = CsvTableReader.FromString(string.Join("\n", lines) + "\n");
        var e = Assert.Throws<CsvFormatException>(() => CsvScorer.Score(b, reader, new StringWriter(), new CsvScoringOptions { Strict = true }));
        Assert.Equal(3, e.Line);
    }

    private string CopyBundle()
    {
        var dest = Path.Combine(RepoPaths.TempDir(), Path.GetFileName(f.BundlePath));
        Directory.CreateDirectory(dest);
        foreach (var file in Directory.GetFiles(f.BundlePath)) File.Copy(file, Path.Combine(dest, Path.GetFileName(file)));
        return dest;
    }
}
