using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests.Schema;

/// <summary>Scoring's missing-token check (by length first) says of every value what the schema's own check says.</summary>
public class MissingTokenSetProperties
{
    private static readonly Gen<string> Text =
        TextGen.Of("", " ", "n", "N", "a", "A", "/", "l", "u", "-", "?", "é", "x");

    [Property(MaxTest = 3000)]
    public Property AgreesWithTheSchema() =>
        Prop.ForAll(Text.ListOf().ToArbitrary(), Gen.Frequency((1, Gen.Constant<string?>(null)), (9, Text.Select(t => (string?)t))).ToArbitrary(),
            (tokens, value) =>
            {
                var schema = new LeadSchema { Label = new LabelSpec { Column = "won" }, Columns = [], MissingTokens = [.. tokens] };
                return new MissingTokenSet(tokens).IsMissing(value) == schema.IsMissing(value);
            });

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
