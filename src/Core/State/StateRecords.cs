using LeadPropensity.Core.Bands;

namespace LeadPropensity.Core.State;

/// <summary>The band cutoffs in force: who set them, when, why, and a version that grows with every change.</summary>
public sealed record BandSetting(CutoffSpec Spec, string SetBy, DateTime SetAt, string Reason, long Version);

/// <summary>One change of the band cutoffs: <see cref="OldSpec"/> is null for the first setting.</summary>
public sealed record BandAuditEntry(long Version, string SetBy, DateTime SetAt, CutoffSpec? OldSpec, CutoffSpec NewSpec, string Reason);

/// <summary>
/// A lead's features as the prediction log keeps them: a UTF-8 JSON object whose every value is the raw text as a string,
/// or null for missing. Only <see cref="Write"/> makes one, so a store can write the bytes without reading every logged
/// prediction's JSON through again to check that it is an object (bench/RESULTS.md, "Serving (issue 5)").
/// </summary>
public sealed class LoggedFeatures
{
    private LoggedFeatures(byte[] utf8) => Utf8 = utf8;

    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>The features (field name, raw value or null) as compact JSON.</summary>
    public static LoggedFeatures Write(IEnumerable<KeyValuePair<string, string?>> features)
    {
        // One scratch buffer and writer per thread: only the exact-size result is allocated.
        var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new System.Text.Json.Utf8JsonWriter(buffer);
        w.Reset(buffer);
        w.WriteStartObject();
        foreach (var (field, value) in features)
        {
            if (value is null) w.WriteNull(field);
            else w.WriteString(field, value);
        }
        w.WriteEndObject();
        w.Flush();
        return new LoggedFeatures(buffer.WrittenSpan.ToArray());
    }

    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static System.Text.Json.Utf8JsonWriter? t_writer;
}

/// <summary>
/// One logged prediction. <see cref="Source"/> is "model" or "rules"; <see cref="FeaturesJson"/> is the request's features
/// object. A caller that already holds the features as UTF-8 JSON (the service's prediction log) gives those bytes instead:
/// a store then writes them as they are, without turning them into a string and back into UTF-8 for every prediction.
/// </summary>
public sealed record PredictionRecord(
    string LeadId, DateTime At, string? ModelVersion, string Source, double Probability, int Score, string Band, string FeaturesJson)
{
    /// <summary>Features as UTF-8 JSON from any source: a store checks that they are a JSON object.</summary>
    public PredictionRecord(string leadId, DateTime at, string? modelVersion, string source, double probability, int score, string band,
        ReadOnlyMemory<byte> featuresUtf8)
        : this(leadId, at, modelVersion, source, probability, score, band, FeaturesJson: null!) => _utf8 = featuresUtf8;

    /// <summary>Features the prediction log wrote (<see cref="LoggedFeatures.Write"/>): known to be a JSON object.</summary>
    public PredictionRecord(string leadId, DateTime at, string? modelVersion, string source, double probability, int score, string band,
        LoggedFeatures features)
        : this(leadId, at, modelVersion, source, probability, score, band, features.Utf8) => _written = true;

    private readonly ReadOnlyMemory<byte> _utf8;
    private readonly bool _written;

    /// <summary>True when the features are bytes <see cref="LoggedFeatures.Write"/> made (nothing to check).</summary>
    internal bool FeaturesWritten => _written && !_utf8.IsEmpty;

    /// <summary>The features as text (decoded on first use when the record was made from UTF-8).</summary>
    public string FeaturesJson
    {
        get => field ??= System.Text.Encoding.UTF8.GetString(_utf8.Span);
        // Set by "with": the new text replaces the bytes the record was made from.
        init { field = value; _utf8 = default; _written = false; }
    } = FeaturesJson;

    /// <summary>The features as UTF-8 JSON when the record was made from UTF-8; otherwise false (use <see cref="FeaturesJson"/>).</summary>
    public bool TryGetFeaturesUtf8(out ReadOnlySpan<byte> utf8)
    {
        utf8 = _utf8.Span;
        return !_utf8.IsEmpty;
    }

    // Equal when every column is: the features compared as text, however each record was made.
    public bool Equals(PredictionRecord? other) =>
        other is not null && LeadId == other.LeadId && At == other.At && ModelVersion == other.ModelVersion && Source == other.Source &&
        Probability.Equals(other.Probability) && Score == other.Score && Band == other.Band && FeaturesJson == other.FeaturesJson;

    public override int GetHashCode() => HashCode.Combine(LeadId, At, ModelVersion, Source, Probability, Score, Band, FeaturesJson);
}

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
