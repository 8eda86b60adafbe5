using System.Text.Json.Serialization;

namespace LeadPropensity.Core.Bands;

[JsonConverter(typeof(JsonStringEnumConverter<CutoffKind>))]
public enum CutoffKind { Probability, Percentile }

/// <summary>
/// Band cutoffs as marketing states them: absolute probabilities (<c>{ mql, sql }</c>) or percentiles of the
/// held-out score distribution (<c>{ mqlPercentile, sqlPercentile }</c>; <c>sqlPercentile: 90</c> makes the top 10% SQL).
/// Percentiles are resolved against each model's own distribution, so "top 10%" survives a model change.
/// </summary>
public sealed record CutoffSpec
{
    [JsonConstructor]
    public CutoffSpec(double? mql = null, double? sql = null, double? mqlPercentile = null, double? sqlPercentile = null, BandNames? names = null)
    {
        if (Problem(mql, sql, mqlPercentile, sqlPercentile, names) is { } problem) throw new BandException(problem);
        (Mql, Sql, MqlPercentile, SqlPercentile, Names) = (mql, sql, mqlPercentile, sqlPercentile, names ?? BandNames.Default);
    }

    public static CutoffSpec Probabilities(double mql, double sql, BandNames? names = null) => new(mql: mql, sql: sql, names: names);

    public static CutoffSpec Percentiles(double mqlPercentile, double sqlPercentile, BandNames? names = null) =>
        new(mqlPercentile: mqlPercentile, sqlPercentile: sqlPercentile, names: names);

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Mql { get; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Sql { get; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MqlPercentile { get; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? SqlPercentile { get; }
    public BandNames Names { get; }

    public CutoffKind Kind => MqlPercentile is null ? CutoffKind.Probability : CutoffKind.Percentile;

    /// <summary>What is wrong with a spec (for a validation response), or null when it is usable.</summary>
    public static string? Problem(double? mql, double? sql, double? mqlPercentile, double? sqlPercentile, BandNames? names = null) =>
        FieldProblem(mql, sql, mqlPercentile, sqlPercentile, names)?.Message;

    /// <summary>
    /// What is wrong with a spec and which field it concerns (<c>mql</c>, <c>sql</c>, <c>mqlPercentile</c>,
    /// <c>sqlPercentile</c>, <c>names</c>, or <c>cutoffs</c> when it is the combination), or null when it is usable.
    /// </summary>
    public static (string Field, string Message)? FieldProblem(double? mql, double? sql, double? mqlPercentile, double? sqlPercentile, BandNames? names = null)
    {
        var absolute = mql is not null || sql is not null;
        var percentile = mqlPercentile is not null || sqlPercentile is not null;
        if (absolute && percentile)
            return ("cutoffs", "give either probabilities (mql, sql) or percentiles (mqlPercentile, sqlPercentile), not both");
        if (percentile)
        {
            if (mqlPercentile is not { } mp || sqlPercentile is not { } sp)
                return (mqlPercentile is null ? "mqlPercentile" : "sqlPercentile", "give both 'mqlPercentile' and 'sqlPercentile'");
            if (!double.IsFinite(mp) || mp <= 0 || mp >= 100) return ("mqlPercentile", $"'mqlPercentile' must lie strictly between 0 and 100 (got {mp:R})");
            if (!double.IsFinite(sp) || sp <= 0 || sp >= 100) return ("sqlPercentile", $"'sqlPercentile' must lie strictly between 0 and 100 (got {sp:R})");
            if (mp >= sp) return ("mqlPercentile", $"'mqlPercentile' ({mp:R}) must be below 'sqlPercentile' ({sp:R})");
            return NamesProblem(names);
        }
        const string neither = "give both 'mql' and 'sql' probabilities, or both 'mqlPercentile' and 'sqlPercentile'";
        if (mql is null && sql is null) return ("cutoffs", neither);
        if (mql is not { } m || sql is not { } s) return (mql is null ? "mql" : "sql", neither);
        if (BandCutoffs.Problem(m, s) is { } problem)
            return (!double.IsFinite(m) || m <= 0 || m >= 1 ? "mql" : !double.IsFinite(s) || s <= 0 || s >= 1 ? "sql" : "mql", problem);
        return NamesProblem(names);
    }

    private static (string, string)? NamesProblem(BandNames? names) => names?.Problem() is { } p ? ("names", p) : null;

    /// <summary>The score at a percentile (0–100) of a set of scores, interpolated as <see cref="Resolve"/> does.</summary>
    public static double ScoreAtPercentile(IReadOnlyList<double> scores, double percentile)
    {
        if (scores.Count == 0) throw new BandException("a percentile needs scores, and there are none");
        if (!double.IsFinite(percentile) || percentile < 0 || percentile > 100)
            throw new BandException($"a percentile must lie between 0 and 100 (got {percentile:R})");
        return Quantile(scores.Order().ToArray(), percentile / 100);
    }

    /// <summary>
    /// The cutoffs to apply: absolute ones as given; percentile ones as the held-out scores at those quantiles
    /// (linear interpolation between order statistics). When ties put both quantiles on one score, the SQL
    /// cutoff keeps its place and the MQL cutoff drops just below it, so the MQL band is empty rather than invalid.
    /// </summary>
    public BandCutoffs Resolve(IReadOnlyList<double> heldOutScores)
    {
        if (Kind == CutoffKind.Probability) return new BandCutoffs(Mql!.Value, Sql!.Value, Names);
        if (heldOutScores.Count == 0) throw new BandException("percentile cutoffs need held-out scores to resolve against, and there are none");
        foreach (var s in heldOutScores)
            if (!double.IsFinite(s) || s < 0 || s > 1) throw new BandException($"held-out score {s:R} is not a probability in [0, 1]");

        var sorted = heldOutScores.Order().ToArray();
        // Keep both cutoffs strictly inside (0, 1), as BandCutoffs requires, even for scores of exactly 0 or 1.
        var sql = Math.Clamp(Quantile(sorted, SqlPercentile!.Value / 100), Math.BitIncrement(Math.BitIncrement(0.0)), Math.BitDecrement(1.0));
        var mql = Math.Max(Quantile(sorted, MqlPercentile!.Value / 100), Math.BitIncrement(0.0));
        if (mql >= sql) mql = Math.BitDecrement(sql);
        return new BandCutoffs(mql, sql, Names);
    }

    private static double Quantile(double[] sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
