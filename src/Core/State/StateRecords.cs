using LeadPropensity.Core.Bands;

namespace LeadPropensity.Core.State;

/// <summary>The band cutoffs in force: who set them, when, why, and a version that grows with every change.</summary>
public sealed record BandSetting(CutoffSpec Spec, string SetBy, DateTime SetAt, string Reason, long Version);

/// <summary>One change of the band cutoffs: <see cref="OldSpec"/> is null for the first setting.</summary>
public sealed record BandAuditEntry(long Version, string SetBy, DateTime SetAt, CutoffSpec? OldSpec, CutoffSpec NewSpec, string Reason);

/// <summary>One logged prediction. <see cref="Source"/> is "model" or "rules"; <see cref="FeaturesJson"/> is the request's features object.</summary>
public sealed record PredictionRecord(
    string LeadId, DateTime At, string? ModelVersion, string Source, double Probability, int Score, string Band, string FeaturesJson);

/// <summary>A lead's outcome as the CRM reports it: won (true) or lost, at a time.</summary>
public sealed record OutcomeRecord(string LeadId, bool Won, DateTime At);

/// <summary>
/// What an outcome batch did: new leads, leads whose outcome changed, leads left as they were (repeats or older news),
/// and how many of the batch's leads were never scored.
/// </summary>
public sealed record OutcomeUpsertResult(int Inserted, int Updated, int Unchanged, int Unscored);

/// <summary>A lead's latest prediction beside its outcome.</summary>
public sealed record ScoredOutcome(
    string LeadId, DateTime PredictedAt, string? ModelVersion, string Source, double Probability, int Score, string Band,
    bool Won, DateTime OutcomeAt);

/// <summary>A lead's latest logged features and its outcome: one row of the next training set.</summary>
public sealed record TrainingRow(string LeadId, DateTime ScoredAt, string FeaturesJson, bool Won, DateTime OutcomeAt);
