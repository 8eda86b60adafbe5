using System.Globalization;
using System.Text;
using System.Text.Json;
using LeadPropensity.Core.Csv;

namespace LeadPropensity.Core.State;

/// <summary>What an export wrote: rows, won rows, and the feature columns found in the logged JSON.</summary>
public sealed record TrainingExportResult(int Rows, int Won, IReadOnlyList<string> FeatureColumns);

/// <summary>
/// Turns the store's scored-and-resolved leads into a labelled CSV that `train` reads: lead_id, scored_at, one column per
/// feature key (the union over all rows, in the order keys are first met) and outcome (won/lost).
/// </summary>
public static class TrainingExport
{
    public const string IdColumn = "lead_id", TimeColumn = "scored_at", LabelColumn = "outcome";
    private static readonly string[] Reserved = [IdColumn, TimeColumn, LabelColumn];

    public static async Task<TrainingExportResult> WriteCsvAsync(IStateStore store, DateTime? since, TextWriter writer, CancellationToken ct = default)
    {
        // Two passes over the store instead of holding every row: the header needs the union of keys before the first row.
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in store.ExportTrainingRowsAsync(since, ct))
            foreach (var key in Keys(row.FeaturesJson))
                if (!Reserved.Contains(key) && seen.Add(key)) columns.Add(key);

        var index = columns.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        await writer.WriteLineAsync(string.Join(',', Reserved[..2].Concat(columns).Append(LabelColumn).Select(CsvText.Escape)));
        int rows = 0, won = 0;
        var values = new string[columns.Count];
        var line = new StringBuilder();
        await foreach (var row in store.ExportTrainingRowsAsync(since, ct))
        {
            Array.Fill(values, "");
            using (var doc = JsonDocument.Parse(row.FeaturesJson))
                foreach (var p in doc.RootElement.EnumerateObject())
                    if (index.TryGetValue(p.Name, out var i)) values[i] = Text(p.Value);
            line.Clear().Append(CsvText.Escape(row.LeadId)).Append(',')
                .Append(row.ScoredAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            foreach (var v in values) line.Append(',').Append(CsvText.Escape(v));
            line.Append(',').Append(row.Won ? "won" : "lost");
            await writer.WriteLineAsync(line, ct);
            rows++;
            if (row.Won) won++;
        }
        return new TrainingExportResult(rows, won, columns);
    }

    private static IEnumerable<string> Keys(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
    }

    /// <summary>A JSON value as CSV text: strings as they are, null as missing, numbers and booleans as written.</summary>
    private static string Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() ?? "",
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => v.GetRawText(),
    };
}
