using LeadPropensity.Core.Rules;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests;

/// <summary>Every rules.json mistake is rejected with a message naming the file, the rule and the fix.</summary>
public class RulesValidationTests
{
    private const string Ok = """{ "name": "ok", "when": { "field": "visits", "gte": 1 }, "points": 5 }""";
    private const string Ops = "eq, in, gt, gte, lt, lte, contains, exists, missing";

    private static string Error(string json) => Assert.Throws<RulesException>(() => RuleSet.Parse(json, "rules.json")).Message;

    /// <summary>A valid file whose second rule is <paramref name="rule"/>.</summary>
    private static string WithRule(string rule) => $$"""{ "thresholds": { "sql": 60, "mql": 30 }, "rules": [ {{Ok}}, {{rule}} ] }""";

    private static string WithTop(string top) => $$"""{ {{top}} "rules": [ {{Ok}} ] }""";

    [Theory]
    [InlineData("""{ "name": "pricing interest", "when": { "field": "pricing_page_views", "gtt": 3 }, "points": 10 }""",
        $"unknown operator 'gtt' (use {Ops})")]
    [InlineData("""{ "name": "p", "when": { "all": [ { "field": "a", "eq": 1 }, { "any": [ { "field": "b", "gtt": 3 } ] } ] }, "points": 1 }""",
        $"unknown operator 'gtt' (use {Ops}) (at when.all[1].any[0])")]
    [InlineData("""{ "name": "p", "when": { "field": "v", "gt": "ten" }, "points": 1 }""", "'gt' on 'v' needs a number, not \"ten\"")]
    [InlineData("""{ "name": "p", "when": { "field": "v", "lte": "10" }, "points": 1 }""", "'lte' on 'v' needs a number, not \"10\"")]
    [InlineData("""{ "name": "p", "when": { "not": { "field": "v", "gte": true } }, "points": 1 }""", "'gte' on 'v' needs a number, not true (at when.not)")]
    [InlineData("""{ "name": "p", "when": { "all": [] }, "points": 1 }""", "'all' is empty")]
    [InlineData("""{ "name": "p", "when": { "any": [ { "field": "a", "eq": 1 }, { "all": [] } ] }, "points": 1 }""", "'all' is empty (at when.any[1])")]
    [InlineData("""{ "name": "p", "when": { "any": [] }, "points": 1 }""", "'any' is empty")]
    [InlineData("""{ "name": "p", "when": { "any": { "field": "a", "eq": 1 } }, "points": 1 }""", "'any' must be a list of conditions")]
    [InlineData("""{ "name": "p", "when": { "all": [ { "field": "a", "eq": 1 } ], "field": "b" }, "points": 1 }""", "'all' cannot share a condition with 'field'")]
    [InlineData("""{ "name": "p", "when": "demo_requested", "points": 1 }""", "a condition must be an object like { \"field\": \"visits\", \"gte\": 10 }")]
    [InlineData("""{ "name": "p", "when": { "eq": 1 }, "points": 1 }""", "a condition needs a 'field' and an operator, or one of 'all', 'any', 'not'")]
    [InlineData("""{ "name": "p", "when": { "field": "", "eq": 1 }, "points": 1 }""", "'field' must be a non-empty string")]
    [InlineData("""{ "name": "p", "when": { "field": 3, "eq": 1 }, "points": 1 }""", "'field' must be a non-empty string")]
    [InlineData("""{ "name": "p", "when": { "field": "a" }, "points": 1 }""", $"the condition on 'a' has no operator (use {Ops})")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "exists": "yes" }, "points": 1 }""", "'exists' must be true or false")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "missing": 1 }, "points": 1 }""", "'missing' must be true or false")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "eq": ["x", "y"] }, "points": 1 }""", "'eq' on 'a' needs one text, number or true/false value (use 'in' for a list)")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "eq": null }, "points": 1 }""", "'eq' on 'a' needs one text, number or true/false value (use 'in' for a list)")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "in": "x" }, "points": 1 }""", "'in' on 'a' needs a list of text, number or true/false values")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "in": [] }, "points": 1 }""", "'in' on 'a' has an empty list")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "in": [{ "x": 1 }] }, "points": 1 }""", "'in' on 'a' needs a list of text, number or true/false values")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "contains": "" }, "points": 1 }""", "'contains' on 'a' has an empty text, which would match everything")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "contains": ["ceo", ""] }, "points": 1 }""", "'contains' on 'a' has an empty text, which would match everything")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "contains": [] }, "points": 1 }""", "'contains' on 'a' has an empty list")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "contains": [3] }, "points": 1 }""", "'contains' on 'a' needs a list of texts")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "contains": 3 }, "points": 1 }""", "'contains' on 'a' needs a list of texts")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "eq": 1 } }""", "a rule needs either 'points' or \"disqualify\": true")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "eq": 1 }, "points": 5, "disqualify": true }""", "a rule needs either 'points' or \"disqualify\": true")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "eq": 1 }, "disqualify": false }""", "'disqualify' can only be true (leave it out for a points rule)")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "eq": 1 }, "points": 0 }""", "'points' must be a non-zero number, not 0")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "eq": 1 }, "points": "10" }""", "'points' must be a non-zero number, not \"10\"")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "eq": 1 }, "points": 1, "text": "" }""", "'text' must be a non-empty string")]
    [InlineData("""{ "name": "p", "when": { "field": "a", "eq": 1 }, "point": 1 }""", "unknown key 'point' (use name, when, points, disqualify, text, description)")]
    [InlineData("""{ "name": "p", "points": 1 }""", "a rule needs a 'when' condition")]
    public void RuleErrorsNameTheRule(string rule, string problem)
    {
        var name = rule.Split('"')[3];
        Assert.Equal($"rules.json: rules[1] ('{name}'): {problem}", Error(WithRule(rule)));
    }

    [Fact]
    public void TheBriefsExampleMessageReadsAsPromised() =>
        Assert.StartsWith("rules.json: rules[1] ('pricing interest'): unknown operator 'gtt'",
            Error(WithRule("""{ "name": "pricing interest", "when": { "field": "pricing_page_views", "gtt": 3 }, "points": 10 }""")));

    [Theory]
    [InlineData("""{ "when": { "field": "a", "eq": 1 }, "points": 1 }""", "rules.json: rules[1]: a rule needs a 'name'")]
    [InlineData("""{ "name": " ", "when": { "field": "a", "eq": 1 }, "points": 1 }""", "rules.json: rules[1]: a rule needs a 'name'")]
    [InlineData("""[]""", "rules.json: rules[1]: a rule must be an object")]
    [InlineData("""{ "name": "OK", "when": { "field": "a", "eq": 1 }, "points": 1 }""", "rules.json: rules[1] ('OK'): the name is already used by rules[0]")]
    public void RulesNeedUniqueNames(string rule, string message) => Assert.Equal(message, Error(WithRule(rule)));

    [Theory]
    [InlineData("{ \"rules\": [", "rules.json: not valid JSON")]
    [InlineData("[]", "rules.json: the rules file must be a JSON object")]
    [InlineData("""{ "rules": [] }""", "rules.json: 'thresholds' is required, like { \"sql\": 60, \"mql\": 30 }")]
    [InlineData("""{ "thresholds": { "sql": 60, "mql": 30 } }""", "rules.json: 'rules' must be a list of rules")]
    [InlineData("""{ "thresholds": { "sql": 60, "mql": 30 }, "rules": [] }""", "rules.json: 'rules' is empty")]
    public void FileErrors(string json, string message) => Assert.StartsWith(message, Error(json));

    [Theory]
    [InlineData("\"thresholds\": { \"sql\": 60 },", "rules.json: thresholds: 'mql' must be a number of points, like { \"sql\": 60, \"mql\": 30 }")]
    [InlineData("\"thresholds\": { \"sql\": \"60\", \"mql\": 30 },", "rules.json: thresholds: 'sql' must be a number of points, like { \"sql\": 60, \"mql\": 30 }")]
    [InlineData("\"thresholds\": [60, 30],", "rules.json: 'thresholds' is required, like { \"sql\": 60, \"mql\": 30 }")]
    [InlineData("\"thresholds\": { \"sql\": 30, \"mql\": 60 },", "rules.json: thresholds: 'sql' (30) must be greater than 'mql' (60)")]
    [InlineData("\"thresholds\": { \"sql\": 40, \"mql\": 40 },", "rules.json: thresholds: 'sql' (40) must be greater than 'mql' (40)")]
    [InlineData("\"thresholds\": { \"sql\": 60, \"mql\": 30, \"hot\": 90 },", "rules.json: thresholds: unknown key 'hot' (use sql, mql)")]
    [InlineData("\"thresholds\": { \"sql\": 60, \"mql\": 30 }, \"treshold\": 1,", "rules.json: unknown key 'treshold' (use description, thresholds, bands, missingTokens, rules)")]
    [InlineData("\"thresholds\": { \"sql\": 60, \"mql\": 30 }, \"missingTokens\": \"NA\",", "rules.json: 'missingTokens' must be a list of strings")]
    [InlineData("\"thresholds\": { \"sql\": 60, \"mql\": 30 }, \"missingTokens\": [1],", "rules.json: 'missingTokens' must be a list of strings")]
    [InlineData("\"thresholds\": { \"sql\": 60, \"mql\": 30 }, \"bands\": [\"Hot\"],", "rules.json: 'bands' must be an object like { \"sql\": \"Hot\" }")]
    [InlineData("\"thresholds\": { \"sql\": 60, \"mql\": 30 }, \"bands\": { \"warm\": \"W\" },", "rules.json: bands: unknown key 'warm' (use sql, mql, nurture, disqualified)")]
    [InlineData("\"thresholds\": { \"sql\": 60, \"mql\": 30 }, \"bands\": { \"sql\": 1 },", "rules.json: bands: 'sql' must be a string")]
    [InlineData("\"thresholds\": { \"sql\": 60, \"mql\": 30 }, \"bands\": { \"mql\": \" \" },", "rules.json: bands: band name 'mql' is empty")]
    [InlineData("\"thresholds\": { \"sql\": 60, \"mql\": 30 }, \"bands\": { \"sql\": \"Hot\", \"mql\": \"hot\" },", "rules.json: bands: band names must differ: 'sql' and 'mql' are both 'Hot'")]
    public void TopLevelErrors(string top, string message) => Assert.Equal(message, Error(WithTop(top)));

    [Fact]
    public void LoadNamesAMissingFile()
    {
        var path = Path.Combine(RepoPaths.TempDir(), "nope.json");
        Assert.Equal($"rules file '{path}' does not exist", Assert.Throws<RulesException>(() => RuleSet.Load(path)).Message);
    }

    [Fact]
    public void LoadNamesTheFileInMessages()
    {
        var path = Path.Combine(RepoPaths.TempDir(), "my-rules.json");
        File.WriteAllText(path, """{ "thresholds": { "sql": 1, "mql": 2 }, "rules": [] }""");
        Assert.StartsWith("my-rules.json: thresholds:", Assert.Throws<RulesException>(() => RuleSet.Load(path)).Message);
    }

    [Fact]
    public void ValidateAgainstASchemaFindsUnknownFieldsLeaksAndNumericTestsOnOtherTypes()
    {
        var schema = LeadSchema.Parse("""
            { "label": { "column": "outcome" },
              "columns": [ { "name": "visits", "type": "numeric" }, { "name": "title", "type": "text" },
                           { "name": "budget", "type": "boolean" }, { "name": "reason", "type": "categorical", "availableAtScoring": false } ] }
            """);
        var rules = RuleSet.Parse("""
            { "thresholds": { "sql": 60, "mql": 30 }, "rules": [
              { "name": "fine", "when": { "all": [ { "field": "visits", "gt": 3 }, { "field": "title", "contains": "vp" }, { "field": "budget", "eq": true } ] }, "points": 5 },
              { "name": "typo", "when": { "field": "vists", "gt": 3 }, "points": 5 },
              { "name": "numeric text", "when": { "any": [ { "field": "title", "gte": 3 }, { "field": "budget", "lt": 1 } ] }, "points": 5 },
              { "name": "leak", "when": { "field": "reason", "exists": true }, "points": 5 },
              { "name": "label", "when": { "not": { "field": "outcome", "eq": "won" } }, "disqualify": true },
              { "name": "twice", "when": { "any": [ { "field": "nope", "eq": 1 }, { "field": "nope", "eq": 2 } ] }, "points": 1 }
            ] }
            """, "rules.json");
        Assert.Equal(
        [
            "rules.json: rules[1] ('typo'): field 'vists' is not in the schema",
            "rules.json: rules[2] ('numeric text'): 'gte' compares numbers, but 'title' is a text column",
            "rules.json: rules[2] ('numeric text'): 'lt' compares numbers, but 'budget' is a boolean column",
            "rules.json: rules[3] ('leak'): field 'reason' is not available at scoring (it is only known after the outcome)",
            "rules.json: rules[4] ('label'): field 'outcome' is the label: a rule on it would use the outcome",
            "rules.json: rules[5] ('twice'): field 'nope' is not in the schema",
        ], rules.Validate(schema));
    }
}
