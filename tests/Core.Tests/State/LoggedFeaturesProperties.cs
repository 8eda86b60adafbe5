using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Core.State;

namespace LeadPropensity.Core.Tests.State;

/// <summary>
/// The prediction log keeps names and values apart (so a store can keep each list of names once); the object made from
/// them again must be byte for byte the one written at once, for any names and values.
/// </summary>
public class LoggedFeaturesProperties
{
    // Names and values from a small alphabet with quotes, backslashes, control and non-ASCII characters (escaped in JSON),
    // so that escapes are common; values are sometimes null; names may repeat in a list.
    private static readonly Gen<string> Text =
        TextGen.Of("a", "B", "7", " ", "\"", "\\", "\n", "é", "€", "<", "'", "+", "&", "`", "\u0001", "\u007F", "😀");

    private static Arbitrary<List<KeyValuePair<string, string?>>> Leads() =>
        Gen.Zip(Text, Gen.Frequency((1, Gen.Constant<string?>(null)), (4, Text.Select(t => (string?)t))))
            .Select(p => new KeyValuePair<string, string?>(p.Item1, p.Item2))
            .ListOf().Select(l => l.ToList()).ToArbitrary();

    private static byte[] WrittenAtOnce(IEnumerable<KeyValuePair<string, string?>> features)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (k, v) in features)
            {
                if (v is null) w.WriteNull(k);
                else w.WriteString(k, v);
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // Values made only of characters JSON writes as themselves are copied rather than written by Utf8JsonWriter: every ASCII
    // character, alone and inside plain text, must come out as the writer writes it (escaped or not).
    [Fact]
    public void EveryAsciiCharacterIsStoredAsUtf8JsonWriterWritesIt()
    {
        static byte[] Written(string v)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartArray();
                w.WriteStringValue(v);
                w.WriteNullValue();
                w.WriteEndArray();
            }
            return buffer.WrittenSpan.ToArray();
        }
        for (var c = 0; c < 0x80; c++)
            foreach (var v in new[] { ((char)c).ToString(), $"Sales {(char)c} Team Lead 201-1000" })
                Assert.Equal(Written(v), LoggedFeatures.Write([new("f", v), new("g", null)]).Values.ToArray());
    }

    [Property]
    public Property TheObjectMadeFromNamesAndValuesIsTheOneWrittenAtOnce() =>
        Prop.ForAll(Leads(), lead =>
        {
            var logged = LoggedFeatures.Write(lead);
            var names = FieldNames.Parse(logged.Names.Json);
            return logged.Names.Names.SequenceEqual(lead.Select(p => p.Key)) && names.Names.SequenceEqual(logged.Names.Names) &&
                   logged.Utf8.Span.SequenceEqual(WrittenAtOnce(lead)) &&
                   LoggedFeatures.Compose(names.Names, logged.Values.Span).AsSpan().SequenceEqual(WrittenAtOnce(lead));
        });

    [Property]
    public Property ListsOfTheSameNamesAreOneInstanceWithOneIdAndOtherListsAnother() =>
        Prop.ForAll(Leads(), Leads(), (a, b) =>
        {
            var first = LoggedFeatures.Write(a).Names;
            var again = LoggedFeatures.Write(a.Select(p => new KeyValuePair<string, string?>(p.Key, "other"))).Names;
            var other = LoggedFeatures.Write(b).Names;
            var sameNames = a.Select(p => p.Key).SequenceEqual(b.Select(p => p.Key));
            return ReferenceEquals(first, again) && first.Id >= 0 && (sameNames ? other.Id == first.Id : other.Id != first.Id);
        });

    [Fact]
    public void ALeadWithFewerMoreOrOtherNamesThanTheLastOneGetsItsOwnList()
    {
        KeyValuePair<string, string?> F(string name) => new(name, "v");
        string Names(LoggedFeatures f) => string.Join(",", f.Names.Names);
        // Each against the list the one before it left on this thread: a prefix, a longer list, a change in the middle.
        Assert.Equal("a,b,c", Names(LoggedFeatures.Write([F("a"), F("b"), F("c")])));
        Assert.Equal("a,b", Names(LoggedFeatures.Write([F("a"), F("b")])));
        Assert.Equal("a,b,c", Names(LoggedFeatures.Write([F("a"), F("b"), F("c")])));
        Assert.Equal("a,x,c", Names(LoggedFeatures.Write([F("a"), F("x"), F("c")])));
        Assert.Equal("", Names(LoggedFeatures.Write([])));
        Assert.Equal("A,x,c", Names(LoggedFeatures.Write([F("A"), F("x"), F("c")])));
        Assert.Equal("""{"A":"v","x":"v","c":"v"}""", System.Text.Encoding.UTF8.GetString(LoggedFeatures.Write([F("A"), F("x"), F("c")]).Utf8.Span));
    }

    [Theory]
    [InlineData("""{"a":"1"}""")]
    [InlineData("""["1"]""")]
    [InlineData("""["1","2","3"]""")]
    [InlineData("""[1,"2"]""")]
    [InlineData("""["1",{}]""")]
    [InlineData("""["1","2"] x""")]
    public void ValuesThatDoNotFitTheNamesAreRefused(string values)
    {
        var e = Assert.Throws<InvalidDataException>(() => LoggedFeatures.Compose(["a", "b"], System.Text.Encoding.UTF8.GetBytes(values)));
        Assert.Contains("2 strings or nulls", e.Message);
    }
}
