using LeadPropensity.Core.State;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Monitoring;

/// <summary>
/// Keeps the prediction log to <see cref="PredictionLogOptions.RetentionDays"/>: at start and every RetentionInterval it
/// deletes older predictions from the state store. Replicas sharing a store may all do it; deleting is idempotent.
/// A failing store is logged and tried again next time; it never stops the service.
/// </summary>
public sealed class PredictionRetention(IStateStore store, IOptions<PredictionLogOptions> options, TimeProvider clock, ILogger<PredictionRetention> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.RetentionDays <= 0) return;
        using var timer = new PeriodicTimer(o.RetentionInterval, clock);
        do
        {
            var before = clock.GetUtcNow().UtcDateTime.AddDays(-o.RetentionDays);
            try
            {
                var deleted = await store.DeletePredictionsBeforeAsync(before, stoppingToken);
                if (deleted > 0)
                    logger.LogInformation("prediction log retention: deleted {Count} predictions made before {Before:O} ({Days} days)", deleted, before, o.RetentionDays);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "prediction log retention: deleting predictions made before {Before:O} failed; trying again in {Interval}", before, o.RetentionInterval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
