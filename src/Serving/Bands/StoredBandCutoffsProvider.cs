using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Core.State;
using LeadPropensity.Serving.Models;

namespace LeadPropensity.Serving.Bands;

/// <summary>The cutoffs applied to one bundle, the stored setting they came from (null: the bundle's recommendation), and why a stored setting could not be used.</summary>
public sealed record ResolvedBands(BandCutoffs Cutoffs, BandSetting? Setting, string? Problem);

/// <summary>
/// Marketing's stored cutoffs, resolved per served bundle (percentiles against its held-out scores, so "top 10%" survives
/// a promotion) and cached by (bundle, setting version). Scoring never waits on the store: <see cref="For"/> reads memory
/// only; <see cref="BandsPoller"/> and PUT /bands bring new settings in with <see cref="Apply"/>.
/// </summary>
public sealed class StoredBandCutoffsProvider(ILogger<StoredBandCutoffsProvider> log) : IBandCutoffsProvider
{
    private sealed record Cached(ModelBundle Bundle, long Version, ResolvedBands Resolved);

    private readonly Lock _gate = new();
    private BandSetting? _setting;
    private Cached? _cached;

    /// <summary>The setting in force, or null when nobody has set one (the bundle's recommendation applies).</summary>
    public BandSetting? Setting => Volatile.Read(ref _setting);

    public long Version => Setting?.Version ?? 0;

    public BandCutoffs For(ModelBundle bundle) => Resolve(bundle).Cutoffs;

    public ResolvedBands Resolve(ModelBundle bundle)
    {
        var setting = Setting;
        var version = setting?.Version ?? 0;
        var cached = Volatile.Read(ref _cached);
        if (cached is not null && ReferenceEquals(cached.Bundle, bundle) && cached.Version == version) return cached.Resolved;
        var resolved = ResolveNow(bundle, setting);
        Volatile.Write(ref _cached, new Cached(bundle, version, resolved));
        return resolved;
    }

    /// <summary>Takes a setting read from the store; an older one than held (a slow poll racing a PUT) is ignored.</summary>
    public bool Apply(BandSetting? setting)
    {
        lock (_gate)
        {
            if ((setting?.Version ?? 0) < Version) return false;
            Volatile.Write(ref _setting, setting);
            return true;
        }
    }

    /// <summary>Reads the store's version and, when it differs from the one held, the setting itself.</summary>
    public async Task<bool> RefreshAsync(IStateStore store, CancellationToken ct)
    {
        var version = await store.GetBandsVersionAsync(ct);
        if (version == Version) return false;
        var setting = await store.GetBandsAsync(ct);
        var applied = Apply(setting);
        if (applied) log.LogInformation("Band cutoffs version {Version} in force (set by {SetBy}: {Reason})", setting?.Version, setting?.SetBy, setting?.Reason);
        return applied;
    }

    private ResolvedBands ResolveNow(ModelBundle bundle, BandSetting? setting)
    {
        if (setting is null) return new ResolvedBands(LeadScorer.CutoffsOf(bundle), null, null);
        try { return new ResolvedBands(setting.Spec.Resolve(bundle.Manifest.HeldOut.Probabilities), setting, null); }
        catch (BandException e)
        {
            // A bundle without held-out scores cannot place percentiles; its own recommendation is the safe answer.
            var problem = $"the stored cutoffs (version {setting.Version}) cannot be applied to model {bundle.Version}: {e.Message}; its recommended cutoffs apply";
            log.LogWarning("{Problem}", problem);
            return new ResolvedBands(LeadScorer.CutoffsOf(bundle), setting, problem);
        }
    }
}

/// <summary>Loads the stored cutoffs at start, then polls the store's version so a change made on another replica applies within Bands:PollInterval.</summary>
public sealed class BandsPoller(StoredBandCutoffsProvider bands, IStateStore store, Microsoft.Extensions.Options.IOptions<BandsOptions> options, ILogger<BandsPoller> log)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server takes requests, so the first prediction already uses the stored cutoffs.
        await bands.RefreshAsync(store, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await bands.RefreshAsync(store, stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store may be briefly unreachable; the cutoffs held keep applying.
                    log.LogWarning("Checking the band cutoffs failed: {Message}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) { /* stopping */ }
    }
}
