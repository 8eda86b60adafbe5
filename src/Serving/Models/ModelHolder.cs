using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Rules;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Extensions;
using LeadPropensity.Serving.Monitoring;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Models;

/// <summary>The bundle being served and when it was loaded.</summary>
public sealed record ServedModel(ModelBundle Bundle, DateTime LoadedAt)
{
    public string Version => Bundle.Version;
}

/// <summary>What a reload or promotion did.</summary>
public sealed record ReloadResult(string Outcome, string? Version, string Message)
{
    public const string Loaded = "loaded", Unchanged = "unchanged", Rejected = "rejected", NoChampion = "no-champion";
}

/// <summary>
/// Holds the served model and swaps it atomically. A new bundle is loaded and verified beside the old one, which
/// keeps serving; only a bundle that loads and fits the rules replaces it. Readers never lock: they read one
/// reference, so a request scores wholly with the old or wholly with the new bundle.
/// ModelBundle scoring is thread-safe and needs no ML.NET PredictionEngine, so there is no engine pool to swap.
/// </summary>
public sealed class ModelHolder(IOptions<ModelsOptions> options, RuleSet rules, ServingMetrics metrics, ILogger<ModelHolder> log)
{
    private readonly Lock _gate = new();
    private ServedModel? _current;
    private (string Version, DateTime ChampionWritten)? _rejected;

    public string Root { get; } = Path.GetFullPath(options.Value.Path);
    public ServedModel? Current => Volatile.Read(ref _current);
    /// <summary>Why the last candidate was refused, for /health/ready.</summary>
    public string? LastError { get; private set; }

    /// <summary>Loads the champion if it is not the one served. A refused champion is not retried until the champion file changes, unless forced.</summary>
    public ReloadResult Reload(bool force = false)
    {
        lock (_gate)
        {
            var registry = new ModelRegistry(Root);
            string? champion;
            try { champion = registry.Champion(); }
            catch (IOException e) { return Refuse(null, $"the champion file cannot be read: {e.Message}"); }
            if (champion is null)
                return new ReloadResult(ReloadResult.NoChampion, Current?.Version,
                    Current is null ? $"no champion is set in {Root}; the rules answer" : $"no champion is set in {Root}; still serving {Current.Version}");
            if (Current?.Version == champion)
            {
                // The champion points back at what is served: an earlier candidate's refusal no longer describes it.
                (LastError, _rejected) = (null, null);
                return new ReloadResult(ReloadResult.Unchanged, champion, $"{champion} is already served");
            }
            var written = File.GetLastWriteTimeUtc(registry.ChampionFile);
            if (!force && _rejected == (champion, written)) return new ReloadResult(ReloadResult.Rejected, Current?.Version, LastError ?? "rejected");
            var result = TryLoad(champion);
            if (result.Outcome == ReloadResult.Rejected) _rejected = (champion, written);
            return result;
        }
    }

    /// <summary>Verifies a version, makes it the registry's champion, and serves it; a bad version leaves everything as it was.</summary>
    public ReloadResult Promote(string version)
    {
        lock (_gate)
        {
            if (!IsVersionName(version) || !Directory.Exists(Path.Combine(Root, version)))
                throw new DirectoryNotFoundException($"no model version '{version}' in {Root}");
            if (Load(version, out var bundle) is { } problem) return Refuse(version, problem);
            new ModelRegistry(Root).Promote(version);
            Swap(bundle!);
            return new ReloadResult(ReloadResult.Loaded, version, $"{version} is the champion and is served");
        }
    }

    private ReloadResult TryLoad(string version)
    {
        if (Load(version, out var bundle) is { } problem) return Refuse(version, problem);
        Swap(bundle!);
        return new ReloadResult(ReloadResult.Loaded, version, $"{version} is served");
    }

    private string? Load(string version, out ModelBundle? bundle)
    {
        bundle = null;
        if (!IsVersionName(version)) return $"'{version}' is not a version name";
        // Through the registry, which refuses a folder not named after its version: served, its version would never
        // equal the champion's name, and every check would load it again.
        try { bundle = new ModelRegistry(Root).Load(version); }
        catch (InvalidDataException e) { return e.Message; }
        var problems = ServingCompatibility.Problems(bundle, rules);
        return problems.Count == 0 ? null : $"model {version} cannot be served: {string.Join("; ", problems)}";
    }

    private void Swap(ModelBundle bundle)
    {
        var old = Interlocked.Exchange(ref _current, new ServedModel(bundle, DateTime.UtcNow));
        LastError = null;
        _rejected = null;
        metrics.ModelServed(bundle.Version, old?.Version);
        log.LogInformation("Serving model {Version} (was {Old})", bundle.Version, old?.Version ?? "none: rules");
    }

    private ReloadResult Refuse(string? version, string why)
    {
        LastError = why;
        var still = Current is null ? "the rules answer" : $"still serving {Current.Version}";
        log.LogError("Model {Version} rejected: {Reason}; {Still}", version ?? "?", why, still);
        return new ReloadResult(ReloadResult.Rejected, Current?.Version, $"{why}; {still}");
    }

    private static bool IsVersionName(string v) =>
        v.Length > 0 && v != "." && v != ".." && v.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']) < 0;
}
