using System.Globalization;

namespace LeadPropensity.Core.Modeling;

/// <summary>Rows left out because their label is one of the schema's "open" values (the lead has no outcome yet), counted per value.</summary>
public sealed record LeftOutRows(IReadOnlyDictionary<string, int> Labels)
{
    public int Rows => Labels.Values.Sum();

    /// <summary>"396 rows left out: label 'Open' means no outcome yet", for consoles and reports.</summary>
    public string Text => Labels.Count == 1
        ? F($"{Rows} rows left out: label '{Labels.Keys.First()}' means no outcome yet")
        : F($"{Rows} rows left out: labels {string.Join(", ", Labels.Select(kv => F($"'{kv.Key}' ({kv.Value})")))} mean no outcome yet");

    /// <summary>Null when nothing was left out, so files written for schemas without open values stay as they were.</summary>
    public static LeftOutRows? Of(IEnumerable<KeyValuePair<string, int>> counts)
    {
        var merged = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (label, n) in counts) merged[label] = merged.GetValueOrDefault(label) + n;
        return merged.Count == 0 ? null
            : new LeftOutRows(merged.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal));
    }

    public static LeftOutRows? Combine(LeftOutRows? a, LeftOutRows? b) =>
        Of((a?.Labels ?? Enumerable.Empty<KeyValuePair<string, int>>()).Concat(b?.Labels ?? Enumerable.Empty<KeyValuePair<string, int>>()));

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
