using System.Text.RegularExpressions;
using LeadPropensity.Core.Csv;

namespace LeadPropensity.Core.Schema;

/// <summary>One column's proposed role and why, plus anything a person should review.</summary>
public sealed record ColumnDecision(string Name, string Decision, string Reason, double MissingShare, int Distinct, string? Warning);

public sealed record SchemaProposal(LeadSchema Schema, IReadOnlyList<ColumnDecision> Decisions, int Rows, int Positives);

/// <summary>Proposes a schema for any CSV export: each column's type from its values, the id, the timestamp and likely leaks.</summary>
public static partial class SchemaInferrer
{
    private static readonly (string T, string F)[] BooleanPairs =
        [("yes", "no"), ("true", "false"), ("1", "0"), ("y", "n"), ("t", "f")];

    [GeneratedRegex(@"(^|[_\s\-])(closed?|close_?date|won|lost|outcome|result|reason|stage|status|converted|churn|deal|revenue|amount|lost_?reason|tags?)([_\s\-]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex PostOutcomeName();

    [GeneratedRegex(@"(^|[_\s\-])(id|uuid|guid|key|number|no)$", RegexOptions.IgnoreCase)]
    private static partial Regex IdName();

    public static SchemaProposal Infer(CsvTable table, string labelColumn, IReadOnlyList<string>? positive = null, IReadOnlyList<string>? missingTokens = null)
    {
        var labelIdx = table.RequireColumn(labelColumn, "label");
        var tokens = missingTokens ?? LeadSchema.DefaultMissingTokens;
        var probe = new LeadSchema
        {
            Label = positive is { Count: > 0 } ? new LabelSpec { Column = labelColumn, Positive = positive } : new LabelSpec { Column = labelColumn },
            MissingTokens = tokens,
            Columns = [new ColumnSpec { Name = labelColumn, Type = ColumnType.Ignore }],
        };
        var labels = table.Rows.Select(r => probe.MapLabel(r[labelIdx])).ToArray();
        var positives = labels.Count(l => l == true);
        var n = table.Rows.Count;

        var decisions = new List<ColumnDecision>();
        var columns = new List<ColumnSpec>();
        string? id = null, timestamp = null;

        for (var c = 0; c < table.Headers.Count; c++)
        {
            var name = table.Headers[c];
            if (c == labelIdx)
            {
                decisions.Add(new ColumnDecision(name, "label", $"given as the label; {positives} of {n} rows positive", 0, Distinct(table, c, probe).Count, null));
                continue;
            }
            var values = new List<string>(n);
            var filledPos = 0; var filledNeg = 0;
            for (var r = 0; r < n; r++)
            {
                var raw = table.Rows[r][c];
                if (probe.IsMissing(raw)) continue;
                values.Add(raw);
                if (labels[r] == true) filledPos++; else filledNeg++;
            }
            var missingShare = n == 0 ? 0 : 1.0 - (double)values.Count / n;
            var distinct = new HashSet<string>(values, StringComparer.Ordinal);
            var (type, reason, isId) = Classify(name, values, distinct, n);
            if (isId && id is null) { id = name; reason += "; proposed as the id"; }
            if (type == ColumnType.Datetime && timestamp is null && missingShare < 0.05) { timestamp = name; reason += "; proposed as the timestamp"; }

            var (warning, fillLeak) = LeakWarning(name, filledPos, filledNeg, positives, n - positives);
            // A fill pattern tied to the label is strong evidence: propose it as not available at scoring. A name alone only warns.
            var available = !(fillLeak && type != ColumnType.Ignore);
            columns.Add(new ColumnSpec { Name = name, Type = type, AvailableAtScoring = available });
            decisions.Add(new ColumnDecision(name, type.ToString().ToLowerInvariant() + (available ? "" : " (not at scoring)"), reason, missingShare, distinct.Count, warning));
        }

        var schema = new LeadSchema { Label = probe.Label, Id = id, Timestamp = timestamp, MissingTokens = tokens, Columns = columns };
        return new SchemaProposal(schema, decisions, n, positives);
    }

    private static HashSet<string> Distinct(CsvTable t, int c, LeadSchema s) =>
        t.Rows.Select(r => r[c]).Where(v => !s.IsMissing(v)).ToHashSet(StringComparer.Ordinal);

    private static (ColumnType, string, bool) Classify(string name, List<string> values, HashSet<string> distinct, int rows)
    {
        if (values.Count == 0) return (ColumnType.Ignore, "always missing", false);
        if (distinct.Count == 1) return (ColumnType.Ignore, $"constant ('{distinct.First()}')", false);

        if (distinct.Count == 2)
        {
            var lower = distinct.Select(v => v.Trim().ToLowerInvariant()).ToHashSet();
            foreach (var (t, f) in BooleanPairs)
                if (lower.SetEquals([t, f])) return (ColumnType.Boolean, $"two values {t}/{f}", false);
        }

        var numeric = values.All(v => ValueParsing.TryNumber(v, out _));
        if (numeric)
        {
            var integers = values.All(v => ValueParsing.TryNumber(v, out var d) && Math.Abs(d - Math.Round(d)) < 1e-12);
            if (integers && distinct.Count == values.Count && values.Count == rows && rows > 20 && IdName().IsMatch(name))
                return (ColumnType.Ignore, "unique integer per row, named like an id", true);
            return (ColumnType.Numeric, $"all {values.Count} values are numbers ({distinct.Count} distinct)", false);
        }

        if (values.All(v => ValueParsing.TryDate(v, out _)))
            return (ColumnType.Datetime, "all values are dates/times", false);

        if (distinct.Count == values.Count && values.Count > 20)
        {
            var multiword = values.Average(WordCount) >= 2.5;
            if (!multiword) return (ColumnType.Ignore, "unique per row (an identifier)", true);
        }

        var avgWords = values.Average(WordCount);
        var avgLength = values.Average(v => v.Length);
        if ((distinct.Count > 30 && avgWords >= 1.6) || avgLength > 40)
            return (ColumnType.Text, $"free text: {distinct.Count} distinct values, {avgWords:F1} words on average", false);
        if (distinct.Count > 1000 && distinct.Count > 0.5 * values.Count)
            return (ColumnType.Ignore, $"{distinct.Count} distinct single-word values: too many to be a category", false);
        return (ColumnType.Categorical, $"{distinct.Count} distinct values", false);
    }

    private static double WordCount(string s) => s.Split([' ', '\t', '-', '/'], StringSplitOptions.RemoveEmptyEntries).Length;

    private static (string?, bool) LeakWarning(string name, int filledPos, int filledNeg, int positives, int negatives)
    {
        var reasons = new List<string>();
        var fillLeak = false;
        if (PostOutcomeName().IsMatch(name)) reasons.Add("its name suggests it is filled after the outcome");
        if (positives > 0 && negatives > 0)
        {
            var fp = (double)filledPos / positives;
            var fn = (double)filledNeg / negatives;
            var hi = Math.Max(fp, fn); var lo = Math.Min(fp, fn);
            if (hi - lo >= 0.3 && (lo < 0.05 || hi / Math.Max(lo, 1e-9) >= 2))
            {
                reasons.Add($"it is filled for {fp:P0} of positives but {fn:P0} of negatives");
                fillLeak = true;
            }
        }
        return (reasons.Count == 0 ? null : "possible post-outcome leak, review: " + string.Join("; ", reasons), fillLeak);
    }
}
