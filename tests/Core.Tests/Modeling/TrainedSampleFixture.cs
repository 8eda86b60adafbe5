using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Sample;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests.Modeling;

/// <summary>One small model trained once on generated leads (logistic, fixed seed) and written as a bundle.</summary>
public sealed class TrainedSampleFixture : IDisposable
{
    public string Dir { get; } = RepoPaths.TempDir("lp-trained");
    public string Csv => Path.Combine(Dir, "leads.csv");
    public string FreshCsv => Path.Combine(Dir, "fresh.csv");
    public string FreshTruth => Path.Combine(Dir, "fresh.truth.csv");
    public string Registry => Path.Combine(Dir, "models");
    public LeadSchema Schema { get; } = LeadSchema.Load(RepoPaths.Repo("data", "sample", "schema.json"));
    public LeadDataset Data { get; }
    public TrainedModel Model { get; }
    public string BundlePath { get; }
    public ModelManifest Manifest { get; }

    public TrainedSampleFixture()
    {
        new LeadGenerator(101).Write(4000, Csv, null);
        new LeadGenerator(102).Write(2000, FreshCsv, FreshTruth);
        Data = LeadDataset.Load(Csv, Schema);
        Model = ModelTrainer.Train(Data, new TrainingOptions { Trainer = TrainerKind.Logistic, Seed = 5 });
        (BundlePath, Manifest) = BundleWriter.Write(Registry, Model, Csv, Data.Sha256, 0);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { /* temp folder */ }
    }
}

[CollectionDefinition(Name)]
public sealed class TrainedSampleCollection : ICollectionFixture<TrainedSampleFixture>
{
    public const string Name = "trained-sample";
}
