namespace LeadPropensity.Core.Bands;

/// <summary>
/// Probability cutoffs that route a scored lead to a band: at or above <see cref="Sql"/> is SQL, at or above
/// <see cref="Mql"/> is MQL, below is Nurture, and a disqualified lead is Disqualified whatever its probability.
/// </summary>
public sealed record BandCutoffs
{
    public BandCutoffs(double mql, double sql, BandNames? names = null)
    {
        names ??= BandNames.Default;
        if ((Problem(mql, sql) ?? names.Problem()) is { } problem) throw new BandException(problem);
        Mql = mql;
        Sql = sql;
        Names = names;
    }

    public double Mql { get; }
    public double Sql { get; }
    public BandNames Names { get; }

    /// <summary>What is wrong with a pair of probability cutoffs, or null when 0 &lt; mql &lt; sql &lt; 1 holds.</summary>
    public static string? Problem(double mql, double sql)
    {
        if (!double.IsFinite(mql) || mql <= 0 || mql >= 1) return $"the MQL cutoff must be a probability strictly between 0 and 1 (got {mql:R})";
        if (!double.IsFinite(sql) || sql <= 0 || sql >= 1) return $"the SQL cutoff must be a probability strictly between 0 and 1 (got {sql:R})";
        if (mql >= sql) return $"the MQL cutoff ({mql:R}) must be below the SQL cutoff ({sql:R})";
        return null;
    }

    public string Assign(double probability, bool disqualified)
    {
        if (!double.IsFinite(probability) || probability < 0 || probability > 1)
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "a probability must lie in [0, 1]");
        return Names.Assign(probability, Mql, Sql, disqualified);
    }
}
