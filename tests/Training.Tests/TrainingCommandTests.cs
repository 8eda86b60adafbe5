using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Training.Tests;

[Collection(CommandCollection.Name)]
public class TrainingCommandTests(CommandFixture f)
{
    private static readonly string SampleSchema = RepoPaths.Repo("data", "sample", "schema.json");

    [Fact]
    public void GenerateIsReproducibleAndKeepsTheTruthApart()
    {
        var dir = RepoPaths.TempDir();
        Assert.Equal(0, CommandFixture.Run("generate", "--rows", "300", "--seed", "5", "--out", Path.Combine(dir, "a.csv"), "--truth", Path.Combine(dir, "a.truth.csv")));
        Assert.Equal(0, CommandFixture.Run("generate", "--rows", "300", "--seed", "5", "--out", Path.Combine(dir, "b.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "a.csv")), File.ReadAllBytes(Path.Combine(dir, "b.csv")));
        Assert.Equal("lead_id,true_probability", File.ReadLines(Path.Combine(dir, "a.truth.csv")).First());
        Assert.Equal(301, File.ReadLines(Path.Combine(dir, "a.truth.csv")).Count());
    }

    [Fact]
    public void SchemaInferWritesASchemaThatTrains()
    {
        var dir = RepoPaths.TempDir();
        var out_ = Path.Combine(dir, "schema.json");
        Assert.Equal(0, CommandFixture.Run("schema", "infer", "--data", f.Fresh, "--label", "outcome", "--positive", "won", "--out", out_));
        var s = LeadSchema.Load(out_);
        Assert.False(s.Find("closed_reason")!.AvailableAtScoring);
        Assert.Equal("lead_id", s.Id);
    }

    [Fact]
    public void AnOutputPathThatCannotBeWrittenIsAClearErrorNotACrash()
    {
        var dir = RepoPaths.TempDir();
        var aFile = Path.Combine(dir, "a-file");
        File.WriteAllText(aFile, "not a folder");
        // Each of these threw an IOException or UnauthorizedAccessException out of the command (exit 134, a stack trace).
        Assert.Equal(2, CommandFixture.Run("train", "--data", f.Fresh, "--schema", SampleSchema, "--out", aFile, "--trainer", "logistic"));
        Assert.Equal(2, CommandFixture.Run("schema", "infer", "--data", f.Fresh, "--label", "outcome", "--positive", "won", "--out", dir));
        Assert.Equal(2, CommandFixture.Run("score", "--models", f.Registry, "--model", f.First, "--data", f.Fresh, "--out", dir));
        Assert.Equal(2, CommandFixture.Run("evaluate", "--models", f.Registry, "--model", f.First, "--data", f.Fresh, "--out", aFile));
        Assert.Equal("not a folder", File.ReadAllText(aFile));
    }

    [Fact]
    public void StrictTrainingStopsOnAValueItWouldOtherwiseReadAsMissing()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "bad-value.csv");
        var lines = File.ReadAllLines(f.Fresh);
        var column = Array.IndexOf(lines[0].Split(','), "website_visits_30d");
        var cells = lines[5].Split(',');
        cells[column] = "abc";
        lines[5] = string.Join(',', cells);
        File.WriteAllLines(csv, lines);
        var registry = Path.Combine(dir, "m");
        Assert.Equal(2, CommandFixture.Run("train", "--data", csv, "--schema", SampleSchema, "--out", registry, "--trainer", "logistic", "--strict"));
        Assert.False(Directory.EnumerateDirectories(registry).Any());
        Assert.Equal(0, CommandFixture.Run("train", "--data", csv, "--schema", SampleSchema, "--out", registry, "--trainer", "logistic"));
    }

    [Fact]
    public void TrainRefusesTooLittleDataWithANonZeroExit()
    {
        var dir = RepoPaths.TempDir();
        var small = Path.Combine(dir, "small.csv");
        File.WriteAllLines(small, File.ReadLines(f.Fresh).Take(120));
        var registry = Path.Combine(dir, "models");
        Assert.Equal(2, CommandFixture.Run("train", "--data", small, "--schema", SampleSchema, "--out", registry, "--trainer", "logistic"));
        Assert.False(Directory.Exists(registry) && Directory.GetDirectories(registry).Length > 0);
    }

    [Fact]
    public void StrictTrainingExitsThreeOnALeakAndWritesNothing()
    {
        var dir = RepoPaths.TempDir();
        var leaky = Path.Combine(dir, "leaky.json");
        var s = LeadSchema.Load(SampleSchema);
        (s with { Columns = s.Columns.Select(c => c.Name == "closed_reason" ? c with { AvailableAtScoring = true } : c).ToList() }).Save(leaky);
        var registry = Path.Combine(dir, "models");
        Assert.Equal(3, CommandFixture.Run("train", "--data", f.Fresh, "--schema", leaky, "--out", registry, "--trainer", "logistic", "--strict"));
        Assert.False(Directory.Exists(registry) && Directory.GetDirectories(registry).Length > 0);
    }

    [Fact]
    public void TrainWithoutSchemaOrLabelIsAUserError()
    {
        Assert.Equal(2, CommandFixture.Run("train", "--data", f.Fresh, "--out", Path.Combine(RepoPaths.TempDir(), "m")));
    }

    [Fact]
    public void ScoreWritesIdProbabilityScoreBandAndReasons()
    {
        var out_ = Path.Combine(RepoPaths.TempDir(), "scored.csv");
        Assert.Equal(0, CommandFixture.Run("score", "--models", f.Registry, "--model", f.First, "--data", f.Fresh, "--out", out_, "--reasons"));
        var t = CsvTable.Load(out_);
        Assert.Equal(["lead_id", "probability", "score", "band", "reasons_up", "reasons_down"], t.Headers);
        Assert.Equal(1500, t.Rows.Count);
        Assert.All(t.Rows, r => Assert.InRange(double.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture), 0, 1));
        Assert.Contains(t.Rows, r => r[3] == "SQL");
    }

    [Fact]
    public void ModelsPromoteRollbackAndRefuseADamagedBundle()
    {
        var dir = RepoPaths.TempDir();
        var registry = Path.Combine(dir, "models");
        Directory.CreateDirectory(registry);
        foreach (var v in new[] { f.First, f.Second })
        {
            Directory.CreateDirectory(Path.Combine(registry, v));
            foreach (var file in Directory.GetFiles(Path.Combine(f.Registry, v))) File.Copy(file, Path.Combine(registry, v, Path.GetFileName(file)));
        }
        Assert.Equal(0, CommandFixture.Run("models", "promote", f.First, "--models", registry));
        Assert.Equal(0, CommandFixture.Run("models", "promote", f.Second, "--models", registry));
        Assert.Equal(0, CommandFixture.Run("models", "rollback", "--models", registry));
        Assert.Equal(f.First, new ModelRegistry(registry).Champion());
        File.AppendAllText(Path.Combine(registry, f.Second, "scoring.json"), "x");
        Assert.Equal(2, CommandFixture.Run("models", "promote", f.Second, "--models", registry));
        Assert.Equal(f.First, new ModelRegistry(registry).Champion());
        Assert.Equal(0, CommandFixture.Run("models", "list", "--models", registry));
    }

    /// <summary>A copy of a version under another folder name is refused by `models promote`: served, it would be reloaded forever.</summary>
    [Fact]
    public void ModelsPromoteRefusesAFolderNotNamedAfterItsVersion()
    {
        var registry = Path.Combine(RepoPaths.TempDir(), "models");
        foreach (var (v, folder) in new[] { (f.First, f.First), (f.Second, "v-copy") })
        {
            Directory.CreateDirectory(Path.Combine(registry, folder));
            foreach (var file in Directory.GetFiles(Path.Combine(f.Registry, v))) File.Copy(file, Path.Combine(registry, folder, Path.GetFileName(file)));
        }
        Assert.Equal(0, CommandFixture.Run("models", "promote", f.First, "--models", registry));
        Assert.Equal(2, CommandFixture.Run("models", "promote", "v-copy", "--models", registry));
        Assert.Equal(f.First, new ModelRegistry(registry).Champion());
    }
}
