using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests.Schema;

/// <summary>
/// The schema's missing-token check (by length first) says of every value what comparing it, trimmed, with each token
/// ignoring case says.
/// </summary>
public class MissingTokenSetProperties
{
    private static readonly Gen<string> Text =
        TextGen.Of("", " ", "n", "N", "a", "A", "/", "l", "u", "-", "?", "é", "x");

    private static bool ComparedWithEachToken(IReadOnlyList<string> tokens, string? value) =>
        value is null || tokens.Any(t => value.AsSpan().Trim().Equals(t, StringComparison.OrdinalIgnoreCase));

    [Property(MaxTest = 3000)]
    public Property AgreesWithComparingEachToken() =>
        Prop.ForAll(Text.ListOf().ToArbitrary(), Gen.Frequency((1, Gen.Constant<string?>(null)), (9, Text.Select(t => (string?)t))).ToArbitrary(),
            (tokens, value) =>
            {
                var schema = new LeadSchema { Label = new LabelSpec { Column = "won" }, Columns = [], MissingTokens = [.. tokens] };
                var expected = ComparedWithEachToken(tokens, value);
                return new MissingTokenSet(tokens).IsMissing(value) == expected && schema.IsMissing(value) == expected;
            });

    [Fact]
    public void ASchemaKeepsItsTokensAndMatcherTogether()
    {
        var schema = new LeadSchema { Label = new LabelSpec { Column = "won" }, Columns = [] };
        Assert.True(schema.IsMissing(" n/a "));
        var other = schema with { MissingTokens = ["-"] };
        Assert.False(other.IsMissing("N/A"));
        Assert.True(other.IsMissing(" - "));
        // Equal as before: the same tokens give equal schemas, other tokens do not.
        Assert.Equal(schema, new LeadSchema { Label = schema.Label, Columns = schema.Columns });
        IReadOnlyList<string> tokens = ["-", "?"];
        Assert.Equal(schema with { MissingTokens = tokens }, schema with { MissingTokens = tokens });
        Assert.NotEqual(schema, other);
    }

    [Theory]
    [InlineData(" na ", true)]
    [InlineData("N/A", true)]
    [InlineData("", true)]
    [InlineData(null, true)]
    [InlineData("NAN", false)]
    [InlineData("direct", false)]
    [InlineData("SELECT", true)]
    public void TheDefaultTokens(string? value, bool missing) =>
        Assert.Equal(missing, new MissingTokenSet(LeadSchema.DefaultMissingTokens).IsMissing(value));

    [Fact]
    public void ATokenOfSixtyFourCharactersOrMoreIsStillFound()
    {
        var token = new string('x', 70);
        Assert.True(new MissingTokenSet([token]).IsMissing(token.ToUpperInvariant()));
        Assert.False(new MissingTokenSet(["NA"]).IsMissing(token));
    }
}
