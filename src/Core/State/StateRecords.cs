using LeadPropensity.Core.Bands;

namespace LeadPropensity.Core.State;

/// <summary>The band cutoffs in force: who set them, when, why, and a version that grows with every change.</summary>
public sealed record BandSetting(CutoffSpec Spec, string SetBy, DateTime SetAt, string Reason, long Version);

/// <summary>One change of the band cutoffs: <see cref="OldSpec"/> is null for the first setting.</summary>
public sealed record BandAuditEntry(long Version, string SetBy, DateTime SetAt, CutoffSpec? OldSpec, CutoffSpec NewSpec, string Reason);

/// <summary>
/// A lead's features as the prediction log keeps them: field names, and each value as the raw text (a JSON string) or null
/// for missing. Only <see cref="Write"/> makes one, so a store can write it without reading every logged prediction's JSON
/// through again to check it (bench/RESULTS.md, "Serving (issue 5)").
/// The names and the values are kept apart: leads from one CRM are sent with the same fields in the same order, so a store
/// can keep each list of names once and, per prediction, only the values (<see cref="Values"/>, about a third of the whole
/// object for a typical lead). <see cref="Utf8"/> is the whole object, made when a store asks for it.
/// </summary>
public sealed class LoggedFeatures
{
    private LoggedFeatures(FieldNames names, byte[] values) => (Names, Values) = (names, values);

    /// <summary>The field names in the order they were given (one shared instance per list of names seen).</summary>
    public FieldNames Names { get; }

    /// <summary>The values as a UTF-8 JSON array in the order of <see cref="Names"/>: each a string, or null.</summary>
    public ReadOnlyMemory<byte> Values { get; }

    /// <summary>The features as one UTF-8 JSON object, <c>{"name": "value" or null, …}</c>, in the order given.</summary>
    public ReadOnlyMemory<byte> Utf8 => _object ??= Compose(Names.Names, Values.Span);

    private byte[]? _object;

    /// <summary>The features (field name, raw value or null).</summary>
    public static LoggedFeatures Write(IEnumerable<KeyValuePair<string, string?>> features)
    {
        var w = new ValuesWriter();
        // The JSON routes hand over a Dictionary: walked with its own enumerator, not through the interface per entry.
        if (features is Dictionary<string, string?> dictionary)
            foreach (var (field, value) in dictionary) w.Add(field, value);
        else
            foreach (var (field, value) in features) w.Add(field, value);
        return w.Finish();
    }

    /// <summary>
    /// Writes values into the thread's scratch buffer as they come, noting their names. One buffer and name list per
    /// thread: only the exact-size values are allocated (and a list of names the first time it is seen).
    /// </summary>
    private ref struct ValuesWriter
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _buffer;
        private string[] _names;
        private int _count;
        // A CRM sends the same names every time: compared with this thread's last list as they come, they are looked up
        // (hashed) only when they differ from it.
        private readonly FieldNames? _last;
        private bool _same;

        public ValuesWriter()
        {
            _buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(1024);
            _buffer.ResetWrittenCount();
            _names = t_names ??= new string[64];
            _last = t_last;
            _same = _last is not null;
            Put(_buffer, (byte)'[');
        }

        public void Add(string field, string? value)
        {
            if (_count == _names.Length) Array.Resize(ref _names, _count * 2);
            if (_same && (_count >= _last!.Count || !string.Equals(_last[_count], field, StringComparison.Ordinal))) _same = false;
            if (_count > 0) Put(_buffer, (byte)',');
            _names[_count++] = field;
            WriteValue(_buffer, value);
        }

        public readonly LoggedFeatures Finish()
        {
            Put(_buffer, (byte)']');
            t_names = _names;
            var given = _names.AsSpan(0, _count);
            var list = _same && _count == _last!.Count ? _last : FieldNames.Of(given);
            t_last = list;
            given.Clear();
            return new LoggedFeatures(list, _buffer.WrittenSpan.ToArray());
        }
    }

    /// <summary>
    /// The JSON object of <paramref name="names"/> and the JSON array of their <paramref name="values"/> (as
    /// <see cref="Values"/> holds them): byte for byte what writing the object at once gives.
    /// </summary>
    internal static byte[] Compose(IReadOnlyList<string> names, ReadOnlySpan<byte> values)
    {
        try { return ComposeChecked(names, values); }
        catch (System.Text.Json.JsonException e) { throw NotValues(names.Count, e); }
    }

    private static byte[] ComposeChecked(IReadOnlyList<string> names, ReadOnlySpan<byte> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(values.Length + names.Count * 16 + 2);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            var r = new System.Text.Json.Utf8JsonReader(values);
            if (!r.Read() || r.TokenType != System.Text.Json.JsonTokenType.StartArray) throw NotValues(names.Count);
            w.WriteStartObject();
            foreach (var name in names)
            {
                if (!r.Read() || r.TokenType is not (System.Text.Json.JsonTokenType.String or System.Text.Json.JsonTokenType.Null))
                    throw NotValues(names.Count);
                w.WritePropertyName(name);
                // The value's own bytes, quotes and escapes as written: nothing is unescaped and escaped again.
                var start = (int)r.TokenStartIndex;
                w.WriteRawValue(values[start..(int)r.BytesConsumed], skipInputValidation: true);
            }
            if (!r.Read() || r.TokenType != System.Text.Json.JsonTokenType.EndArray || r.Read()) throw NotValues(names.Count);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static InvalidDataException NotValues(int count, Exception? inner = null) =>
        new($"logged feature values are not a JSON array of {count} strings or nulls", inner);

    /// <summary>
    /// Printable ASCII that JSON's default escaping (<see cref="System.Text.Encodings.Web.JavaScriptEncoder.Default"/>, what
    /// <see cref="System.Text.Json.Utf8JsonWriter"/> uses unless told otherwise) writes as itself: asked of the encoder, so
    /// a value made only of these is copied byte for byte and every other value is escaped by the encoder itself. The
    /// stored bytes are the same either way.
    /// </summary>
    private static readonly System.Buffers.SearchValues<char> Plain = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c)
            .Where(c => System.Text.Json.JsonEncodedText.Encode(c.ToString()).EncodedUtf8Bytes.SequenceEqual([(byte)c]))]);

    /// <summary>One value as a JSON string (or null), escaped as <see cref="System.Text.Json.Utf8JsonWriter"/> would.</summary>
    private static void WriteValue(System.Buffers.ArrayBufferWriter<byte> buffer, string? value)
    {
        if (value is null) { "null"u8.CopyTo(buffer.GetSpan(4)); buffer.Advance(4); return; }
        if (value.AsSpan().ContainsAnyExcept(Plain))
        {
            var escaped = System.Text.Json.JsonEncodedText.Encode(value).EncodedUtf8Bytes;
            var to = buffer.GetSpan(escaped.Length + 2);
            to[0] = (byte)'"';
            escaped.CopyTo(to[1..]);
            to[escaped.Length + 1] = (byte)'"';
            buffer.Advance(escaped.Length + 2);
            return;
        }
        // Plain ASCII: a character is its byte.
        var span = buffer.GetSpan(value.Length + 2);
        span[0] = (byte)'"';
        System.Text.Ascii.FromUtf16(value, span[1..], out var written);
        span[written + 1] = (byte)'"';
        buffer.Advance(written + 2);
    }

    private static void Put(System.Buffers.ArrayBufferWriter<byte> buffer, byte b)
    {
        buffer.GetSpan(1)[0] = b;
        buffer.Advance(1);
    }

    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static string[]? t_names;
    [ThreadStatic] private static FieldNames? t_last;
}

/// <summary>
/// A list of field names, in order, as leads were sent with them. Lists are shared: <see cref="Of"/> gives the same
/// instance for the same names (up to <see cref="Kept"/> lists; past that a new one each time, equal in content).
/// <see cref="Id"/> is a 63-bit hash of <see cref="Json"/>: what a store keeps the list under, the same in every process.
/// </summary>
public sealed class FieldNames
{
    /// <summary>How many distinct lists are shared; more are still correct, only not shared.</summary>
    public const int Kept = 4096;

    private FieldNames(string[] names)
    {
        _names = names;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(names.Length * 24 + 2);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var n in names) w.WriteStringValue(n);
            w.WriteEndArray();
        }
        Json = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        Id = IdOf(buffer.WrittenSpan);
    }

    private readonly string[] _names;

    public IReadOnlyList<string> Names => _names;

    internal int Count => _names.Length;

    internal string this[int i] => _names[i];

    /// <summary>The names as a JSON array of strings.</summary>
    public string Json { get; }

    /// <summary>The first 63 bits of the SHA-256 of <see cref="Json"/>'s UTF-8 bytes (never negative).</summary>
    public long Id { get; }

    private static long IdOf(ReadOnlySpan<byte> json)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(json, hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(hash) & long.MaxValue;
    }

    /// <summary>The names of a JSON array of strings (as <see cref="Json"/> holds them).</summary>
    internal static FieldNames Parse(string json)
    {
        var names = System.Text.Json.JsonSerializer.Deserialize<string[]>(json)
                    ?? throw new InvalidDataException("a list of field names is null");
        return Of(names);
    }

    /// <summary>The shared list for these names.</summary>
    internal static FieldNames Of(ReadOnlySpan<string> names)
    {
        var h = new HashCode();
        foreach (var n in names) h.Add(n);
        var hash = h.ToHashCode();
        if (s_lists.TryGetValue(hash, out var seen) && names.SequenceEqual(seen._names)) return seen;
        var made = new FieldNames(names.ToArray());
        // A second list with the same hash is simply not shared.
        if (seen is null && s_lists.Count < Kept) s_lists.TryAdd(hash, made);
        return made;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, FieldNames> s_lists = new();
}

/// <summary>
/// One logged prediction. <see cref="Source"/> is "model" or "rules"; <see cref="FeaturesJson"/> is the request's features
/// object. A caller that already holds the features as UTF-8 JSON gives those bytes instead, and the service's prediction
/// log gives <see cref="LoggedFeatures"/>: a store then writes them as they are, without turning them into a string and
/// back into UTF-8 for every prediction.
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
        : this(leadId, at, modelVersion, source, probability, score, band, FeaturesJson: null!) => _logged = features;

    private readonly ReadOnlyMemory<byte> _utf8;
    private readonly LoggedFeatures? _logged;

    /// <summary>True when the features are what <see cref="LoggedFeatures.Write"/> made (nothing to check).</summary>
    internal bool FeaturesWritten => _logged is not null;

    /// <summary>The features as <see cref="LoggedFeatures.Write"/> made them, or null.</summary>
    public LoggedFeatures? Logged => _logged;

    /// <summary>The features as text (decoded on first use when the record was made from UTF-8).</summary>
    public string FeaturesJson
    {
        get => field ??= System.Text.Encoding.UTF8.GetString(_logged is { } logged ? logged.Utf8.Span : _utf8.Span);
        // Set by "with": the new text replaces the bytes the record was made from.
        init { field = value; _utf8 = default; _logged = null; }
    } = FeaturesJson;

    /// <summary>The features as UTF-8 JSON when the record was made from UTF-8; otherwise false (use <see cref="FeaturesJson"/>).</summary>
    public bool TryGetFeaturesUtf8(out ReadOnlySpan<byte> utf8)
    {
        utf8 = _logged is { } logged ? logged.Utf8.Span : _utf8.Span;
        return !utf8.IsEmpty;
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
