using LeadPropensity.Serving.Extensions;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Models;

/// <summary>
/// Loads the champion at start, then follows <c>champion</c>: file-system events for a prompt swap, plus a periodic
/// check because events are unreliable on shared file systems. A model that fails at start leaves the rules answering.
/// </summary>
public sealed class ChampionWatcher(ModelHolder holder, IOptions<ModelsOptions> options, ILogger<ChampionWatcher> log) : BackgroundService
{
    private readonly SemaphoreSlim _signal = new(0, 1);
    private FileSystemWatcher? _watcher;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var first = holder.Reload();
            log.LogInformation("Models at {Root}: {Message}", holder.Root, first.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The service starts whatever the registry holds: the rules answer until a champion loads.
            log.LogError(e, "Loading the champion from {Root} failed; the rules answer", holder.Root);
        }
        if (options.Value.Watch && Directory.Exists(holder.Root))
        {
            _watcher = new FileSystemWatcher(holder.Root) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite, EnableRaisingEvents = true };
            _watcher.Changed += OnChange;
            _watcher.Created += OnChange;
            _watcher.Renamed += OnChange;
        }
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await _signal.WaitAsync(options.Value.PollInterval, stoppingToken); }
            catch (OperationCanceledException) { return; }
            // Nothing a registry holds may end this loop: an exception here would stop the host, and with it the
            // model already being served.
            try { holder.Reload(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.LogWarning("Checking the champion failed: {Message}", e.Message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                log.LogError(e, "Checking the champion failed");
            }
        }
    }

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        if (!string.Equals(Path.GetFileName(e.FullPath), "champion", StringComparison.Ordinal)) return;
        // Wake the loop once; further events before it runs add nothing.
        if (_signal.CurrentCount == 0)
            try { _signal.Release(); } catch (SemaphoreFullException) { /* already signalled */ }
    }

    public override void Dispose()
    {
        _watcher?.Dispose();
        _signal.Dispose();
        base.Dispose();
    }
}
