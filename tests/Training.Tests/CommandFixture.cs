using System.CommandLine;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Sample;
using LeadPropensity.Training.Commands;

namespace LeadPropensity.Training.Tests;

/// <summary>A registry with two tiny logistic models trained through the `train` command, plus fresh labelled leads.</summary>
public sealed class CommandFixture : IDisposable
{
    public string Dir { get; } = RepoPaths.TempDir("lp-commands");
    public string Registry => Path.Combine(Dir, "models");
    public string Fresh => Path.Combine(Dir, "fresh.csv");
    public string First { get; }
    public string Second { get; }

    public CommandFixture()
    {
        var leads = Path.Combine(Dir, "leads.csv");
        new LeadGenerator(21).Write(3000, leads, null);
        new LeadGenerator(22).Write(1500, Fresh, null);
        var schema = RepoPaths.Repo("data", "sample", "schema.json");
        foreach (var seed in new[] { "1", "2" })
        {
            var code = Run("train", "--data", leads, "--schema", schema, "--out", Registry, "--trainer", "logistic", "--seed", seed);
            if (code != 0) throw new InvalidOperationException($"train exited {code}");
        }
        var versions = new ModelRegistry(Registry).List().Select(e => e.Version).ToList();
        (First, Second) = (versions[0], versions[1]);
    }

    public static int Run(params string[] args)
    {
        return Cli.RunAsync(Cli.Root(), args).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { /* a temp folder left behind is harmless */ }
    }
}

[CollectionDefinition(Name)]
public sealed class CommandCollection : ICollectionFixture<CommandFixture>
{
    public const string Name = "commands";
}
