using System.Text.Json.Serialization;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Modeling;

/// <summary>
/// How a lead's business fields become the model's numeric feature vector, learned from training rows and
/// saved in the bundle so serving encodes exactly as training did. Every slot knows the field it came from,
/// which is what lets importance and explanations be reported per business field.
/// </summary>
public sealed class FeaturePlan
{
    public required IReadOnlyList<FieldEncoder> Encoders { get; init; }
    /// <summary>Index into <see cref="Encoders"/> of the schema timestamp, used for datetime ages; -1 when none.</summary>
    public int TimestampField { get; init; } = -1;

    // Cached: a plan is immutable once built, and serving asks for these on every request.
    private int? _width;
    private string[]? _fields;
    private int[]? _offsets;

    [JsonIgnore] public int Width => _width ??= Encoders.Sum(e => e.Width);
    [JsonIgnore] public IReadOnlyList<string> Fields => _fields ??= Encoders.Select(e => e.Field).ToArray();

    /// <summary>The business field of each slot.</summary>
    public string[] SlotFields() => Encoders.SelectMany(e => Enumerable.Repeat(e.Field, e.Width)).ToArray();

    public string[] SlotNames() => Encoders.SelectMany(e => e.SlotNames()).ToArray();

    /// <summary>First slot of each encoder (and Width at the end), to sum slots back to fields.</summary>
    public int[] Offsets() => (int[])SharedOffsets.Clone();

    /// <summary>The same as <see cref="Offsets"/>, shared: callers must not write to it.</summary>
    [JsonIgnore] internal int[] SharedOffsets => _offsets ??= ComputeOffsets();

    private int[] ComputeOffsets()
    {
        var o = new int[Encoders.Count + 1];
        for (var i = 0; i < Encoders.Count; i++) o[i + 1] = o[i] + Encoders[i].Width;
        return o;
    }

    /// <summary>Learns each field's encoding (medians, levels, vocabulary) from training values, column-wise.</summary>
    public static FeaturePlan Fit(LeadSchema schema, IReadOnlyList<string?[]> rows, FeaturePlanOptions? options = null)
    {
        options ??= new FeaturePlanOptions();
        var features = schema.FeatureColumns.ToList();
        var encoders = new List<FieldEncoder>();
        for (var f = 0; f < features.Count; f++)
        {
            var col = features[f];
            var values = rows.Select(r => schema.IsMissing(r[f]) ? null : r[f]!.Trim()).ToList();
            encoders.Add(col.Type switch
            {
                ColumnType.Numeric => NumericEncoder.Fit(col, values),
                ColumnType.Boolean => new BooleanEncoder { Field = col.Name, TrueValues = col.TrueValues, FalseValues = col.FalseValues },
                ColumnType.Categorical => CategoricalEncoder.Fit(col, values, options),
                ColumnType.Text => TextEncoder.Fit(col, values, options),
                ColumnType.Datetime => new DatetimeEncoder { Field = col.Name, Format = col.Format, IsTimestamp = col.Name == schema.Timestamp },
                _ => throw new InvalidOperationException($"column '{col.Name}' of type {col.Type} cannot be a feature"),
            });
        }
        var ts = features.FindIndex(c => c.Name == schema.Timestamp);
        return new FeaturePlan { Encoders = encoders, TimestampField = ts };
    }

    /// <summary>
    /// Encodes one lead's raw values (in <see cref="Fields"/> order, null = missing) into <paramref name="dest"/>.
    /// Returns false and adds a message per field when a value cannot be read as its type.
    /// </summary>
    public bool Encode(ReadOnlySpan<string?> values, Span<float> dest, List<FieldProblem>? problems = null)
    {
        DateTime? reference = null;
        if (TimestampField >= 0 && values[TimestampField] is { } tsRaw && ValueParsing.TryDate(tsRaw, (Encoders[TimestampField] as DatetimeEncoder)?.Format, out var t))
            reference = t;
        var ok = true;
        var offset = 0;
        for (var i = 0; i < Encoders.Count; i++)
        {
            var e = Encoders[i];
            var slice = dest.Slice(offset, e.Width);
            if (!e.Encode(values[i], slice, reference, out var problem))
            {
                ok = false;
                problems?.Add(new FieldProblem(e.Field, values[i], problem!));
                slice.Clear();
            }
            offset += e.Width;
        }
        return ok;
    }
}

public sealed record FeaturePlanOptions
{
    /// <summary>Levels seen fewer times than this are pooled into "other".</summary>
    public int MinLevelCount { get; init; } = 20;
    public int MaxLevels { get; init; } = 60;
    public int MinTokenCount { get; init; } = 20;
    public int MaxTokens { get; init; } = 80;
}

/// <summary>A value that could not be read as its field's type.</summary>
public sealed record FieldProblem(string Field, string? Value, string Message);
