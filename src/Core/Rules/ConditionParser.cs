using System.Text.Json;

namespace LeadPropensity.Core.Rules;

/// <summary>Reads a rule's <c>when</c>; every error says what is wrong and, inside all/any/not, where.</summary>
internal static class ConditionParser
{
    internal sealed class Error(string message) : Exception(message);

    private static readonly Dictionary<string, RuleOperator> Operators = new(StringComparer.Ordinal)
    {
        ["eq"] = RuleOperator.Eq, ["in"] = RuleOperator.In, ["gt"] = RuleOperator.Gt, ["gte"] = RuleOperator.Gte,
        ["lt"] = RuleOperator.Lt, ["lte"] = RuleOperator.Lte, ["contains"] = RuleOperator.Contains,
        ["exists"] = RuleOperator.Exists, ["missing"] = RuleOperator.Missing,
    };

    private static readonly string[] Combinators = ["all", "any", "not"];
    private static readonly string OperatorList = string.Join(", ", Operators.Keys);

    public static Condition Parse(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw Fail(path, "a condition must be an object like { \"field\": \"visits\", \"gte\": 10 }");
        var keys = e.EnumerateObject().Select(p => p.Name).ToList();
        if (keys.FirstOrDefault(k => Combinators.Contains(k)) is { } combinator)
        {
            if (keys.Count > 1)
                throw Fail(path, $"'{combinator}' cannot share a condition with {string.Join(", ", keys.Where(k => k != combinator).Select(k => $"'{k}'"))}");
            var inner = e.GetProperty(combinator);
            if (combinator == "not") return new NotCondition(Parse(inner, $"{path}.not"));
            if (inner.ValueKind != JsonValueKind.Array) throw Fail(path, $"'{combinator}' must be a list of conditions");
            var items = inner.EnumerateArray().Select((c, i) => Parse(c, $"{path}.{combinator}[{i}]")).ToList();
            if (items.Count == 0) throw Fail(path, $"'{combinator}' is empty");
            return combinator == "all" ? new AllCondition(items) : new AnyCondition(items);
        }
        if (!e.TryGetProperty("field", out var f))
            throw Fail(path, "a condition needs a 'field' and an operator, or one of 'all', 'any', 'not'");
        if (f.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(f.GetString()))
            throw Fail(path, "'field' must be a non-empty string");
        var field = f.GetString()!;
        var tests = new List<Condition>();
        foreach (var p in e.EnumerateObject().Where(p => p.Name != "field"))
        {
            if (!Operators.TryGetValue(p.Name, out var op))
                throw Fail(path, $"unknown operator '{p.Name}' (use {OperatorList})");
            tests.Add(Leaf(field, op, p.Name, p.Value, path));
        }
        return tests.Count switch
        {
            0 => throw Fail(path, $"the condition on '{field}' has no operator (use {OperatorList})"),
            1 => tests[0],
            _ => new AllCondition(tests), // { "field": "x", "gte": 1, "lt": 5 } reads as a range
        };
    }

    private static FieldCondition Leaf(string field, RuleOperator op, string name, JsonElement v, string path)
    {
        switch (op)
        {
            case RuleOperator.Exists or RuleOperator.Missing:
                if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    throw Fail(path, $"'{name}' must be true or false");
                var wantsMissing = (op == RuleOperator.Missing) == v.GetBoolean();
                return new FieldCondition(field, wantsMissing ? RuleOperator.Missing : RuleOperator.Exists, []);
            case RuleOperator.Gt or RuleOperator.Gte or RuleOperator.Lt or RuleOperator.Lte:
                if (v.ValueKind != JsonValueKind.Number)
                    throw Fail(path, $"'{name}' on '{field}' needs a number, not {v.GetRawText()}");
                return new FieldCondition(field, op, [v.GetRawText()]);
            case RuleOperator.Eq:
                if (Scalar(v) is not { } one) throw Fail(path, $"'eq' on '{field}' needs one text, number or true/false value (use 'in' for a list)");
                return new FieldCondition(field, op, [one]);
            case RuleOperator.In:
                return new FieldCondition(field, op, List(v, name, field, path, Scalar, "text, number or true/false values"));
            default:
                List<string> words = v.ValueKind == JsonValueKind.String ? [v.GetString()!] : List(v, name, field, path, Text, "texts");
                if (words.Any(string.IsNullOrEmpty)) throw Fail(path, $"'contains' on '{field}' has an empty text, which would match everything");
                return new FieldCondition(field, op, words);
        }
    }

    private static List<string> List(JsonElement v, string name, string field, string path, Func<JsonElement, string?> item, string what)
    {
        if (v.ValueKind != JsonValueKind.Array) throw Fail(path, $"'{name}' on '{field}' needs a list of {what}");
        var list = v.EnumerateArray().Select(item).ToList();
        if (list.Count == 0) throw Fail(path, $"'{name}' on '{field}' has an empty list");
        if (list.Any(x => x is null)) throw Fail(path, $"'{name}' on '{field}' needs a list of {what}");
        return list.Select(x => x!).ToList();
    }

    private static string? Text(JsonElement v) => v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static Error Fail(string path, string message) => new(path == "when" ? message : $"{message} (at {path})");
}
