using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Tests.Modeling;

/// <summary>Scoring encodes text without allocating tokens; it must set exactly the slots of the tokens training counted.</summary>
public class TextEncoderProperties
{
    private static Arbitrary<string> Titles() =>
        Gen.Elements("VP", "Sales", "head", "of", "HEAD", "Ünïcode", "İstanbul", "Straße", "", " ", ",", "-", "/", "&", "(c)", "x", "Director", "\t", "'", "\"")
            .ListOf().Select(parts => string.Join(" ", parts).Replace(" ,", ",")).ToArbitrary();

    [Property(MaxTest = 500)]
    public Property EncodeSetsTheSlotsOfTheTokens() =>
        Prop.ForAll(Titles(), Titles(), (seen, title) =>
        {
            // A vocabulary from another title and this one, so that some tokens are known and some are not.
            var vocabulary = TextEncoder.Tokens(seen).Concat(TextEncoder.Tokens(title).Where((_, i) => i % 2 == 0)).Distinct().ToList();
            var encoder = new TextEncoder { Field = "title", Vocabulary = vocabulary };
            var expected = new float[encoder.Width];
            foreach (var t in Reference(title))
                if (vocabulary.IndexOf(t) is var k and >= 0) expected[k] = 1;
            var got = Enumerable.Repeat(7f, encoder.Width).ToArray();
            return encoder.Encode(title, got, null, out _) && got.SequenceEqual(expected);
        });

    [Property(MaxTest = 500)]
    public Property TokensAreTheWordsAndEachPairOfNeighbours() =>
        Prop.ForAll(Titles(), title => TextEncoder.Tokens(title).Order(StringComparer.Ordinal).SequenceEqual(Reference(title).Order(StringComparer.Ordinal)));

    /// <summary>What a token is, written independently of the encoder: lower-cased words split at the separators (empty
    /// ones dropped), and "word word" for each pair of neighbouring words.</summary>
    private static List<string> Reference(string text)
    {
        var words = text.ToLowerInvariant().Split([' ', ',', '.', ';', ':', '/', '-', '&', '(', ')', '\t', '"', '\''], StringSplitOptions.RemoveEmptyEntries);
        return [.. words, .. words.Zip(words.Skip(1), (a, b) => a + " " + b)];
    }

    [Fact]
    public void LongTitlesAreEncodedToo()
    {
        var title = string.Join(" ", Enumerable.Repeat("Senior Vice President", 40)) + " of Sales";
        var encoder = new TextEncoder { Field = "title", Vocabulary = ["senior", "vice president", "of sales", "president senior", "sales"] };
        var x = new float[encoder.Width];
        Assert.True(encoder.Encode(title, x, null, out _));
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 0f], x);
    }
}
