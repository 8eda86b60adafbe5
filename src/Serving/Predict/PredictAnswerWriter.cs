using System.Globalization;
using System.Text.Json;

namespace LeadPropensity.Serving.Predict;

/// <summary>
/// Writes a <see cref="PredictResponse"/> exactly as the source-generated serializer does (a test holds the two to the
/// same bytes), but with its numbers formatted as the short decimals they are: the probability is rounded to six
/// places and each effect to four, and formatting those seven doubles the general way (shortest round-trip) was a third
/// of writing the whole answer.
/// </summary>
internal static class PredictAnswerWriter
{
    private static readonly JsonEncodedText LeadId = JsonEncodedText.Encode("leadId"), Probability = JsonEncodedText.Encode("probability"),
        Score = JsonEncodedText.Encode("score"), Band = JsonEncodedText.Encode("band"), Source = JsonEncodedText.Encode("source"),
        ModelVersion = JsonEncodedText.Encode("modelVersion"), Reasons = JsonEncodedText.Encode("reasons"), Warnings = JsonEncodedText.Encode("warnings"),
        Field = JsonEncodedText.Encode("field"), Value = JsonEncodedText.Encode("value"), Effect = JsonEncodedText.Encode("effect"), Text = JsonEncodedText.Encode("text");

    public static void Write(Utf8JsonWriter w, PredictResponse r)
    {
        w.WriteStartObject();
        w.WriteString(LeadId, r.LeadId);
        if (r.Probability is { } p) Number(w, Probability, p);
        else w.WriteNull(Probability);
        w.WriteNumber(Score, r.Score);
        w.WriteString(Band, r.Band);
        w.WriteString(Source, r.Source);
        w.WriteString(ModelVersion, r.ModelVersion);
        w.WriteStartArray(Reasons);
        for (var i = 0; i < r.Reasons.Count; i++)
        {
            var reason = r.Reasons[i];
            w.WriteStartObject();
            w.WriteString(Field, reason.Field);
            w.WriteString(Value, reason.Value);
            Number(w, Effect, reason.Effect);
            w.WriteString(Text, reason.Text);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray(Warnings);
        for (var i = 0; i < r.Warnings.Count; i++) w.WriteStringValue(r.Warnings[i]);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, JsonEncodedText name, double value)
    {
        Span<byte> text = stackalloc byte[ShortDecimal.MaxLength];
        if (ShortDecimal.TryFormat(value, text, out var length))
        {
            w.WritePropertyName(name);
            w.WriteRawValue(text[..length], skipInputValidation: true);
        }
        else w.WriteNumber(name, value);
    }
}

/// <summary>
/// A double that is a decimal of at most six places, between 0.0001 and a million in size, written as that decimal. That
/// is exactly what the shortest round-trip formatting writes for it. The decimal parses back to the double, and no
/// shorter string can, because two decimals of at most 15 significant digits never round to the same double. .NET also
/// writes plain (not exponent) notation in that range. Any other value is left to the general formatting.
/// </summary>
internal static class ShortDecimal
{
    /// <summary>A sign, six whole digits, the point, six decimals.</summary>
    public const int MaxLength = 14;

    public static bool TryFormat(double value, Span<byte> dest, out int length)
    {
        length = 0;
        var a = Math.Abs(value);
        if (!(a >= 1e-4 && a < 1e6) || dest.Length < MaxLength) return false;
        var millionths = Math.Round(a * 1e6);
        if (millionths / 1e6 != a) return false;
        var k = (long)millionths;
        var (places, scale) = (6, 1_000_000L);
        while (places > 0 && k % 10 == 0) { k /= 10; places--; scale /= 10; }
        if (value < 0) dest[length++] = (byte)'-';
        (k / scale).TryFormat(dest[length..], out var whole, default, CultureInfo.InvariantCulture);
        length += whole;
        if (places == 0) return true;
        dest[length] = (byte)'.';
        var fraction = k % scale;
        for (var i = places; i >= 1; i--)
        {
            dest[length + i] = (byte)('0' + fraction % 10);
            fraction /= 10;
        }
        length += places + 1;
        return true;
    }
}
