using System.Text.Json;

namespace LeadPropensity.Core.Bundles;

/// <summary>
/// The models folder: one immutable folder per version, <c>champion</c> (a file naming the served version)
/// and <c>champion.history</c> (earlier champions, for rollback). Champion changes are atomic renames.
/// </summary>
public sealed class ModelRegistry(string root)
{
    public string Root { get; } = root;
    public string ChampionFile => Path.Combine(Root, "champion");
    private string HistoryFile => Path.Combine(Root, "champion.history");

    public sealed record Entry(string Version, string Path, ModelManifest? Manifest, string? Error, bool IsChampion);

    public IReadOnlyList<Entry> List()
    {
        if (!Directory.Exists(Root)) return [];
        var champion = Champion();
        return Directory.GetDirectories(Root)
            .Select(d => new DirectoryInfo(d))
            .Where(d => !d.Name.StartsWith('.') && File.Exists(Path.Combine(d.FullName, "manifest.json")))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d =>
            {
                try { return new Entry(d.Name, d.FullName, ReadManifest(d.FullName), null, d.Name == champion); }
                catch (Exception e) when (e is JsonException or IOException or InvalidDataException)
                { return new Entry(d.Name, d.FullName, null, e.Message, d.Name == champion); }
            })
            .ToList();
    }

    public static ModelManifest ReadManifest(string dir)
    {
        var path = Path.Combine(dir, "manifest.json");
        var manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), ModelManifest.ReadJson)
                       ?? throw new InvalidDataException($"{path} is empty");
        manifest.Check();
        return manifest;
    }

    /// <summary>
    /// Loads and verifies the bundle stored as <paramref name="version"/>. A registry stores a bundle in a folder named
    /// after its version, so a folder whose manifest names another version (a copied or renamed folder) is refused like
    /// a damaged bundle, with an <see cref="InvalidDataException"/> saying how to mend it: served, it would report a
    /// version that is not the champion's name, and whoever follows the champion would load it again on every check.
    /// </summary>
    public ModelBundle Load(string version) => ModelBundle.Load(Path.Combine(Root, version), storedAs: version);

    /// <summary>Why the folder <paramref name="folder"/> of the registry at <paramref name="root"/>, holding <paramref name="version"/>, is refused.</summary>
    internal static string Misnamed(string root, string folder, string version) =>
        $"model folder '{folder}' holds version {version}: a bundle's folder must be named after its version (" +
        (version.Length > 0 && Directory.Exists(Path.Combine(root, version))
            ? $"promote {version}, which the registry holds, instead of this copy)"
            : $"rename the folder to {version}, then promote it)");

    /// <summary>The champion's version name, or null when none is set.</summary>
    public string? Champion()
    {
        if (!File.Exists(ChampionFile)) return null;
        var name = File.ReadAllText(ChampionFile).Trim();
        return name.Length == 0 ? null : name;
    }

    /// <summary>Resolves "champion", a version name, or a folder path to a bundle folder.</summary>
    public string Resolve(string modelArg)
    {
        if (modelArg == "champion")
            return Champion() is { } c ? Path.Combine(Root, c) : throw new DirectoryNotFoundException($"no champion is set in {Root}");
        if (Directory.Exists(modelArg)) return modelArg;
        var inRoot = Path.Combine(Root, modelArg);
        return Directory.Exists(inRoot) ? inRoot : throw new DirectoryNotFoundException($"no model '{modelArg}' (neither a folder nor a version in {Root})");
    }

    public void Promote(string version)
    {
        var dir = Path.Combine(Root, version);
        if (!File.Exists(Path.Combine(dir, "manifest.json")))
            throw new DirectoryNotFoundException($"no model version '{version}' in {Root}");
        // Only the manifest is read (verifying the bundle is Load's work, done by the callers that serve it): a champion
        // naming a folder that holds another version would never equal the version served from it.
        ModelManifest manifest;
        try { manifest = ReadManifest(dir); }
        catch (JsonException e) { throw new InvalidDataException($"model {version} cannot be promoted: its manifest.json cannot be read: {e.Message}", e); }
        if (manifest.Version != version) throw new InvalidDataException(Misnamed(Root, version, manifest.Version));
        var current = Champion();
        if (current == version) return;
        if (current is not null) File.AppendAllText(HistoryFile, current + "\n");
        WriteAtomic(ChampionFile, version + "\n");
    }

    /// <summary>Makes the previous champion the champion again; returns it.</summary>
    public string Rollback()
    {
        var history = File.Exists(HistoryFile) ? File.ReadAllLines(HistoryFile).Where(l => l.Trim().Length > 0).ToList() : [];
        while (history.Count > 0)
        {
            var previous = history[^1].Trim();
            history.RemoveAt(history.Count - 1);
            if (!Directory.Exists(Path.Combine(Root, previous))) continue;
            WriteAtomic(ChampionFile, previous + "\n");
            WriteAtomic(HistoryFile, string.Concat(history.Select(h => h + "\n")));
            return previous;
        }
        throw new InvalidOperationException("there is no earlier champion to roll back to");
    }

    private static void WriteAtomic(string path, string content)
    {
        var tmp = path + $".tmp-{Guid.NewGuid():N}";
        File.WriteAllText(tmp, content);
        File.Move(tmp, path, overwrite: true);
    }
}
