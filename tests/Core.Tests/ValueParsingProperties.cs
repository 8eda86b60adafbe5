using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests;

/// <summary>The ISO 8601 fast path must read every date exactly as the general, format-by-format parser does.</summary>
public class ValueParsingProperties
{
    private static readonly string[] Forms =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.fff", "yyyy-MM-ddTHH:mm:ss.fffffffZ",
        "yyyy-MM-ddTHH:mm:ss.fZ", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss+HH:mm",
        "yyyy-MM-ddTHH:mm:ss.ffff-HH:mm", "yyyy-MM-dd HH:mm:ssZ",
    ];

    /// <summary>A date written in one of the forms CRMs send, sometimes with one character changed, dropped or added.</summary>
    private static Arbitrary<string> DateTexts() =>
        (from ticks in Gen.Choose(0, int.MaxValue).Select(k => DateTime.MinValue.Ticks + (long)(k / (double)int.MaxValue * (DateTime.MaxValue.Ticks - DateTime.MinValue.Ticks)))
         from form in Gen.Elements(Forms)
         from offsetMinutes in Gen.Choose(-15 * 60, 15 * 60)
         from mutate in Gen.Choose(0, 3)
         from at in Gen.Choose(0, 40)
         from c in Gen.Elements('0', '9', '3', '1', '-', ':', 'T', ' ', 'Z', '+', '.', 'x', '6')
         select Mutate(Write(new DateTime(ticks), form, offsetMinutes), mutate, at, c)).ToArbitrary();

    private static string Write(DateTime d, string form, int offsetMinutes)
    {
        var offset = $"{(offsetMinutes < 0 ? '-' : '+')}{Math.Abs(offsetMinutes) / 60:00}:{Math.Abs(offsetMinutes) % 60:00}";
        return d.ToString(form.Replace("+HH:mm", "'OFF'").Replace("-HH:mm", "'OFF'"), System.Globalization.CultureInfo.InvariantCulture).Replace("OFF", offset);
    }

    private static string Mutate(string s, int how, int at, char c)
    {
        at = Math.Min(at, s.Length - 1);
        return how switch { 1 => s.Remove(at, 1).Insert(at, c.ToString()), 2 => s.Remove(at, 1), 3 => s.Insert(at, c.ToString()), _ => s };
    }

    [Property(MaxTest = 3000)]
    public Property TheFastPathAgreesWithTheGeneralParser() =>
        Prop.ForAll(DateTexts(), text =>
        {
            var general = ValueParsing.TryDateByFormats(text, null, out var expected);
            var fast = ValueParsing.TryIsoDate(text.AsSpan().Trim(), out var got);
            var overall = ValueParsing.TryDate(text, out var value);
            // Whatever the fast path reads, the general parser reads the same; what it declines, TryDate still reads.
            return (!fast || (general && got == expected && got.Kind == expected.Kind))
                   && overall == general && (!overall || (value == expected && value.Kind == expected.Kind));
        });

    /// <summary>Number-like text: digits, signs, points, exponents, spaces, other characters, of lengths around the fast path's nine digits.</summary>
    private static Arbitrary<string> NumberTexts() =>
        TextGen.Of("0", "1", "7", "9", "0", "5", "-", "+", ".", "e", " ", "\t", "x", ",", "\u0663").ToArbitrary();

    [Property(MaxTest = 5000)]
    public Property WholeNumbersReadDigitByDigitAreWhatTheGeneralParserReads() =>
        Prop.ForAll(NumberTexts(), text =>
        {
            var ok = double.TryParse(text.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var expected)
                     && double.IsFinite(expected);
            var got = ValueParsing.TryNumber(text, out var value);
            return got == ok && (!ok || BitConverter.DoubleToInt64Bits(value) == BitConverter.DoubleToInt64Bits(expected));
        });

    [Theory]
    [InlineData("7", 7.0)]
    [InlineData(" 000000042 ", 42.0)]
    [InlineData("999999999", 999999999.0)]
    [InlineData("1234567890", 1234567890.0)] // ten digits: the general parser
    [InlineData("-0", -0.0)]
    [InlineData("4.4", 4.4)]
    public void NumbersAreRead(string text, double expected)
    {
        Assert.True(ValueParsing.TryNumber(text, out var value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    [Theory]
    [InlineData("2025-01-01T00:42:45Z", "2025-01-01T00:42:45.0000000Z")]
    [InlineData(" 2025-03-31 ", "2025-03-31T00:00:00.0000000Z")]
    [InlineData("2024-02-29T23:59:59.1234567+02:30", "2024-02-29T21:29:59.1234567Z")]
    [InlineData("2025-06-30 08:15", "2025-06-30T08:15:00.0000000Z")]
    public void CommonFormsAreReadByTheFastPathAsUtc(string text, string utc)
    {
        Assert.True(ValueParsing.TryIsoDate(text.AsSpan().Trim(), out var d));
        Assert.Equal(DateTimeKind.Utc, d.Kind);
        Assert.Equal(utc, d.ToString("O"));
    }

    [Theory]
    [InlineData("2025-02-29")]
    [InlineData("2025-13-01T00:00:00Z")]
    [InlineData("2025-01-01T24:00:00Z")]
    [InlineData("2025-01-01T10:00:60Z")]
    [InlineData("2025-01-01T10:00:00.Z")]
    [InlineData("2025-01-01T10:00:00+15:00")]
    public void ImpossibleDatesAreLeftToTheGeneralParser(string text) => Assert.False(ValueParsing.TryIsoDate(text, out _));
}
