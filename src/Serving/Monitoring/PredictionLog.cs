using System.ComponentModel.DataAnnotations;
using System.Threading.Channels;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Core.State;
using Prometheus;

namespace LeadPropensity.Serving.Monitoring;

/// <summary>PredictionLog: the bounded buffer between /predict and the store, and how the writer drains it.</summary>
public sealed class PredictionLogOptions
{
    /// <summary>Predictions waiting for the store; when full, new ones are dropped (counted) rather than slowing a request.</summary>
    [Range(1, 10_000_000)] public int Capacity { get; set; } = 100_000;
    /// <summary>
    /// Most predictions written in one store transaction. Under load a batch fills in tens of milliseconds; a larger one
    /// keeps answers in memory long enough to be promoted by the GC, which cost more than the extra transactions.
    /// </summary>
    [Range(1, 100_000)] public int BatchSize { get; set; } = 500;
    /// <summary>Longest a prediction waits for its batch to fill before the writer sends what it has.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")] public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Store attempts after the first before a batch is given up (and counted as dropped).</summary>
    [Range(0, 100)] public int Retries { get; set; } = 3;
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")] public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
    /// <summary>
    /// Predictions older than this many days are deleted (0 keeps them all). Keep at least the longest sales cycle: an
    /// outcome can only become a training row while its prediction is still logged.
    /// </summary>
    [Range(0, 36_500)] public int RetentionDays { get; set; }
    /// <summary>How often old predictions are looked for (with RetentionDays above 0).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00")] public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// One answer waiting to be logged. <see cref="Probability"/> is null when the rules answered. The features are either
/// already in the log's form (<see cref="Written"/>, made by <see cref="LoggedFeatures.Write"/> on the JSON routes) or
/// field names and raw values the writer puts in that form (<see cref="Features"/>, CSV rows, whose stream thread is the
/// batch's bottleneck).
/// </summary>
public sealed record LoggedPrediction(
    string? LeadId, DateTime At, string? ModelVersion, string Source, double? Probability, int Score, string Band,
    IEnumerable<KeyValuePair<string, string?>>? Features, LoggedFeatures? Written = null);

/// <summary>
/// The prediction log's front door. A single /predict hands its answer over with <see cref="TryWrite"/>, which never
/// waits: a full buffer (or one closed for shutdown) drops the answer, counts it in
/// <c>leadpropensity_prediction_log_dropped_total</c> and has the writer log how many were dropped. Batches (JSON and
/// CSV) wait for room instead, so a bulk job runs at the store's pace and keeps its whole log.
/// </summary>
public sealed class PredictionLog
{
    public const string ReasonFull = "buffer_full", ReasonStore = "store_failed", ReasonClosed = "shutting_down", ReasonAborted = "request_aborted";

    private static readonly Counter DroppedTotal = Metrics.CreateCounter("leadpropensity_prediction_log_dropped_total",
        "Predictions not logged: buffer full (single /predict calls; batches wait instead), store failing after retries, arriving after shutdown began, or a batch whose caller went away.", "reason");
    private static readonly Counter WrittenTotal = Metrics.CreateCounter("leadpropensity_prediction_log_written_total",
        "Predictions written to the state store's prediction log.");

    private readonly Channel<LoggedPrediction> _channel;
    private long _dropped, _written, _unreported;

    private static readonly Gauge PendingGauge = Metrics.CreateGauge("leadpropensity_prediction_log_pending",
        "Predictions waiting in the buffer for the store after the last batch was written (PredictionLog:Capacity at most): a backlog that stays high means the store cannot keep up.");

    public PredictionLog(Microsoft.Extensions.Options.IOptions<PredictionLogOptions> options) =>
        _channel = Channel.CreateBounded<LoggedPrediction>(new BoundedChannelOptions(options.Value.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = false,
        });

    internal ChannelReader<LoggedPrediction> Reader => _channel.Reader;
    /// <summary>Predictions this instance dropped, for any reason.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    /// <summary>Predictions this instance wrote to the store.</summary>
    public long Written => Interlocked.Read(ref _written);
    /// <summary>Waiting in the buffer now.</summary>
    public int Pending => _channel.Reader.Count;

    /// <summary>Queues one answer of the JSON routes.</summary>
    public void Record(string? leadId, IReadOnlyDictionary<string, string?> features, ScoredLead answer) =>
        // Turned into compact JSON here rather than by the writer: an answer waits in the buffer long enough to outlive a
        // young-generation GC, and the request's dictionary with its sixty strings cost several times more to promote.
        TryWrite(Entry(leadId, features, answer));

    /// <summary>
    /// Queues one lead of a JSON batch (made with <see cref="Entry"/>), waiting for room when the buffer is full: a batch is
    /// slowed down to the store's pace rather than losing its log (a single /predict never waits; see <see cref="Record"/>).
    /// </summary>
    public async ValueTask RecordAsync(LoggedPrediction entry, CancellationToken ct)
    {
        if (_channel.Writer.TryWrite(entry)) return;
        try
        {
            await _channel.Writer.WriteAsync(entry, ct);
        }
        catch (ChannelClosedException)
        {
            Drop(ReasonClosed, 1);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The caller went away mid-batch: this answer was never delivered; count it and stop the batch.
            Drop(ReasonAborted, 1);
            throw;
        }
    }

    /// <summary>
    /// One answer of the JSON routes as the log keeps it, its features already compact JSON. A batch passes one time
    /// for all its leads, so its log keeps the batch's order (a lead sent twice: the later one is its latest).
    /// </summary>
    public static LoggedPrediction Entry(string? leadId, IReadOnlyDictionary<string, string?> features, ScoredLead answer, DateTime? at = null) =>
        new(leadId, at ?? DateTime.UtcNow, answer.ModelVersion, answer.Source, answer.Probability, answer.Score, answer.Band,
            null, LoggedFeatures.Write(features));

    /// <summary>
    /// Queues one row of a CSV batch, waiting for room like <see cref="RecordAsync"/>. The CSV stream is synchronous, so
    /// this blocks its thread while the writer catches up: a million-row file is scored at the pace its log is stored.
    /// </summary>
    public void RecordWaiting(CsvScoredRow row, string source, string? modelVersion, CancellationToken ct)
    {
        var p = new LoggedPrediction(row.LeadId, DateTime.UtcNow, modelVersion, source, row.Probability, row.Score, row.Band,
            row.Fields.Zip(row.Values, KeyValuePair.Create));
        var wait = RecordAsync(p, ct);
        // Completed at once unless the buffer is full; a failed wait (the caller went away) still throws here.
        if (!wait.IsCompletedSuccessfully) wait.AsTask().GetAwaiter().GetResult();
    }

    public bool TryWrite(LoggedPrediction prediction)
    {
        if (_channel.Writer.TryWrite(prediction)) return true;
        // TryWrite fails on a full buffer or a completed (shutting down) one; both are counted, neither waits.
        Drop(IsClosed ? ReasonClosed : ReasonFull, 1);
        return false;
    }

    internal bool IsClosed => Volatile.Read(ref _closed);
    private bool _closed;

    /// <summary>No more answers are taken; the writer drains what is buffered and stops.</summary>
    internal void Close()
    {
        Volatile.Write(ref _closed, true);
        _channel.Writer.TryComplete();
    }

    /// <summary>Counts drops; <paramref name="logged"/> when the caller has already logged them itself.</summary>
    internal void Drop(string reason, int count, bool logged = false)
    {
        DroppedTotal.WithLabels(reason).Inc(count);
        Interlocked.Add(ref _dropped, count);
        if (!logged) Interlocked.Add(ref _unreported, count);
    }

    internal void Wrote(int count)
    {
        WrittenTotal.Inc(count);
        Interlocked.Add(ref _written, count);
        PendingGauge.Set(_channel.Reader.Count);
    }

    /// <summary>Drops not yet written to the log (the writer reports them in one line instead of one per prediction).</summary>
    internal long TakeUnreportedDrops() => Interlocked.Exchange(ref _unreported, 0);
}
