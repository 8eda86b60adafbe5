using LeadPropensity.Core.Rules;

namespace LeadPropensity.Core.Tests;

/// <summary>Each operator and combinator, true and false, on raw string values as a CRM sends them.</summary>
public class RulesEngineTests
{
    /// <summary>A rule set with one 10-point rule named "r" whose condition is <paramref name="when"/>.</summary>
    internal static RuleSet One(string when, string extra = "") => RuleSet.Parse($$"""
        { "thresholds": { "sql": 60, "mql": 30 }, {{extra}}
          "rules": [ { "name": "r", "when": {{when}}, "points": 10 } ] }
        """);

    private static bool Matches(string when, params (string Field, string? Value)[] values) =>
        One(when, "\"missingTokens\": [\"Select\", \"unknown\"],").Evaluate(values.ToDictionary(v => v.Field, v => v.Value)).Matched.Count == 1;

    [Theory]
    [InlineData("""{ "field": "f", "eq": "Google" }""", "google", true)]
    [InlineData("""{ "field": "f", "eq": "Google" }""", " GOOGLE ", true)]
    [InlineData("""{ "field": "f", "eq": "Google" }""", "Googles", false)]
    [InlineData("""{ "field": "f", "eq": true }""", "yes", true)]
    [InlineData("""{ "field": "f", "eq": true }""", "1", true)]
    [InlineData("""{ "field": "f", "eq": true }""", "True", true)]
    [InlineData("""{ "field": "f", "eq": true }""", "Y", true)]
    [InlineData("""{ "field": "f", "eq": true }""", "no", false)]
    [InlineData("""{ "field": "f", "eq": true }""", "2", false)]
    [InlineData("""{ "field": "f", "eq": false }""", "0", true)]
    [InlineData("""{ "field": "f", "eq": false }""", "yes", false)]
    [InlineData("""{ "field": "f", "eq": "yes" }""", "true", true)]
    [InlineData("""{ "field": "f", "eq": 10 }""", "10.0", true)]
    [InlineData("""{ "field": "f", "eq": 10 }""", "1e1", true)]
    [InlineData("""{ "field": "f", "eq": 10 }""", "10.5", false)]
    [InlineData("""{ "field": "f", "in": ["partner", "Referral"] }""", "referral", true)]
    [InlineData("""{ "field": "f", "in": ["partner", "Referral"] }""", "social", false)]
    [InlineData("""{ "field": "f", "in": [1, "1-10"] }""", "1-10", true)]
    [InlineData("""{ "field": "f", "gt": 10 }""", "10.01", true)]
    [InlineData("""{ "field": "f", "gt": 10 }""", "10", false)]
    [InlineData("""{ "field": "f", "gte": 10 }""", "10", true)]
    [InlineData("""{ "field": "f", "gte": 10 }""", "9.999", false)]
    [InlineData("""{ "field": "f", "lt": -0.3 }""", "-0.31", true)]
    [InlineData("""{ "field": "f", "lt": -0.3 }""", "-0.3", false)]
    [InlineData("""{ "field": "f", "lte": -0.3 }""", "-0.3", true)]
    [InlineData("""{ "field": "f", "lte": -0.3 }""", "-0.29", false)]
    [InlineData("""{ "field": "f", "contains": "student" }""", "PhD Student", true)]
    [InlineData("""{ "field": "f", "contains": "student" }""", "Studio Lead", false)]
    [InlineData("""{ "field": "f", "contains": ["ceo", "head of"] }""", "Head Of Sales", true)]
    [InlineData("""{ "field": "f", "contains": ["ceo", "head of"] }""", "Sales Head", false)]
    [InlineData("""{ "field": "f", "exists": true }""", "anything", true)]
    [InlineData("""{ "field": "f", "exists": true }""", "", false)]
    [InlineData("""{ "field": "f", "exists": false }""", "", true)]
    [InlineData("""{ "field": "f", "missing": true }""", "Select", true)]
    [InlineData("""{ "field": "f", "missing": true }""", "x", false)]
    [InlineData("""{ "field": "f", "missing": false }""", "x", true)]
    public void OperatorsMatchRawValues(string when, string value, bool expected) =>
        Assert.Equal(expected, Matches(when, ("f", value)));

    [Theory]
    [InlineData("1,000")]   // thousands separators are not invariant numbers
    [InlineData("10 visits")]
    [InlineData("ten")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("0x10")]
    public void NonNumbersNeverMatchANumericComparison(string value)
    {
        foreach (var op in new[] { "gt", "gte", "lt", "lte" })
            foreach (var operand in new[] { "-1e300", "0", "1e300" })
                Assert.False(Matches($$"""{ "field": "f", "{{op}}": {{operand}} }""", ("f", value)), $"{op} {operand} on '{value}'");
    }

    [Theory]
    [InlineData(" 12 ")]
    [InlineData("12.")]
    [InlineData("+12")]
    [InlineData("1.2e1")]
    [InlineData("12.000")]
    public void InvariantNumbersParseWithWhitespaceSignsAndExponents(string value)
    {
        Assert.True(Matches("""{ "field": "f", "gte": 12 }""", ("f", value)));
        Assert.False(Matches("""{ "field": "f", "gt": 12 }""", ("f", value)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Select")]
    [InlineData("UNKNOWN")]
    public void MissingValuesOnlyMatchMissing(string? value)
    {
        foreach (var when in new[] { """{ "field": "f", "eq": "" }""", """{ "field": "f", "eq": "Select" }""", """{ "field": "f", "lt": 1 }""",
                     """{ "field": "f", "contains": "e" }""", """{ "field": "f", "exists": true }""", """{ "field": "f", "in": ["unknown"] }""" })
            Assert.False(Matches(when, ("f", value)), when);
        Assert.True(Matches("""{ "field": "f", "missing": true }""", ("f", value)));
        Assert.True(Matches("""{ "not": { "field": "f", "eq": "yes" } }""", ("f", value)));
    }

    [Fact]
    public void AnAbsentFieldIsMissing()
    {
        Assert.True(Matches("""{ "field": "f", "missing": true }""", ("other", "1")));
        Assert.False(Matches("""{ "field": "f", "exists": true }""", ("other", "1")));
    }

    [Fact]
    public void MissingTokensAreOnlyThoseListed()
    {
        var rules = One("""{ "field": "f", "exists": true }""");
        Assert.Single(rules.Evaluate(new Dictionary<string, string?> { ["f"] = "Select" }).Matched);
        Assert.Empty(rules.Evaluate(new Dictionary<string, string?> { ["f"] = "" }).Matched);
    }

    [Theory]
    [InlineData("5", "yes", true)]
    [InlineData("5", "no", false)]
    [InlineData("0", "yes", false)]
    public void AllNeedsEveryCondition(string visits, string demo, bool expected) =>
        Assert.Equal(expected, Matches("""{ "all": [ { "field": "v", "gt": 1 }, { "field": "d", "eq": true } ] }""", ("v", visits), ("d", demo)));

    [Theory]
    [InlineData("5", "no", true)]
    [InlineData("0", "yes", true)]
    [InlineData("0", "no", false)]
    [InlineData(null, null, false)]
    public void AnyNeedsOneCondition(string? visits, string? demo, bool expected) =>
        Assert.Equal(expected, Matches("""{ "any": [ { "field": "v", "gt": 1 }, { "field": "d", "eq": true } ] }""", ("v", visits), ("d", demo)));

    [Theory]
    [InlineData("yes", "CEO", "0", true)]
    [InlineData("yes", "Analyst", "0", false)]
    [InlineData("yes", "Analyst", "12", true)]
    [InlineData("no", "CEO", "12", false)]
    public void CombinatorsNest(string demo, string title, string visits, bool expected) =>
        Assert.Equal(expected, Matches("""
            { "all": [ { "field": "d", "eq": true },
                       { "any": [ { "field": "t", "contains": ["ceo", "chief"] }, { "field": "v", "gte": 10 } ] } ] }
            """, ("d", demo), ("t", title), ("v", visits)));

    [Theory]
    [InlineData("no", true)]
    [InlineData("yes", false)]
    public void NotInverts(string value, bool expected) =>
        Assert.Equal(expected, Matches("""{ "not": { "field": "f", "eq": true } }""", ("f", value)));

    [Theory]
    [InlineData("4", false)]
    [InlineData("5", true)]
    [InlineData("9", true)]
    [InlineData("10", false)]
    public void SeveralOperatorsOnOneFieldMakeARange(string value, bool expected) =>
        Assert.Equal(expected, Matches("""{ "field": "f", "gte": 5, "lt": 10 }""", ("f", value)));
}
