using System.Text.Json;
using LeadPropensity.Core.Bands;

namespace LeadPropensity.Core.Rules;

/// <summary>Reads rules.json by hand so that each error names the file, the rule and what to fix.</summary>
internal static class RuleSetParser
{
    private static readonly string[] TopKeys = ["description", "thresholds", "bands", "missingTokens", "rules"];
    private static readonly string[] RuleKeys = ["name", "when", "points", "disqualify", "text", "description"];

    public static RuleSet Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new RulesException($"{source}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new RulesException($"{source}: the rules file must be a JSON object");
            UnknownKeys(root, TopKeys, source);
            var thresholds = Thresholds(root, source);
            var bands = Bands(root, source);
            var missing = root.TryGetProperty("missingTokens", out var mt) ? Strings(mt, $"{source}: 'missingTokens'") : [];

            if (!root.TryGetProperty("rules", out var rs) || rs.ValueKind != JsonValueKind.Array)
                throw new RulesException($"{source}: 'rules' must be a list of rules");
            var rules = new List<Rule>();
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var r in rs.EnumerateArray())
            {
                var i = rules.Count;
                var rule = ParseRule(r, $"{source}: rules[{i}]");
                if (seen.TryGetValue(rule.Name, out var first))
                    throw new RulesException($"{source}: rules[{i}] ('{rule.Name}'): the name is already used by rules[{first}]");
                seen[rule.Name] = i;
                rules.Add(rule);
            }
            if (rules.Count == 0) throw new RulesException($"{source}: 'rules' is empty");
            return new RuleSet(rules, thresholds, bands, missing, source);
        }
    }

    private static Rule ParseRule(JsonElement r, string where)
    {
        if (r.ValueKind != JsonValueKind.Object) throw new RulesException($"{where}: a rule must be an object");
        if (!r.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(n.GetString()))
            throw new RulesException($"{where}: a rule needs a 'name'");
        var name = n.GetString()!.Trim();
        where = $"{where} ('{name}')";
        UnknownKeys(r, RuleKeys, where);

        if (!r.TryGetProperty("when", out var w)) throw new RulesException($"{where}: a rule needs a 'when' condition");
        Condition when;
        try { when = ConditionParser.Parse(w, "when"); }
        catch (ConditionParser.Error e) { throw new RulesException($"{where}: {e.Message}"); }

        var hasPoints = r.TryGetProperty("points", out var p);
        var disqualifies = false;
        if (r.TryGetProperty("disqualify", out var d))
        {
            if (d.ValueKind != JsonValueKind.True) throw new RulesException($"{where}: 'disqualify' can only be true (leave it out for a points rule)");
            disqualifies = true;
        }
        if (hasPoints == disqualifies) throw new RulesException($"{where}: a rule needs either 'points' or \"disqualify\": true");
        var points = 0.0;
        if (hasPoints && (p.ValueKind != JsonValueKind.Number || !p.TryGetDouble(out points) || points == 0 || !double.IsFinite(points)))
            throw new RulesException($"{where}: 'points' must be a non-zero number, not {p.GetRawText()}");

        string? text = null;
        if (r.TryGetProperty("text", out var t))
        {
            if (t.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(t.GetString())) throw new RulesException($"{where}: 'text' must be a non-empty string");
            text = t.GetString();
        }
        return new Rule(name, when, points, disqualifies, text ?? when.Describe());
    }

    private static RuleThresholds Thresholds(JsonElement root, string source)
    {
        const string Example = "{ \"sql\": 60, \"mql\": 30 }";
        if (!root.TryGetProperty("thresholds", out var t) || t.ValueKind != JsonValueKind.Object)
            throw new RulesException($"{source}: 'thresholds' is required, like {Example}");
        UnknownKeys(t, ["sql", "mql"], $"{source}: thresholds");
        double Read(string key) =>
            t.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var x) && double.IsFinite(x) ? x
            : throw new RulesException($"{source}: thresholds: '{key}' must be a number of points, like {Example}");
        var sql = Read("sql");
        var mql = Read("mql");
        if (sql <= mql) throw new RulesException($"{source}: thresholds: 'sql' ({sql}) must be greater than 'mql' ({mql})");
        return new RuleThresholds(sql, mql);
    }

    private static BandNames Bands(JsonElement root, string source)
    {
        if (!root.TryGetProperty("bands", out var b)) return BandNames.Default;
        if (b.ValueKind != JsonValueKind.Object) throw new RulesException($"{source}: 'bands' must be an object like {{ \"sql\": \"Hot\" }}");
        UnknownKeys(b, ["sql", "mql", "nurture", "disqualified"], $"{source}: bands");
        string Name(string key, string fallback)
        {
            if (!b.TryGetProperty(key, out var v)) return fallback;
            return v.ValueKind == JsonValueKind.String ? v.GetString()!.Trim() : throw new RulesException($"{source}: bands: '{key}' must be a string");
        }
        var d = BandNames.Default;
        var names = new BandNames(Name("sql", d.Sql), Name("mql", d.Mql), Name("nurture", d.Nurture), Name("disqualified", d.Disqualified));
        return names.Problem() is { } problem ? throw new RulesException($"{source}: bands: {problem}") : names;
    }

    private static List<string> Strings(JsonElement e, string where) =>
        e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)
            ? e.EnumerateArray().Select(x => x.GetString()!).ToList()
            : throw new RulesException($"{where} must be a list of strings");

    private static void UnknownKeys(JsonElement e, string[] known, string where)
    {
        foreach (var p in e.EnumerateObject())
            if (!known.Contains(p.Name, StringComparer.Ordinal))
                throw new RulesException($"{where}: unknown key '{p.Name}' (use {string.Join(", ", known)})");
    }
}
