namespace LeadPropensity.Core.Csv;

/// <summary>The small CSV rules every reader and writer of the project shares: quoting a field and finding a column.</summary>
public static class CsvText
{
    /// <summary>A field as RFC 4180 writes it: quoted (with doubled quotes) when it holds a separator, a quote or a newline.</summary>
    public static string Escape(string v) =>
        v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;

    /// <summary>The index of a required column, or an error naming the column, its role and the columns there are.</summary>
    public static int RequireColumn(IReadOnlyList<string> headers, string name, string role, string? source = null)
    {
        for (var i = 0; i < headers.Count; i++) if (headers[i] == name) return i;
        var where = source is null ? "" : source + ": ";
        throw new CsvFormatException($"{where}the {role} column '{name}' is not in the data (columns: {string.Join(", ", headers)})", 1, name);
    }
}
