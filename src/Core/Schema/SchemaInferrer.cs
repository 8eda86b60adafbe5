using System.Text.RegularExpressions;
using LeadPropensity.Core.Csv;

namespace LeadPropensity.Core.Schema;

/// <summary>One column's proposed role and why, plus anything a person should review.</summary>
public sealed record ColumnDecision(string Name, string Decision, string Reason, double MissingShare, int Distinct, string? Warning);

/// <param name="Decided">Rows whose label is an outcome (won or lost): what <paramref name="Positives"/> is a share of.</param>
/// <param name="LeftOut">Rows whose label is proposed as open (no outcome yet).</param>
/// <param name="LabelNote">How each label value is read, when the label has more than two values; null otherwise.</param>
public sealed record SchemaProposal(LeadSchema Schema, IReadOnlyList<ColumnDecision> Decisions, int Rows, int Positives, int Decided, int LeftOut, string? LabelNote);

/// <summary>Proposes a schema for any CSV export: each column's type from its values, the id, the timestamp and likely leaks.</summary>
public static partial class SchemaInferrer
{
    private static readonly (string T, string F)[] BooleanPairs =
        [("yes", "no"), ("true", "false"), ("1", "0"), ("y", "n"), ("t", "f")];

    [GeneratedRegex(@"(^|[_\s\-])(closed?|close_?date|won|lost|outcome|result|reason|stage|status|converted|churn|deal|revenue|amount|lost_?reason|tags?|modified(_?on)?|updated(_?(at|on))?)([_\s\-]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex PostOutcomeName();

    /// <summary>
    /// Numbers as spreadsheets and locales format them: a currency sign before or after ("$1,000.00", "1.234,56 €"),
    /// thousands grouped by commas, dots or spaces ("25,000", "25 000"), a decimal comma ("85360,02", "1,43") or a percent
    /// sign ("12%", "12,5 %").
    /// </summary>
    [GeneratedRegex(@"^[-+]?(?:[$€£¥]\s?)?(?:\d{1,3}(?:[,. \u00A0]\d{3})+(?:[.,]\d+)?|\d+,\d+|\d+(?:\.\d+)?)(?:\s?(?:[$€£¥%]|EUR|USD|GBP))?$")]
    private static partial Regex FormattedNumber();

    /// <summary>A number written with a leading zero ("01234"): a code such as a postal code, whose zeros a number would drop.</summary>
    [GeneratedRegex(@"^0\d+$")]
    private static partial Regex LeadingZero();

    [GeneratedRegex(@"(^|[_\s\-])(id|uuid|guid|key|number|no)$", RegexOptions.IgnoreCase)]
    private static partial Regex IdName();

    /// <summary>A date that starts with day and month in either order (03/05/2025, 3.5.25, 03-05-2025), not ISO's year first.</summary>
    [GeneratedRegex(@"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}(\s|$)")]
    private static partial Regex DayMonthYear();

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
        var n = table.Rows.Count;
        if (n > 0 && !table.Rows.Any(r => probe.ReadLabel(r[labelIdx]) == LabelOutcome.Won)) throw new SchemaException(NoPositives(table, labelIdx, probe));
        var labelNote = ProposeOutcomes(table, labelIdx, ref probe);
        var outcomes = table.Rows.Select(r => probe.ReadLabel(r[labelIdx])).ToArray();
        // Only won and lost rows are trained on, so only they count in the rates and fill patterns below.
        var labels = outcomes.Select(o => o switch { LabelOutcome.Won => true, LabelOutcome.Lost => (bool?)false, _ => null }).ToArray();
        var positives = labels.Count(l => l == true);
        var decided = labels.Count(l => l is not null);
        var leftOut = outcomes.Count(o => o == LabelOutcome.Open);
        var strays = new List<string>();

        var decisions = new List<ColumnDecision>();
        var columns = new List<ColumnSpec>();
        string? id = null, timestamp = null;

        for (var c = 0; c < table.Headers.Count; c++)
        {
            var name = table.Headers[c];
            if (c == labelIdx)
            {
                var leftOutText = leftOut > 0 ? $"; {leftOut} rows with no outcome yet (open) left out" : "";
                decisions.Add(new ColumnDecision(name, "label", $"given as the label; {positives} of {decided} rows positive{leftOutText}", 0, Distinct(table, c, probe).Count, null));
                continue;
            }
            var values = new List<string>(n);
            var filledPos = 0; var filledNeg = 0;
            for (var r = 0; r < n; r++)
            {
                var raw = table.Rows[r][c];
                if (probe.IsMissing(raw)) continue;
                values.Add(raw);
                if (labels[r] == true) filledPos++; else if (labels[r] == false) filledNeg++;
            }
            var missingShare = n == 0 ? 0 : 1.0 - (double)values.Count / n;
            var distinct = new HashSet<string>(values, StringComparer.Ordinal);
            var (type, reason, isId, format) = Classify(name, values, distinct, n);
            if (type == ColumnType.Numeric && MostlyNumbers(values) is { Count: > 0 } others)
            {
                // A few placeholders ("-", "none") in a column of numbers are missing values, not a reason to make
                // hundreds of number strings into categories: they join the schema's missing tokens.
                strays.AddRange(others);
                reason += $"; {string.Join(", ", others.Select(o => $"'{o}'"))} taken as missing (added to missingTokens)";
            }

            if (isId && id is null) { id = name; reason += "; proposed as the id"; }
            if (type == ColumnType.Datetime && timestamp is null && missingShare < 0.05) { timestamp = name; reason += "; proposed as the timestamp"; }

            var (warning, fillLeak) = LeakWarning(name, filledPos, filledNeg, positives, decided - positives);
            if (type is ColumnType.Categorical or ColumnType.Boolean && SeparatesTheLabel(table, c, labels, probe) is { } split)
            {
                // A few values that each belong to one outcome alone ("Qualified" only on won leads) are a status
                // written when the outcome was: the strongest evidence an export gives.
                warning = (warning is null ? "possible post-outcome leak, review: " : warning + "; ") + split;
                fillLeak = true;
            }
            // A fill pattern tied to the label is strong evidence: propose it as not available at scoring. A name alone only warns.
            var available = !(fillLeak && type != ColumnType.Ignore);
            columns.Add(new ColumnSpec { Name = name, Type = type, AvailableAtScoring = available, Format = format });
            decisions.Add(new ColumnDecision(name, type.ToString().ToLowerInvariant() + (available ? "" : " (not at scoring)"), reason, missingShare, distinct.Count, warning));
        }

        var allTokens = strays.Count == 0 ? tokens : [.. tokens, .. strays.Distinct(StringComparer.OrdinalIgnoreCase).Where(t => !probe.IsMissing(t))];
        var schema = new LeadSchema { Label = probe.Label, Id = id, Timestamp = timestamp, MissingTokens = allTokens, Columns = columns };
        return new SchemaProposal(schema, decisions, n, positives, decided, leftOut, labelNote);
    }

    /// <summary>
    /// Label values that mean a lead is still being worked: the value, or its part before " - ", ":", "(" or "/", is or
    /// begins with one of these words ("Open - Not Contacted", "Working", "In progress"). Kept short on purpose:
    /// anything else, "Unqualified" included, is an outcome, and the note asks a person to check.
    /// </summary>
    public static readonly IReadOnlyList<string> UndecidedWords = ["open", "new", "working", "pending", "in progress", "contacted", "nurturing"];

    /// <summary>True when a label value looks like "no outcome yet" by <see cref="UndecidedWords"/>.</summary>
    public static bool LooksUndecided(string value)
    {
        var head = value.Split([" - ", ":", "(", "/"], 2, StringSplitOptions.None)[0];
        var words = string.Join(' ', head.ToLowerInvariant().Split([' ', '\t', '_', '-'], StringSplitOptions.RemoveEmptyEntries));
        return UndecidedWords.Any(w => words == w || words.StartsWith(w + " ", StringComparison.Ordinal));
    }

    /// <summary>
    /// With more than two label values a person has a mapping to make: without one, every value but the positive ones
    /// would be trained as lost, leads still open among them. Proposes negative and open lists into <paramref name="probe"/>
    /// and returns the note that lists each value, its rows and where it went; null (and nothing proposed) otherwise.
    /// </summary>
    private static string? ProposeOutcomes(CsvTable table, int labelIdx, ref LeadSchema probe)
    {
        var counts = new Dictionary<string, (string Value, int Rows)>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in table.Rows)
        {
            var v = row[labelIdx].Trim();
            if (probe.IsMissing(v)) continue;
            var (first, rows) = counts.GetValueOrDefault(v, (v, 0));
            counts[v] = (first, rows + 1);
        }
        if (counts.Count <= 2) return null;

        // Pipeline stages as CRMs name them: when the won value is a "Closed …" one and another value is "Closed …" too
        // (Closed Won, Closed Lost), the values that are not closed (Prospecting, Negotiation/Review) are deals still open.
        var label = probe;
        var stages = counts.Values.Any(x => label.ReadLabel(x.Value) == LabelOutcome.Won && IsClosed(x.Value)) &&
                     counts.Values.Any(x => label.ReadLabel(x.Value) != LabelOutcome.Won && IsClosed(x.Value));
        var negative = new List<string>(); var open = new List<string>(); var lines = new List<string>();
        foreach (var (value, rows) in counts.Values.OrderByDescending(x => x.Rows).ThenBy(x => x.Value, StringComparer.Ordinal))
        {
            string where;
            if (probe.ReadLabel(value) == LabelOutcome.Won) where = "positive (won)";
            else if (LooksUndecided(value)) { open.Add(value); where = "open (no outcome yet: left out of training and evaluation)"; }
            else if (stages && !IsClosed(value)) { open.Add(value); where = "open (a stage before Closed: left out of training and evaluation)"; }
            else { negative.Add(value); where = "negative (lost)"; }
            lines.Add($"'{value}' ({rows} rows) → {where}");
        }
        probe = probe with { Label = probe.Label with { Negative = negative.Count > 0 ? negative : null, Open = open.Count > 0 ? open : null } };
        return $"label column '{table.Headers[labelIdx]}' has {counts.Count} values, read as: {string.Join("; ", lines)}. " +
               "Review this in the schema's label: 'open' lists values that mean no outcome yet " +
               $"(proposed for values that are or begin with {string.Join(", ", UndecidedWords)}, and for stages that are not 'Closed …' " +
               "when won and lost are), 'negative' the values that mean lost; " +
               "with 'negative' given, a value in none of the lists stops training.";
    }

    private static bool IsClosed(string value) => value.Trim().StartsWith("closed", StringComparison.OrdinalIgnoreCase);

    private static HashSet<string> Distinct(CsvTable t, int c, LeadSchema s) =>
        t.Rows.Select(r => r[c]).Where(v => !s.IsMissing(v)).ToHashSet(StringComparer.Ordinal);

    private static (ColumnType, string, bool, string?) Classify(string name, List<string> values, HashSet<string> distinct, int rows)
    {
        var (type, reason, isId) = ClassifyType(name, values, distinct, rows);
        // Dates in a form the defaults do not read (8/7/2025 5:53 AM) would be text, categories or an id: a format that
        // reads every value makes the column a date, and the format goes into the schema for training and serving alike.
        // Dates the defaults do read (03/05/2025) get one too when day and month could be either way round: the values
        // of the whole column decide the order, which no single value can.
        var dayMonth = type == ColumnType.Datetime && values.Any(v => DayMonthYear().IsMatch(v));
        var candidate = type is ColumnType.Text or ColumnType.Categorical or ColumnType.Ignore && values.Count > 0 && distinct.Count > 1;
        if ((candidate || dayMonth) && DateFormat(values) is { } date)
            return (ColumnType.Datetime, $"all values are dates/times in the form {date.Format}{date.Note}", false, date.Format);
        if (dayMonth)
            reason += "; no one format fits every value (dates with and without a time?), so none is written and each is read " +
                      "as dates without a format are: month first with '/' or '-', day first with '.'";
        return (type, reason, isId, null);
    }

    private static (ColumnType, string, bool) ClassifyType(string name, List<string> values, HashSet<string> distinct, int rows)
    {
        if (values.Count == 0) return (ColumnType.Ignore, "always missing", false);
        // One value or blank is how CRMs export a checkbox ("Yes" or nothing): the blank carries the other half.
        if (distinct.Count == 1 && values.Count < rows && values.Count >= Math.Max(1, rows / 100) && rows - values.Count >= Math.Max(1, rows / 100))
            return (ColumnType.Categorical, $"one value ('{distinct.First()}') or blank ({1 - (double)values.Count / rows:P0}): blank is kept as its own level (a checkbox's 'no')", false);
        if (distinct.Count == 1) return (ColumnType.Ignore, $"constant ('{distinct.First()}')", false);

        if (distinct.Count == 2)
        {
            var lower = distinct.Select(v => v.Trim().ToLowerInvariant()).ToHashSet();
            foreach (var (t, f) in BooleanPairs)
                if (lower.SetEquals([t, f])) return (ColumnType.Boolean, $"two values {t}/{f}", false);
        }

        var numeric = values.All(v => ValueParsing.TryNumber(v, out _)) || MostlyNumbers(values) is { Count: > 0 };
        if (numeric)
        {
            var codes = values.Where(v => LeadingZero().IsMatch(v.Trim())).ToList();
            if (codes.Count >= Math.Max(2, values.Count / 100))
                return (CategoryUnlessTooMany(distinct, values), $"digits with leading zeros (e.g. '{codes[0]}'): a code such as a postal code, not a quantity", false);
            var integers = values.All(v => !ValueParsing.TryNumber(v, out var d) || Math.Abs(d - Math.Round(d)) < 1e-12);
            var uniqueIntegers = integers && distinct.Count == values.Count && values.Count == rows && rows > 20;
            if (uniqueIntegers && IdName().IsMatch(name))
                return (ColumnType.Ignore, "unique integer per row, named like an id", true);
            if (uniqueIntegers && Increasing(values))
                return (ColumnType.Ignore, "unique integer per row, rising with the rows: a record number, not a quantity", true);
            var numbers = values.Count(v => ValueParsing.TryNumber(v, out _));
            return (ColumnType.Numeric, numbers == values.Count
                ? $"all {values.Count} values are numbers ({distinct.Count} distinct)"
                : $"{numbers} of {values.Count} values are numbers ({distinct.Count} distinct)", false);
        }

        if (values.All(v => ValueParsing.TryDate(v, out _)))
            return (ColumnType.Datetime, "all values are dates/times", false);

        if (values.Count(v => FormattedNumber().IsMatch(v.Trim())) >= 0.9 * values.Count)
            return (CategoryUnlessTooMany(distinct, values),
                $"formatted numbers (e.g. '{values.First(v => FormattedNumber().IsMatch(v.Trim()))}'): numbers are read in invariant form only " +
                "(25000.50: a decimal point, no currency or percent sign, no thousands separator), as the service reads them, so these are " +
                "not numbers here; export the column unformatted to use it as a number", false);

        if (distinct.Count == values.Count && values.Count > 20)
        {
            // Words as separated by spaces: a GUID, an e-mail address or "L-000123" is one token, however many dashes.
            var multiword = values.Average(v => v.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length) >= 2.5;
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

    /// <summary>Values that are no numbers here, a category unless almost every row has its own (too many levels to learn from).</summary>
    private static ColumnType CategoryUnlessTooMany(HashSet<string> distinct, List<string> values) =>
        distinct.Count > 1000 && distinct.Count > 0.5 * values.Count ? ColumnType.Ignore : ColumnType.Categorical;

    /// <summary>Every value larger than the one before, in file order (a running record number).</summary>
    private static bool Increasing(List<string> values)
    {
        var last = double.NegativeInfinity;
        foreach (var v in values)
        {
            if (!ValueParsing.TryNumber(v, out var d) || d <= last) return false;
            last = d;
        }
        return true;
    }

    /// <summary>
    /// The few values that are not numbers in a column that is otherwise all numbers (at least 97% of the filled values,
    /// at most three distinct others, none with a digit: "-", "none", "n.a." rather than "12 months"); empty otherwise.
    /// </summary>
    private static List<string> MostlyNumbers(List<string> values)
    {
        var others = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var count = 0;
        foreach (var v in values)
        {
            if (ValueParsing.TryNumber(v, out _)) continue;
            count++;
            if (v.Any(char.IsAsciiDigit)) return [];
            others.Add(v.Trim());
            if (others.Count > 3) return [];
        }
        return count > 0 && count <= 0.03 * values.Count && values.Count - count >= 20 ? [.. others] : [];
    }

    // Date forms tried as a column's format: those ValueParsing's defaults do not read (12-hour clocks, one-digit days and
    // months) and those they read one way whatever the export meant (03/05/2025, 03.05.2025, 03-05-2025; one- and
    // two-digit parts alike). Month first and day first are both tried; which one the values allow decides.
    // Two-digit years too, as a spreadsheet re-saves an export (4/2/25 17:00).
    private static readonly string[] MonthFirst = ["M/d/yyyy h:mm tt", "M/d/yyyy h:mm:ss tt", "M/d/yyyy H:mm", "M/d/yyyy H:mm:ss", "M/d/yyyy", "M/d/yy",
        "M/d/yy h:mm tt", "M/d/yy H:mm", "M/d/yy H:mm:ss",
        "M-d-yyyy H:mm", "M-d-yyyy H:mm:ss", "M-d-yyyy", "M-d-yy H:mm", "M-d-yy",
        "M.d.yyyy H:mm", "M.d.yyyy H:mm:ss", "M.d.yyyy", "M.d.yy H:mm", "M.d.yy"];
    private static readonly string[] DayFirst = ["d/M/yyyy h:mm tt", "d/M/yyyy h:mm:ss tt", "d/M/yyyy H:mm", "d/M/yyyy H:mm:ss", "d/M/yyyy", "d/M/yy",
        "d/M/yy H:mm", "d/M/yy H:mm:ss",
        "d.M.yyyy H:mm", "d.M.yyyy H:mm:ss", "d.M.yyyy", "d.M.yy H:mm", "d.M.yy",
        "d-M-yyyy H:mm", "d-M-yyyy H:mm:ss", "d-M-yyyy", "d-M-yy H:mm", "d-M-yy",
        "d-MMM-yyyy H:mm", "d MMM yyyy", "d MMM yyyy H:mm"];

    /// <summary>
    /// The one format every value has, when the values are dates whose form does not fix day and month, with a note when
    /// they cannot be told apart (no value has a part above 12): month first is then assumed, as US CRMs export, except
    /// with '.', which is day first as European exports write it (and as ValueParsing reads it without a format).
    /// </summary>
    private static (string Format, string Note)? DateFormat(List<string> values)
    {
        if (values.Count == 0 || !values[0].Any(char.IsAsciiDigit)) return null;
        string? Fits(string[] formats) => formats.FirstOrDefault(f => values.All(v => ValueParsing.TryDate(v, f, out _)));
        var (m, d) = (Fits(MonthFirst), Fits(DayFirst));
        if (m is not null && d is not null && d.StartsWith("d.", StringComparison.Ordinal))
            return (d, "");
        if (m is not null && d is not null)
            return (m, $"; day and month cannot be told apart (no part above 12), so month first is assumed: set \"format\": \"{d}\" if the export is day first");
        if (m is not null) return (m, "");
        if (d is not null) return (d, "");
        return null;
    }

    /// <summary>
    /// Why a column of few values looks written with the outcome: at least 100 labelled rows, at most 20 values, and
    /// each filled row's value seen with one outcome only (99% of them), with both outcomes among them; else null.
    /// </summary>
    private static string? SeparatesTheLabel(CsvTable table, int c, bool?[] labels, LeadSchema probe)
    {
        var byValue = new Dictionary<string, (int Won, int Lost)>(StringComparer.OrdinalIgnoreCase);
        for (var r = 0; r < labels.Length; r++)
        {
            if (labels[r] is not { } won || probe.IsMissing(table.Rows[r][c])) continue;
            var v = table.Rows[r][c].Trim();
            var (w, l) = byValue.GetValueOrDefault(v);
            byValue[v] = won ? (w + 1, l) : (w, l + 1);
            if (byValue.Count > 20) return null;
        }
        var filled = byValue.Values.Sum(x => x.Won + x.Lost);
        if (filled < 100 || byValue.Count < 2 || !byValue.Values.Any(x => x.Won > x.Lost) || !byValue.Values.Any(x => x.Lost > x.Won)) return null;
        var pure = byValue.Values.Sum(x => Math.Max(x.Won, x.Lost));
        if (pure < 0.99 * filled) return null;
        var wonOnly = byValue.Where(x => x.Value.Won > x.Value.Lost).Select(x => $"'{x.Key}'").Take(3);
        return $"its values tell won from lost ({pure:N0} of {filled:N0} rows; {string.Join(", ", wonOnly)} on won leads only)";
    }

    /// <summary>The label's values when none is a positive one: the most frequent, so the right --positive is easy to pick.</summary>
    private static string NoPositives(CsvTable table, int labelIdx, LeadSchema probe)
    {
        var counts = table.Rows.GroupBy(r => r[labelIdx].Trim(), StringComparer.Ordinal).OrderByDescending(g => g.Count()).ToList();
        var shown = string.Join(", ", counts.Take(10).Select(g => $"'{g.Key}' ({g.Count()})")) + (counts.Count > 10 ? $", and {counts.Count - 10} more" : "");
        return $"no row of label column '{table.Headers[labelIdx]}' is a positive ({string.Join(", ", probe.Label.Positive.Select(v => $"'{v}'"))}); " +
               $"its values are {shown}: give the value that means won with --positive";
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
