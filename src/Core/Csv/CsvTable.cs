namespace LeadPropensity.Core.Csv;

/// <summary>A whole CSV file in memory: headers, rows of raw values and each row's line number.</summary>
public sealed class CsvTable
{
    public required IReadOnlyList<string> Headers { get; init; }
    public required List<string[]> Rows { get; init; }
    public required List<long> Lines { get; init; }
    public char Delimiter { get; init; } = ',';

    public int IndexOf(string header)
    {
        for (var i = 0; i < Headers.Count; i++) if (Headers[i] == header) return i;
        return -1;
    }

    public int RequireColumn(string header, string role) => CsvText.RequireColumn(Headers, header, role);

    public static CsvTable Load(string path, char? delimiter = null)
    {
        using var r = CsvTableReader.Open(path, delimiter);
        return ReadAll(r);
    }

    public static CsvTable Parse(string text, char? delimiter = null)
    {
        using var r = CsvTableReader.FromString(text, "input", delimiter);
        return ReadAll(r);
    }

    private static CsvTable ReadAll(CsvTableReader r)
    {
        var rows = new List<string[]>();
        var lines = new List<long>();
        while (r.Read(out var row)) { rows.Add(row.Values); lines.Add(row.Line); }
        return new CsvTable { Headers = r.Headers, Rows = rows, Lines = lines, Delimiter = r.Delimiter };
    }
}
