using LeadPropensity.Core.State;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Monitoring;

/// <summary>
/// Drains the <see cref="PredictionLog"/> into <see cref="IStateStore.AppendPredictionsAsync"/> in batches (BatchSize, or
/// whatever arrived within MaxWait). A failing store is retried, then the batch is counted as dropped. On shutdown the
/// buffer is closed and everything in it is written before the service stops (the web server has stopped taking
/// requests by then: it is started last and stopped first).
/// </summary>
public sealed class PredictionLogWriter(PredictionLog log, IStateStore store, IOptions<PredictionLogOptions> options, ILogger<PredictionLogWriter> logger)
    : BackgroundService
{
    /// <summary>Rules answers carry no probability; the store needs a finite one, so they are logged with score / 100.</summary>
    public static double StoredProbability(LoggedPrediction p) => p.Probability ?? p.Score / 100.0;

    /// <summary>The id logged for a lead sent without one (it can count in volume and drift, never be joined to an outcome).</summary>
    public const string NoLeadId = "(none)";

    /// <summary>How often a partly filled batch looks for more predictions before MaxWait sends it.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        log.Close();
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var o = options.Value;
        var reader = log.Reader;
        var batch = new List<PredictionRecord>(Math.Min(o.BatchSize, 4096));
        // Not cancelled by stoppingToken: after Close the reader ends once the buffer is empty, which is the flush.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            var deadline = DateTime.UtcNow + o.MaxWait;
            while (true)
            {
                while (batch.Count < o.BatchSize && reader.TryRead(out var p)) batch.Add(ToRecord(p));
                if (batch.Count >= o.BatchSize || reader.Completion.IsCompleted) break;
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) break;
                // Poll rather than wait for each prediction: under load a per-item wake-up (a thread-pool hop and a
                // context switch for every answer) cost more CPU than writing the answers did.
                await Task.Delay(left < PollInterval ? left : PollInterval);
            }
            await WriteAsync(batch, o);
            ReportDrops();
        }
        ReportDrops();
        logger.LogInformation("prediction log flushed and closed ({Written} written, {Dropped} dropped by this instance)", log.Written, log.Dropped);
    }

    private async Task WriteAsync(List<PredictionRecord> batch, PredictionLogOptions o)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await store.AppendPredictionsAsync(batch, CancellationToken.None);
                log.Wrote(batch.Count);
                return;
            }
            catch (Exception e) when (attempt < o.Retries)
            {
                logger.LogWarning(e, "prediction log: writing {Count} predictions failed (attempt {Attempt} of {Attempts}); retrying",
                    batch.Count, attempt + 1, o.Retries + 1);
                await Task.Delay(o.RetryDelay * (attempt + 1));
            }
            catch (Exception e)
            {
                // One prediction the store refuses must not cost the rest of its batch: the halves are tried once each.
                if (batch.Count > 1)
                {
                    await SetAsideAsync(batch, e);
                    return;
                }
                log.Drop(PredictionLog.ReasonStore, batch.Count, logged: true);
                logger.LogError(e, "prediction log: {Count} predictions dropped after {Attempts} failed attempts to write them", batch.Count, attempt + 1);
                return;
            }
        }
    }

    /// <summary>
    /// After a batch failed every attempt: its halves are written once each, and a failing half split again, so that only
    /// the predictions the store refuses are dropped (a bad row lies in one half). When both halves of a split fail, the
    /// store itself is failing rather than one row, and all that is left is dropped.
    /// </summary>
    private async Task SetAsideAsync(List<PredictionRecord> batch, Exception first)
    {
        var (dropped, last) = (0, first);
        var pending = new Stack<List<PredictionRecord>>();
        pending.Push(batch);
        while (pending.TryPop(out var part))
        {
            if (part.Count == 1)
            {
                dropped++;
                continue;
            }
            var failed = new List<List<PredictionRecord>>(2);
            foreach (var half in (List<PredictionRecord>[])[part[..(part.Count / 2)], part[(part.Count / 2)..]])
            {
                try
                {
                    await store.AppendPredictionsAsync(half, CancellationToken.None);
                    log.Wrote(half.Count);
                }
                catch (Exception e)
                {
                    last = e;
                    failed.Add(half);
                }
            }
            if (failed.Count == 2)
            {
                dropped += part.Count + pending.Sum(q => q.Count);
                break;
            }
            foreach (var f in failed) pending.Push(f);
        }
        if (dropped > 0) log.Drop(PredictionLog.ReasonStore, dropped, logged: true);
        logger.LogError(last, "prediction log: {Dropped} of {Count} predictions dropped after failed attempts to write them; the others were written in smaller batches",
            dropped, batch.Count);
    }

    private void ReportDrops()
    {
        var n = log.TakeUnreportedDrops();
        if (n > 0)
            logger.LogWarning("prediction log: {Count} predictions dropped (buffer full: PredictionLog:Capacity, or arriving during shutdown); " +
                              "see leadpropensity_prediction_log_dropped_total", n);
    }

    internal static PredictionRecord ToRecord(LoggedPrediction p) =>
        new(string.IsNullOrWhiteSpace(p.LeadId) ? NoLeadId : p.LeadId, p.At, p.ModelVersion, p.Source, StoredProbability(p), p.Score, p.Band,
            p.Written ?? LoggedFeatures.Write(p.Features ?? []));
}
