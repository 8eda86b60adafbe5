using System.Buffers;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Core.Explanations;
using LeadPropensity.Serving.Extensions;
using LeadPropensity.Serving.Predict;
using LeadPropensity.Tests;

namespace LeadPropensity.Serving.Tests;

/// <summary>
/// /predict's answer (and each answer of a JSON batch) is written by <see cref="PredictAnswerWriter"/>, not the
/// source-generated serializer. The two must write the same bytes for every answer: every text (escapes, non-ASCII,
/// nulls) and every number, whether a short decimal written the fast way or any other double.
/// </summary>
public class PredictAnswerWriterProperties
{
    private static readonly Gen<string> Text =
        TextGen.Of("a", "Z", "7", " ", "\"", "\\", "/", "\n", "\t", "\u0001", "\u007F", "é", "€", "😀", "<", "&", "'", "+", "`");

    private static readonly Gen<string?> MaybeText = Gen.Frequency((4, Text.Select(t => (string?)t)), (1, Gen.Constant((string?)null)));

    /// <summary>Doubles as answers hold them (rounded to four or six places) and any others, with the edges of the fast path.</summary>
    private static readonly Gen<double> Number = Gen.Frequency(
        (4, Gen.Choose(-1_000_000, 1_000_000).Select(k => Math.Round(k / 1e6, 4))),
        (3, Gen.Choose(0, 1_000_000).Select(k => Math.Round(k / 1e6, 6))),
        (2, Gen.Choose(int.MinValue, int.MaxValue).Two().Select(t => BitConverter.Int64BitsToDouble(((long)t.Item1 << 32) | (uint)t.Item2)).Where(double.IsFinite)),
        (2, Gen.Choose(-12, 12).Two().Select(t => Math.Round(t.Item1 * Math.Pow(10, t.Item2) + t.Item2 / 7.0, Math.Abs(t.Item2) % 8))),
        (1, Gen.Elements(0.0, -0.0, 1e-4, -1e-4, 9.9999e-5, 1e-5, 1e-7, 0.5, 1, 999_999.999999, 1e6, 1_000_000.5, 123_456.75, 1e-300, 1e300,
            double.Epsilon, double.MaxValue, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, 0.000123456789)));

    private static readonly Gen<Reason> Reason =
        from field in Text
        from value in MaybeText
        from effect in Number
        from text in Text
        select new Reason(field, value, effect, text);

    private static readonly Gen<PredictResponse> Answer =
        from lead in MaybeText
        from probability in Gen.Frequency((5, Number.Select(p => (double?)p)), (1, Gen.Constant((double?)null)))
        from score in Gen.Choose(-5, 105)
        from band in Text
        from source in Text
        from version in MaybeText
        from reasons in Reason.ListOf()
        from warnings in Text.ListOf()
        select new PredictResponse(lead, probability, score, band, source, version, reasons.ToArray(), warnings.ToArray());

    private static byte[] Written(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, JsonBodyWriter.Options)) write(w);
        return buffer.WrittenSpan.ToArray();
    }

    [Property(MaxTest = 2000)]
    public Property EveryAnswerIsWrittenAsTheSerializerWritesIt() =>
        Prop.ForAll(Answer.ToArbitrary(), a =>
            Written(w => PredictAnswerWriter.Write(w, a)).AsSpan()
                .SequenceEqual(Written(w => JsonSerializer.Serialize(w, a, ServingJsonContext.Default.PredictResponse))));

    /// <summary>Every effect an answer can hold (four places between −1 and 1), and a spread of six-place probabilities.</summary>
    [Fact]
    public void EveryRoundedEffectAndProbabilityIsTheShortestRoundTrip()
    {
        var values = Enumerable.Range(-10_000, 20_001).Select(k => Math.Round(k / 1e4, 4))
            .Concat(Enumerable.Range(0, 100_001).Select(k => Math.Round(k * 10 / 1e6, 6)))
            .Concat(Enumerable.Range(0, 1_000).Select(k => Math.Round((k * 7_919 % 1_000_000) / 1e6 + 1e-6, 6)));
        Span<byte> fast = stackalloc byte[ShortDecimal.MaxLength];
        var taken = 0;
        foreach (var v in values)
        {
            var expected = Written(w => w.WriteNumberValue(v));
            if (ShortDecimal.TryFormat(v, fast, out var n))
            {
                taken++;
                Assert.True(fast[..n].SequenceEqual(expected), $"{v:R}: wrote {System.Text.Encoding.UTF8.GetString(fast[..n])}, the serializer {System.Text.Encoding.UTF8.GetString(expected)}");
            }
            else Assert.True(Math.Abs(v) < 1e-4, $"{v:R} was left to the general formatting");
        }
        Assert.True(taken > 120_000, $"only {taken} values took the fast path");
    }
}
