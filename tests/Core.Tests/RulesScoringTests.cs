using LeadPropensity.Core.Rules;

namespace LeadPropensity.Core.Tests;

/// <summary>Points, bands, disqualifiers, reasons and the ranking score of a rule set.</summary>
public class RulesScoringTests
{
    private const string Policy = """
        {
          "thresholds": { "sql": 60, "mql": 30 },
          "rules": [
            { "name": "demo", "when": { "field": "demo_requested", "eq": true }, "points": 40, "text": "requested a demo" },
            { "name": "senior", "when": { "field": "job_title", "contains": ["chief", "vp"] }, "points": 20 },
            { "name": "visits", "when": { "field": "visits", "gte": 10 }, "points": 10 },
            { "name": "cold", "when": { "all": [ { "field": "trend", "lt": -0.3 }, { "field": "visits", "gte": 1 } ] }, "points": -25 },
            { "name": "student", "when": { "field": "job_title", "contains": "student" }, "disqualify": true },
            { "name": "competitor", "when": { "field": "company", "eq": "Rival Inc" }, "disqualify": true, "text": "works for a competitor" }
          ]
        }
        """;

    private static readonly RuleSet Rules = RuleSet.Parse(Policy);

    private static RuleResult Eval(params (string Field, string? Value)[] values) =>
        Rules.Evaluate(values.ToDictionary(v => v.Field, v => v.Value));

    [Fact]
    public void PointsAddUpAndSetTheBand()
    {
        var r = Eval(("demo_requested", "yes"), ("job_title", "Chief Revenue Officer"), ("visits", "3"));
        Assert.Equal(60, r.Points);
        Assert.Equal("SQL", r.Band);
        Assert.Null(r.DisqualifiedBy);
        Assert.False(r.Disqualified);
        Assert.Equal(["demo", "senior"], r.Matched.Select(m => m.Rule));
    }

    [Theory]
    [InlineData("yes", "Analyst", "12", "-0.5", 25, "Nurture")]
    [InlineData("yes", "Analyst", "3", "0", 40, "MQL")]
    [InlineData("no", "VP Sales", "12", "0", 30, "MQL")]                 // exactly the MQL threshold
    [InlineData("no", "VP Sales", "3", "0", 20, "Nurture")]
    [InlineData("yes", "VP Sales", "0", "0", 60, "SQL")]                  // exactly the SQL threshold
    [InlineData("no", "Analyst", "2", "-1", -25, "Nurture")]
    public void ReachingAThresholdExactlyEarnsTheHigherBand(string demo, string title, string visits, string trend, double points, string band)
    {
        var r = Eval(("demo_requested", demo), ("job_title", title), ("visits", visits), ("trend", trend));
        Assert.Equal(points, r.Points);
        Assert.Equal(band, r.Band);
    }

    [Fact]
    public void ADisqualifierWinsOverAnyNumberOfPoints()
    {
        var r = Eval(("demo_requested", "yes"), ("job_title", "Chief Student Officer"), ("visits", "50"));
        Assert.Equal(70, r.Points);
        Assert.Equal("Disqualified", r.Band);
        Assert.Equal("student", r.DisqualifiedBy);
        Assert.True(r.Disqualified);
        Assert.Equal(0, r.Score);
        Assert.Equal(["demo", "senior", "visits", "student"], r.Matched.Select(m => m.Rule));
    }

    [Fact]
    public void TheFirstMatchingDisqualifierIsNamed()
    {
        var r = Eval(("job_title", "MBA Student"), ("company", "rival inc"));
        Assert.Equal("student", r.DisqualifiedBy);
        Assert.Equal(2, r.Reasons.Count(x => x.Text.StartsWith("disqualified: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void ReasonsCarryFieldValuePointsAndTextOnePerMatchedRule()
    {
        var r = Eval(("demo_requested", "Yes"), ("job_title", "VP Sales"), ("visits", "12"), ("trend", "-0.8"));
        Assert.Equal(4, r.Reasons.Count);
        // Largest effect first; the combined rule is filed under the first field it tests.
        Assert.Equal(new Explanations.Reason("demo_requested", "Yes", 40, "requested a demo"), r.Reasons[0]);
        Assert.Equal(new Explanations.Reason("trend", "-0.8", -25, "trend < -0.3 and visits >= 1"), r.Reasons[1]);
        Assert.Equal(new Explanations.Reason("job_title", "VP Sales", 20, "job_title contains 'chief' or 'vp'"), r.Reasons[2]);
        Assert.Equal(new Explanations.Reason("visits", "12", 10, "visits >= 10"), r.Reasons[3]);
    }

    [Fact]
    public void ADisqualifierReasonComesFirstWithNoEffect()
    {
        var r = Eval(("demo_requested", "yes"), ("company", "Rival Inc"));
        Assert.Equal(new Explanations.Reason("company", "Rival Inc", 0, "disqualified: works for a competitor"), r.Reasons[0]);
        Assert.Equal(40, r.Reasons[1].Effect);
    }

    [Fact]
    public void NoMatchMeansNoPointsNoReasonsAndNurture()
    {
        var r = Eval(("demo_requested", "no"));
        Assert.Equal(0, r.Points);
        Assert.Equal("Nurture", r.Band);
        Assert.Empty(r.Matched);
        Assert.Empty(r.Reasons);
    }

    [Fact]
    public void ScoreIsALogisticOfPointsCentredOnTheMqlThreshold()
    {
        Assert.Equal(50, Rules.ScoreOf(30), 10);
        Assert.Equal(100 / (1 + Math.Exp(-2)), Rules.ScoreOf(60), 10);
        Assert.Equal(100 / (1 + Math.Exp(2)), Rules.ScoreOf(0), 10);
        Assert.InRange(Rules.ScoreOf(1000), 99.99, 100);
        Assert.InRange(Rules.ScoreOf(-1000), 0, 0.01);
        var points = new[] { -50.0, -10, 0, 5, 29.9, 30, 45, 60, 90, 200 };
        var scores = points.Select(Rules.ScoreOf).ToArray();
        Assert.Equal(scores.Order(), scores);
        Assert.Equal(scores.Length, scores.Distinct().Count());
        Assert.Equal(Rules.ScoreOf(40), Eval(("demo_requested", "yes")).Score, 10);
    }

    [Fact]
    public void DefaultTextDescribesTheCondition()
    {
        static string Text(string when) => RulesEngineTests.One(when).Rules[0].Text;
        Assert.Equal("f is yes", Text("""{ "field": "f", "eq": "yes" }"""));
        Assert.Equal("f is true", Text("""{ "field": "f", "eq": true }"""));
        Assert.Equal("f is one of a, b", Text("""{ "field": "f", "in": ["a", "b"] }"""));
        Assert.Equal("f > 1", Text("""{ "field": "f", "gt": 1 }"""));
        Assert.Equal("f <= 2.5", Text("""{ "field": "f", "lte": 2.5 }"""));
        Assert.Equal("f is known", Text("""{ "field": "f", "exists": true }"""));
        Assert.Equal("f is missing", Text("""{ "field": "f", "exists": false }"""));
        Assert.Equal("f is yes or (g < 0 and not (h contains 'x'))",
            Text("""{ "any": [ { "field": "f", "eq": "yes" }, { "all": [ { "field": "g", "lt": 0 }, { "not": { "field": "h", "contains": "x" } } ] } ] }"""));
    }

    [Fact]
    public void BandNamesAreConfigurable()
    {
        var rules = RuleSet.Parse("""
            { "thresholds": { "sql": 2, "mql": 1 }, "bands": { "sql": "Hot", "nurture": "Cold", "disqualified": "Out" },
              "rules": [ { "name": "a", "when": { "field": "x", "gte": 0 }, "points": 1 },
                         { "name": "b", "when": { "field": "x", "gte": 1 }, "points": 1 },
                         { "name": "no", "when": { "field": "x", "lt": 0 }, "disqualify": true } ] }
            """);
        string Band(string x) => rules.Evaluate(new Dictionary<string, string?> { ["x"] = x }).Band;
        Assert.Equal("Hot", Band("1"));
        Assert.Equal("MQL", Band("0"));
        Assert.Equal("Cold", Band(""));
        Assert.Equal("Out", Band("-1"));
    }
}
