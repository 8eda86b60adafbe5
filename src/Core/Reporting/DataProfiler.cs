using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Reporting;

/// <summary>Builds the data profile: missing shares and train-vs-test drift (PSI) per business field.</summary>
public static class DataProfiler
{
    public const int PsiBins = 10;
    /// <summary>Categorical levels beyond the most common this many are pooled into <see cref="Other"/>.</summary>
    public const int MaxLevels = 20;
    public const string Other = "(other)";

    /// <summary>Profiles a training run: both parts' rows are at hand, so drift is measured directly with <see cref="Metrics.Psi(IReadOnlyList{double}, IReadOnlyList{double}, int)"/>.</summary>
    public static DataProfile Compare(LeadDataset train, LeadDataset test, LeftOutRows? leftOut = null)
    {
        if (!train.Fields.SequenceEqual(test.Fields)) throw new ArgumentException("train and test have different fields", nameof(test));
        var fields = new List<FieldProfile>(train.Fields.Length);
        for (var f = 0; f < train.Fields.Length; f++)
        {
            var (type, note) = Kind(train.Schema, train.Fields[f]);
            var a = Column(train, f); var b = Column(test, f);
            double? psi = null; FieldReference? reference = null;
            if (note is null && Present(a) > 0 && Present(b) > 0)
            {
                if (type == ColumnType.Numeric)
                {
                    var (x, y) = (Numbers(a), Numbers(b));
                    if (x.Length > 0 && y.Length > 0)
                    {
                        psi = Metrics.Psi(x, y, PsiBins);
                        var edges = Metrics.QuantileEdges(x, PsiBins);
                        reference = new FieldReference(edges, null, NumericShares(x, edges));
                    }
                }
                else
                {
                    var levels = TopLevels(a, type);
                    reference = new FieldReference(null, levels, LevelShares(a, levels, type));
                    psi = Metrics.Psi(reference.Shares, LevelShares(b, levels, type));
                }
            }
            fields.Add(new FieldProfile(train.Fields[f], Name(type), MissingShare(a), MissingShare(b), psi,
                note ?? (psi is null ? "no values to compare" : null), reference));
        }
        return new DataProfile(Summarize(train), Summarize(test), fields, leftOut);
    }

    /// <summary>
    /// Profiles fresh rows against what training recorded (a bundle's report.json): PSI from the stored training distribution,
    /// missing share of training from the same place. Without a reference the drift and training columns are empty.
    /// </summary>
    public static DataProfile AgainstReference(LeadDataset data, PartProfile train, IReadOnlyList<FieldProfile>? reference)
    {
        var byField = (reference ?? []).ToDictionary(r => r.Field, StringComparer.Ordinal);
        var fields = new List<FieldProfile>(data.Fields.Length);
        for (var f = 0; f < data.Fields.Length; f++)
        {
            var (type, note) = Kind(data.Schema, data.Fields[f]);
            var column = Column(data, f);
            var known = byField.GetValueOrDefault(data.Fields[f]);
            var r = known?.Reference;
            double? psi = null;
            if (note is null && r is not null) psi = PsiAgainst(r, type, column);
            fields.Add(new FieldProfile(data.Fields[f], Name(type), known?.MissingTrain, MissingShare(column), psi,
                note ?? (psi is null ? (r is null ? "no training distribution recorded" : "no values to compare") : null), r));
        }
        return new DataProfile(train, Summarize(data), fields, data.LeftOut);
    }

    /// <summary>
    /// PSI of fresh values of one field (null = missing) against its recorded training distribution, cut as training cut it;
    /// null when there is nothing to compare (no present values, or a reference of the other kind).
    /// </summary>
    public static double? PsiAgainst(FieldReference reference, ColumnType type, string?[] column)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (Present(column) == 0) return null;
        if (type == ColumnType.Numeric)
            return reference.Edges is { } edges && Numbers(column) is { Length: > 0 } y ? Metrics.Psi(reference.Shares, NumericShares(y, edges)) : null;
        return reference.Levels is { } levels ? Metrics.Psi(reference.Shares, LevelShares(column, levels, type)) : null;
    }

    public static PartProfile Summarize(LeadDataset d)
    {
        var times = d.Times.Where(t => t is not null).Select(t => t!.Value).ToList();
        return new PartProfile(d.Count, d.Positives, d.Count == 0 ? 0 : (double)d.Positives / d.Count,
            times.Count == 0 ? null : times.Min(), times.Count == 0 ? null : times.Max());
    }

    private static (ColumnType Type, string? Note) Kind(LeadSchema schema, string field)
    {
        var type = schema.Find(field)?.Type ?? ColumnType.Categorical;
        return type switch
        {
            ColumnType.Text => (type, "free text: not compared"),
            ColumnType.Datetime when field == schema.Timestamp => (type, "the timestamp: differs between parts by design"),
            ColumnType.Datetime => (type, "dates: not compared"),
            _ => (type, null),
        };
    }

    private static string Name(ColumnType t) => t.ToString().ToLowerInvariant();

    private static string?[] Column(LeadDataset d, int f) => d.Values.Select(v => v[f]).ToArray();

    private static int Present(string?[] column) => column.Count(v => v is not null);

    private static double MissingShare(string?[] column) => column.Length == 0 ? 0 : 1 - (double)Present(column) / column.Length;

    private static double[] Numbers(string?[] column) =>
        column.Where(v => v is not null).Select(v => ValueParsing.TryNumber(v!, out var d) ? d : double.NaN).Where(double.IsFinite).ToArray();

    /// <summary>Shares per bin, cut exactly as <see cref="Metrics.Psi(IReadOnlyList{double}, IReadOnlyList{double}, int)"/> cuts them.</summary>
    private static double[] NumericShares(double[] values, double[] edges)
    {
        var shares = new double[edges.Length - 1];
        foreach (var v in values) shares[Metrics.MassBin(edges, v)]++;
        for (var b = 0; b < shares.Length; b++) shares[b] /= values.Length;
        return shares;
    }

    private static string Level(string raw, ColumnType type)
    {
        var t = raw.Trim();
        if (type != ColumnType.Boolean) return t;
        return new ColumnSpec { Name = "", Type = type }.ParseBoolean(t) switch { true => "true", false => "false", null => t.ToLowerInvariant() };
    }

    private static string[] TopLevels(string?[] column, ColumnType type) =>
        column.Where(v => v is not null).Select(v => Level(v!, type)).GroupBy(v => v, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(MaxLevels).Select(g => g.Key)
            .Append(Other).ToArray();

    /// <summary>Shares of non-missing values per level; unlisted levels go to the last slot, <see cref="Other"/>.</summary>
    private static double[] LevelShares(string?[] column, string[] levels, ColumnType type)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < levels.Length - 1; i++) index[levels[i]] = i;
        var shares = new double[levels.Length];
        var n = 0;
        foreach (var v in column)
        {
            if (v is null) continue;
            shares[index.TryGetValue(Level(v, type), out var i) ? i : levels.Length - 1]++;
            n++;
        }
        for (var i = 0; i < shares.Length; i++) shares[i] /= n;
        return shares;
    }
}
