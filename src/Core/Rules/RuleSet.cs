using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Explanations;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Rules;

/// <summary>
/// A point-based lead scoring policy read from rules.json: rules add or take away points or disqualify,
/// the point total sets the band. Immutable and safe to share between threads.
/// </summary>
public sealed class RuleSet
{
    internal RuleSet(IReadOnlyList<Rule> rules, RuleThresholds thresholds, BandNames bands, IReadOnlyList<string> missingTokens, string source)
    {
        Rules = rules;
        Thresholds = thresholds;
        Bands = bands;
        MissingTokens = missingTokens;
        Source = source;
        _tokens = [.. missingTokens.Select(t => t.Trim())];
        _disqualifiers = [.. rules.Where(r => r.Disqualifies)];
    }

    // Looked up on every scored lead: the tokens trimmed once, and the disqualifiers apart from the point rules.
    private readonly string[] _tokens;
    private readonly Rule[] _disqualifiers;

    public IReadOnlyList<Rule> Rules { get; }
    public RuleThresholds Thresholds { get; }
    public BandNames Bands { get; }
    /// <summary>Values that count as missing besides null, empty and blank.</summary>
    public IReadOnlyList<string> MissingTokens { get; }
    /// <summary>Where the rules came from; prefixes every message.</summary>
    public string Source { get; }

    public static RuleSet Load(string path)
    {
        if (!File.Exists(path)) throw new RulesException($"rules file '{path}' does not exist");
        return Parse(File.ReadAllText(path), Path.GetFileName(path));
    }

    public static RuleSet Parse(string json, string source = "rules.json") => RuleSetParser.Parse(json, source);

    public RuleResult Evaluate(IReadOnlyDictionary<string, string?> lead)
    {
        var view = new LeadValues(lead, _tokens);
        var matched = new List<RuleMatch>();
        foreach (var rule in Rules)
            if (rule.When.Matches(view))
                matched.Add(new RuleMatch(rule.Name, rule.Points, rule.Disqualifies, rule.Field, view.Raw(rule.Field), rule.Text));

        var points = matched.Sum(m => m.Points);
        var disqualifiedBy = matched.FirstOrDefault(m => m.Disqualifies)?.Rule;
        var band = Bands.Assign(points, Thresholds.Mql, Thresholds.Sql, disqualifiedBy is not null);
        var reasons = matched
            .OrderByDescending(m => m.Disqualifies).ThenByDescending(m => Math.Abs(m.Points))
            .Select(m => new Reason(m.Field, m.Value, m.Points, m.Disqualifies ? $"disqualified: {m.Text}" : m.Text))
            .ToList();
        return new RuleResult(points, band, disqualifiedBy, matched, reasons, disqualifiedBy is null ? ScoreOf(points) : 0);
    }

    /// <summary>The first disqualifying rule that matches, or null: what a model's answer needs, without the point rules.</summary>
    public string? DisqualifiedBy(IReadOnlyDictionary<string, string?> lead)
    {
        var view = new LeadValues(lead, _tokens);
        foreach (var rule in _disqualifiers)
            if (rule.When.Matches(view)) return rule.Name;
        return null;
    }

    /// <summary>
    /// Maps points to a 0–100 score for ranking (and so for an AUC): a logistic curve centred on the MQL
    /// threshold (score 50) whose width is set by the SQL threshold (score 88, two logistic units higher).
    /// It orders leads exactly as points do; it is not a calibrated probability.
    /// </summary>
    public double ScoreOf(double points)
    {
        var z = 2 * (points - Thresholds.Mql) / (Thresholds.Sql - Thresholds.Mql);
        return 100 / (1 + Math.Exp(-z));
    }

    /// <summary>Problems with these rules against a schema: unknown fields, leaks, numeric tests on non-numeric columns.</summary>
    public IReadOnlyList<string> Validate(LeadSchema schema)
    {
        var problems = new List<string>();
        for (var i = 0; i < Rules.Count; i++)
        {
            var where = $"{Source}: rules[{i}] ('{Rules[i].Name}')";
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var test in Rules[i].When.FieldTests)
            {
                var column = schema.Find(test.Field);
                string? problem = null;
                if (test.Field == schema.Label.Column) problem = $"field '{test.Field}' is the label: a rule on it would use the outcome";
                else if (column is null) problem = $"field '{test.Field}' is not in the schema";
                else if (!column.AvailableAtScoring) problem = $"field '{test.Field}' is not available at scoring (it is only known after the outcome)";
                else if (FieldCondition.IsNumeric(test.Operator) && column.Type != ColumnType.Numeric)
                    problem = $"'{test.Operator.ToString().ToLowerInvariant()}' compares numbers, but '{test.Field}' is a {column.Type.ToString().ToLowerInvariant()} column";
                if (problem is not null && reported.Add(problem)) problems.Add($"{where}: {problem}");
            }
        }
        return problems;
    }
}
