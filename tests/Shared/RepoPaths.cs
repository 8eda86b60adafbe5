namespace LeadPropensity.Tests;

/// <summary>Finds the repository root (the folder with LeadPropensity.sln) and the shared data beside it.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Repo(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>../shared/data/bank-marketing.csv, the real public export the project is tried on.</summary>
    public static string BankMarketing => Path.GetFullPath(Path.Combine(Root, "..", "shared", "data", "bank-marketing.csv"));

    public static string TempDir(string prefix = "lp-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LeadPropensity.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LeadPropensity.sln not found above " + AppContext.BaseDirectory);
    }
}
