using System.Globalization;
using System.Text.Json.Serialization;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Modeling;

/// <summary>Turns one business field's raw value into a fixed number of feature slots.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(NumericEncoder), "numeric")]
[JsonDerivedType(typeof(BooleanEncoder), "boolean")]
[JsonDerivedType(typeof(CategoricalEncoder), "categorical")]
[JsonDerivedType(typeof(TextEncoder), "text")]
[JsonDerivedType(typeof(DatetimeEncoder), "datetime")]
public abstract class FieldEncoder
{
    public required string Field { get; init; }
    [JsonIgnore] public abstract int Width { get; }
    public abstract IEnumerable<string> SlotNames();
    /// <summary>Writes the slots for a value (null = missing); false with a message when the value is not of this type.</summary>
    public abstract bool Encode(string? raw, Span<float> dest, DateTime? reference, out string? problem);
    /// <summary>The value used to describe this field's "typical" state, e.g. in explanations.</summary>
    [JsonIgnore] public abstract string TypeName { get; }
}

/// <summary>
/// Value (median-imputed), a missing indicator (missingness stays information, never a silent zero), and
/// "above the k-th decile" steps, so that a linear model can bend with the value as trees do.
/// </summary>
public sealed class NumericEncoder : FieldEncoder
{
    public double Median { get; init; }
    public double[] Edges { get; init; } = [];
    public override int Width => 2 + Edges.Length;
    public override string TypeName => "number";
    public override IEnumerable<string> SlotNames() =>
        new[] { Field, Field + "=missing" }.Concat(Edges.Select(e => $"{Field}>{e.ToString("G6", CultureInfo.InvariantCulture)}"));

    public static NumericEncoder Fit(ColumnSpec col, List<string?> values)
    {
        var nums = values.Where(v => v is not null).Select(v => ValueParsing.TryNumber(v!, out var d) ? d : double.NaN).Where(double.IsFinite).OrderBy(d => d).ToArray();
        if (nums.Length == 0) return new NumericEncoder { Field = col.Name };
        var edges = Enumerable.Range(1, 9).Select(k => nums[k * nums.Length / 10]).Where(e => e < nums[^1]).Distinct().ToArray();
        return new NumericEncoder { Field = col.Name, Median = nums[nums.Length / 2], Edges = edges };
    }

    /// <summary>Why a value is not a number: a number too large for any double (1e400) says so rather than "not a number".</summary>
    private static string NotANumber(string raw) =>
        double.TryParse(raw.AsSpan().Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && !double.IsFinite(d)
            ? $"'{raw}' is outside the range a feature can hold (±3.4e38)"
            : $"'{raw}' is not a number";

    public override bool Encode(string? raw, Span<float> dest, DateTime? reference, out string? problem)
    {
        problem = null;
        double d;
        if (raw is null) { d = Median; dest[1] = 1; }
        else if (!ValueParsing.TryNumber(raw, out d)) { problem = NotANumber(raw); return false; }
        // Features are single-precision: beyond ±3.4e38 a value would become infinite and poison the score.
        else if (Math.Abs(d) > float.MaxValue) { problem = $"'{raw}' is outside the range a feature can hold (±3.4e38)"; return false; }
        else dest[1] = 0;
        dest[0] = (float)d;
        for (var k = 0; k < Edges.Length; k++) dest[2 + k] = d > Edges[k] ? 1 : 0;
        return true;
    }
}

public sealed class BooleanEncoder : FieldEncoder
{
    public IReadOnlyList<string>? TrueValues { get; init; }
    public IReadOnlyList<string>? FalseValues { get; init; }
    public override int Width => 2;
    public override string TypeName => "boolean";
    public override IEnumerable<string> SlotNames() => [Field, Field + "=missing"];

    private ColumnSpec? _spec;
    public bool? Parse(string raw) => (_spec ??= new ColumnSpec { Name = Field, Type = ColumnType.Boolean, TrueValues = TrueValues, FalseValues = FalseValues }).ParseBoolean(raw);

    public override bool Encode(string? raw, Span<float> dest, DateTime? reference, out string? problem)
    {
        problem = null;
        if (raw is null) { dest[0] = 0; dest[1] = 1; return true; }
        var b = Parse(raw);
        if (b is null)
        {
            problem = $"'{raw}' is not a boolean (use {string.Join("/", (TrueValues ?? ColumnSpec.DefaultTrue).Take(2))} or {string.Join("/", (FalseValues ?? ColumnSpec.DefaultFalse).Take(2))})";
            return false;
        }
        dest[0] = b.Value ? 1 : 0; dest[1] = 0;
        return true;
    }
}

/// <summary>One-hot over the frequent levels; rare and unseen levels share "other", missing has its own slot.</summary>
public sealed class CategoricalEncoder : FieldEncoder
{
    public required IReadOnlyList<string> Levels { get; init; }
    private Dictionary<string, int>? _index;
    public override int Width => Levels.Count + 2;
    public override string TypeName => "category";
    public override IEnumerable<string> SlotNames() => Levels.Select(l => $"{Field}={l}").Append(Field + "=other").Append(Field + "=missing");

    public static CategoricalEncoder Fit(ColumnSpec col, List<string?> values, FeaturePlanOptions o)
    {
        var levels = values.Where(v => v is not null).GroupBy(v => v!.ToLowerInvariant())
            .Where(g => g.Count() >= o.MinLevelCount).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(o.MaxLevels).Select(g => g.Key).ToList();
        return new CategoricalEncoder { Field = col.Name, Levels = levels };
    }

    public override bool Encode(string? raw, Span<float> dest, DateTime? reference, out string? problem)
    {
        problem = null;
        dest.Clear();
        if (raw is null) { dest[Levels.Count + 1] = 1; return true; }
        _index ??= Levels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.OrdinalIgnoreCase);
        dest[_index.TryGetValue(raw.Trim(), out var k) ? k : Levels.Count] = 1;
        return true;
    }
}

/// <summary>Bag of lower-cased word unigrams and bigrams from a learned vocabulary (e.g. seniority words in job titles).</summary>
public sealed class TextEncoder : FieldEncoder
{
    public required IReadOnlyList<string> Vocabulary { get; init; }
    private Dictionary<string, int>? _index;
    public override int Width => Vocabulary.Count + 1;
    public override string TypeName => "text";
    public override IEnumerable<string> SlotNames() => Vocabulary.Select(t => $"{Field}~{t}").Append(Field + "=missing");

    private static readonly char[] Separators = [' ', ',', '.', ';', ':', '/', '-', '&', '(', ')', '\t', '"', '\''];

    /// <summary>The text's tokens (see <see cref="TokenWalker"/>) as strings, for fitting the vocabulary.</summary>
    public static IEnumerable<string> Tokens(string text)
    {
        var tokens = new List<string>();
        foreach (var t in new TokenWalker(text.ToLowerInvariant(), new char[text.Length + 1])) tokens.Add(t.ToString());
        return tokens;
    }

    /// <summary>
    /// The tokens of lower-cased text: each word (split at <see cref="Separators"/>, empty words skipped) and each pair of
    /// neighbouring words as "word word", without allocating them. A pair is written into <c>pair</c>, which must hold
    /// the text's length plus one.
    /// </summary>
    private ref struct TokenWalker(ReadOnlySpan<char> lower, Span<char> pair)
    {
        private ReadOnlySpan<char> _rest = lower, _previous, _word;
        private readonly Span<char> _pair = pair;
        private bool _pairDue;

        public ReadOnlySpan<char> Current { get; private set; }
        public readonly TokenWalker GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_pairDue)
            {
                _pairDue = false;
                _previous.CopyTo(_pair);
                _pair[_previous.Length] = ' ';
                _word.CopyTo(_pair[(_previous.Length + 1)..]);
                Current = _pair[..(_previous.Length + 1 + _word.Length)];
                _previous = _word;
                return true;
            }
            while (!_rest.IsEmpty)
            {
                var end = _rest.IndexOfAny(SeparatorValues);
                var word = end < 0 ? _rest : _rest[..end];
                _rest = end < 0 ? default : _rest[(end + 1)..];
                if (word.IsEmpty) continue;
                if (_previous.IsEmpty) _previous = word;
                else
                {
                    _word = word;
                    _pairDue = true;
                }
                Current = word;
                return true;
            }
            return false;
        }
    }

    public static TextEncoder Fit(ColumnSpec col, List<string?> values, FeaturePlanOptions o)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            if (v is null) continue;
            foreach (var t in Tokens(v).Distinct()) counts[t] = counts.GetValueOrDefault(t) + 1;
        }
        var vocab = counts.Where(kv => kv.Value >= o.MinTokenCount).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(o.MaxTokens).Select(kv => kv.Key).ToList();
        return new TextEncoder { Field = col.Name, Vocabulary = vocab };
    }

    private static readonly System.Buffers.SearchValues<char> SeparatorValues = System.Buffers.SearchValues.Create(Separators);

    /// <summary>Sets the slot of every vocabulary token of the text, without allocating them (this runs for every scored lead).</summary>
    public override bool Encode(string? raw, Span<float> dest, DateTime? reference, out string? problem)
    {
        problem = null;
        dest.Clear();
        if (raw is null) { dest[Vocabulary.Count] = 1; return true; }
        var lookup = (_index ??= Vocabulary.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal))
            .GetAlternateLookup<ReadOnlySpan<char>>();
        char[]? rented = null;
        // Lower-cased text, then room for one "word word" bigram (never longer than the text plus one space).
        var buffer = raw.Length <= 256 ? stackalloc char[2 * raw.Length + 1] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(2 * raw.Length + 1));
        try
        {
            var lower = buffer[..raw.Length];
            raw.AsSpan().ToLowerInvariant(lower);
            foreach (var t in new TokenWalker(lower, buffer[raw.Length..]))
                if (lookup.TryGetValue(t, out var k)) dest[k] = 1;
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<char>.Shared.Return(rented);
        }
        return true;
    }
}

/// <summary>Age in days relative to the row's timestamp (for other date fields) and calendar parts.</summary>
public sealed class DatetimeEncoder : FieldEncoder
{
    public string? Format { get; init; }
    public bool IsTimestamp { get; init; }
    public override int Width => 5;
    public override string TypeName => "datetime";
    public override IEnumerable<string> SlotNames() => [Field + ":age_days", Field + ":month", Field + ":day_of_week", Field + ":hour", Field + "=missing"];

    public override bool Encode(string? raw, Span<float> dest, DateTime? reference, out string? problem)
    {
        problem = null;
        dest.Clear();
        if (raw is null) { dest[4] = 1; return true; }
        if (!ValueParsing.TryDate(raw, Format, out var d)) { problem = Format is null ? $"'{raw}' is not a date/time (ISO 8601 expected; without a format in the schema, '/' dates are read month first)" : $"'{raw}' is not a date/time ({Format} or ISO 8601 expected)"; return false; }
        dest[0] = IsTimestamp || reference is null ? 0 : (float)(reference.Value - d).TotalDays;
        dest[1] = d.Month;
        dest[2] = (int)d.DayOfWeek;
        dest[3] = d.Hour;
        return true;
    }
}

internal static class Invariant
{
    public static string Format(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
