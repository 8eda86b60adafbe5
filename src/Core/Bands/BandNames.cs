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

    /// <summary>The band for a value against two ascending thresholds; reaching a threshold exactly earns the higher band.</summary>
    internal string Assign(double value, double mql, double sql, bool disqualified) =>
        disqualified ? Disqualified : value >= sql ? Sql : value >= mql ? Mql : Nurture;
}

/// <summary>Band cutoffs or names that cannot work; the message says which value and why.</summary>
public sealed class BandException(string message) : Exception(message);
