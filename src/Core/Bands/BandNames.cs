namespace LeadPropensity.Core.Bands;

/// <summary>What each band is called: the same four bands for model cutoffs and rule thresholds, renamable by marketing.</summary>
public sealed record BandNames(string Sql = "SQL", string Mql = "MQL", string Nurture = "Nurture", string Disqualified = "Disqualified")
{
    public static readonly BandNames Default = new();

    /// <summary>All four names, best band first.</summary>
    public IReadOnlyList<string> All => [Sql, Mql, Nurture, Disqualified];

    /// <summary>What is wrong with these names (empty or repeated), or null when they are usable.</summary>
    public string? Problem()
    {
        (string Key, string? Name)[] named = [("sql", Sql), ("mql", Mql), ("nurture", Nurture), ("disqualified", Disqualified)];
        foreach (var (key, name) in named)
            if (string.IsNullOrWhiteSpace(name)) return $"band name '{key}' is empty";
        var repeated = named.GroupBy(n => n.Name!.Trim(), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        return repeated is null ? null
            : $"band names must differ: {string.Join(" and ", repeated.Select(n => $"'{n.Key}'"))} are both '{repeated.Key}'";
    }

    /// <summary>
    /// How close below a threshold a value may be and still reach it. A recommended cutoff is a held-out lead's own score,
    /// so that lead, and every lead scored the same, sits exactly on it; without this, the last bit of a sum (whose order
    /// a faster scorer may change) would decide their band.
    /// </summary>
    public const double Tolerance = 1e-12;

    /// <summary>The band for a value against two ascending thresholds; reaching a threshold (to <see cref="Tolerance"/>) earns the higher band.</summary>
    internal string Assign(double value, double mql, double sql, bool disqualified) =>
        disqualified ? Disqualified : value >= sql - Tolerance ? Sql : value >= mql - Tolerance ? Mql : Nurture;
}

/// <summary>Band cutoffs or names that cannot work; the message says which value and why.</summary>
public sealed class BandException(string message) : Exception(message);
