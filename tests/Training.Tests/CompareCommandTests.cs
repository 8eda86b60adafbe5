using LeadPropensity.Core.Bundles;
using LeadPropensity.Training.Commands;

namespace LeadPropensity.Training.Tests;

[Collection(CommandCollection.Name)]
public sealed class CompareCommandTests(CommandFixture f)
{
    private string[] Args(string champion, string challenger, params string[] more) =>
        ["compare", "--champion", champion, "--challenger", challenger, "--data", f.Fresh, "--models", f.Registry, .. more];

    [Fact]
    public void AModelComparedWithItselfPasses() => Assert.Equal(0, CommandFixture.Run(Args(f.First, f.First)));

    [Fact]
    public void AFailedGateExitsWithFourAndPromotesNothing()
    {
        var registry = new ModelRegistry(f.Registry);
        var before = registry.Champion();
        // Demanding an AUC gain of a whole point cannot be met.
        Assert.Equal(CompareCommand.GateFailed, CommandFixture.Run(Args(f.First, f.Second, "--max-auc-drop", "-1", "--promote-if-better")));
        Assert.Equal(4, CompareCommand.GateFailed);
        Assert.Equal(before, registry.Champion());
    }

    [Fact]
    public void APassingChallengerIsPromotedWhenAsked()
    {
        var registry = new ModelRegistry(f.Registry);
        registry.Promote(f.First);
        Assert.Equal(0, CommandFixture.Run(Args("champion", Path.Combine(f.Registry, f.Second),
            "--max-auc-drop", "1", "--max-ece-rise", "1", "--max-logloss-rise", "1", "--promote-if-better")));
        Assert.Equal(f.Second, registry.Champion());
        registry.Promote(f.First);
    }

    [Fact]
    public void WithoutPromoteIfBetterAPassChangesNothing()
    {
        var registry = new ModelRegistry(f.Registry);
        registry.Promote(f.First);
        Assert.Equal(0, CommandFixture.Run(Args(f.First, f.Second, "--max-auc-drop", "1", "--max-ece-rise", "1", "--max-logloss-rise", "1")));
        Assert.Equal(f.First, registry.Champion());
    }

    [Fact]
    public void AChallengerOutsideTheRegistryIsNotPromoted()
    {
        var outside = Path.Combine(f.Dir, "elsewhere-" + Guid.NewGuid().ToString("N"), f.Second);
        Directory.CreateDirectory(outside);
        foreach (var file in Directory.GetFiles(Path.Combine(f.Registry, f.Second))) File.Copy(file, Path.Combine(outside, Path.GetFileName(file)));
        var registry = new ModelRegistry(f.Registry);
        registry.Promote(f.First);
        Assert.Equal(2, CommandFixture.Run(Args(f.First, outside, "--max-auc-drop", "1", "--max-ece-rise", "1", "--max-logloss-rise", "1", "--promote-if-better")));
        Assert.Equal(f.First, registry.Champion());
    }

    /// <summary>A passing challenger in a registry folder not named after its version (a copy) is not promoted: served, it would be reloaded forever.</summary>
    [Fact]
    public void AChallengerInAFolderNotNamedAfterItsVersionIsNotPromoted()
    {
        var registry = Path.Combine(f.Dir, "misnamed-" + Guid.NewGuid().ToString("N"));
        foreach (var (v, folder) in new[] { (f.First, f.First), (f.Second, "v-copy") })
        {
            Directory.CreateDirectory(Path.Combine(registry, folder));
            foreach (var file in Directory.GetFiles(Path.Combine(f.Registry, v))) File.Copy(file, Path.Combine(registry, folder, Path.GetFileName(file)));
        }
        new ModelRegistry(registry).Promote(f.First);
        Assert.Equal(2, CommandFixture.Run("compare", "--champion", f.First, "--challenger", "v-copy", "--data", f.Fresh, "--models", registry,
            "--max-auc-drop", "1", "--max-ece-rise", "1", "--max-logloss-rise", "1", "--promote-if-better"));
        Assert.Equal(f.First, new ModelRegistry(registry).Champion());
    }

    [Fact]
    public void HelpDocumentsTheExitCodes()
    {
        var description = CompareCommand.Create().Description!;
        Assert.Contains("0 = every gate passes", description);
        Assert.Contains("4 = a gate fails", description);
    }
}
