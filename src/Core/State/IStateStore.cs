using LeadPropensity.Core.Bands;

namespace LeadPropensity.Core.State;

/// <summary>
/// What serving remembers between requests and replicas: band cutoffs and their audit trail, the prediction log,
/// and the outcomes CRMs report back (the next training set). SQLite for one machine, PostgreSQL for many replicas.
/// All times are UTC and kept to the microsecond.
/// </summary>
public interface IStateStore : IAsyncDisposable
{
    /// <summary>"Sqlite" or "Postgres".</summary>
    string Provider { get; }

    /// <summary>Applies the schema migrations not yet applied (each once, in its own transaction); returns how many ran.</summary>
    Task<int> MigrateAsync(CancellationToken ct = default);

    /// <summary>The current band setting, or null when nobody has set one.</summary>
    Task<BandSetting?> GetBandsAsync(CancellationToken ct = default);

    /// <summary>The current setting's version (0 when none): a cheap poll for replicas to notice a change.</summary>
    Task<long> GetBandsVersionAsync(CancellationToken ct = default);

    /// <summary>Replaces the band setting and writes its audit row in one transaction; returns the new setting.</summary>
    Task<BandSetting> SetBandsAsync(CutoffSpec spec, string keyName, string reason, CancellationToken ct = default);

    /// <summary>Band changes, newest first.</summary>
    Task<IReadOnlyList<BandAuditEntry>> GetBandHistoryAsync(int limit = 100, CancellationToken ct = default);

    /// <summary>Logs a batch of predictions in one transaction.</summary>
    Task AppendPredictionsAsync(IReadOnlyList<PredictionRecord> predictions, CancellationToken ct = default);

    /// <summary>
    /// Retention: deletes the predictions made before <paramref name="before"/>, a chunk at a time (each chunk its own
    /// statement, so a large purge never holds the store's write lock for long); returns how many were deleted.
    /// </summary>
    Task<long> DeletePredictionsBeforeAsync(DateTime before, CancellationToken ct = default);

    /// <summary>Predictions made in [from, to), oldest first.</summary>
    Task<IReadOnlyList<PredictionRecord>> GetPredictionsAsync(DateTime? from = null, DateTime? to = null, CancellationToken ct = default);

    /// <summary>Predictions made in [from, to), oldest first, read as they are consumed.</summary>
    IAsyncEnumerable<PredictionRecord> StreamPredictionsAsync(DateTime? from = null, DateTime? to = null, CancellationToken ct = default);

    /// <summary>
    /// Records outcomes. Idempotent: per lead the outcome with the latest <see cref="OutcomeRecord.At"/> wins, and of
    /// equal times the one that arrived last (later in the batch, or in a later call).
    /// </summary>
    Task<OutcomeUpsertResult> UpsertOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default);

    /// <summary>Outcomes for leads that were never scored.</summary>
    Task<long> CountUnscoredOutcomesAsync(CancellationToken ct = default);

    /// <summary>
    /// Each lead with an outcome and at least one prediction: its latest prediction and its outcome (for live calibration).
    /// The window [from, to) applies to the time of that latest prediction.
    /// </summary>
    Task<IReadOnlyList<ScoredOutcome>> GetScoredOutcomesAsync(DateTime? from = null, DateTime? to = null, CancellationToken ct = default);

    /// <summary>
    /// Each lead with an outcome: the features of its latest prediction and its outcome, ordered by lead id.
    /// <paramref name="since"/> keeps leads whose latest prediction is at or after it.
    /// </summary>
    IAsyncEnumerable<TrainingRow> ExportTrainingRowsAsync(DateTime? since = null, CancellationToken ct = default);
}
