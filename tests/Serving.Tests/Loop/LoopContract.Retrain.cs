extern alias training;
using LeadPropensity.Core.Bundles;
using TrainingCli = training::LeadPropensity.Training.Commands.Cli;

namespace LeadPropensity.Serving.Tests.Loop;

public abstract partial class LoopContract
{
    [Fact]
    public async Task ScoredLeadsWithOutcomesExportAndRetrain()
    {
        var server = Server();
        var leads = Generated(500, seed: 41);
        var c = server.Client(ServingFactory.ScorerKey);
        await PredictBatch(c, leads);
        Assert.Equal(500, (await LoggedAsync(500)).Count);
        var outcomes = await (await PostOutcomes(c, leads.Select(l => Outcome(l.Id, l.Won, DateTime.UtcNow)).ToList())).Json();
        Assert.Equal((500, 0), (outcomes.GetProperty("inserted").GetInt32(), outcomes.GetProperty("unscored").GetInt32()));

        var dir = RepoPaths.TempDir("lp-loop-train");
        try
        {
            var (csv, schema, registry) = (Path.Combine(dir, "next.csv"), Path.Combine(dir, "schema.json"), Path.Combine(dir, "models"));
            Assert.Equal(0, await TrainingCli.RunAsync(TrainingCli.Root(),
                ["export-training-data", "--store", ConnectionString, "--provider", Provider, "--out", csv, "--schema-out", schema]));
            var lines = File.ReadAllLines(csv);
            Assert.Equal(501, lines.Length);
            Assert.Equal(leads.Count(l => l.Won), lines.Skip(1).Count(l => l.EndsWith(",won", StringComparison.Ordinal)));

            Assert.Equal(0, await TrainingCli.RunAsync(TrainingCli.Root(),
                ["train", "--data", csv, "--schema", schema, "--out", registry, "--trainer", "logistic"]));
            var trained = Assert.Single(new ModelRegistry(registry).List());
            Assert.Equal(500, ModelRegistry.ReadManifest(Path.Combine(registry, trained.Version)).Data.Rows);
        }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { /* temp folder; best effort */ } }
    }
}
