using System.Security.Cryptography;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Modeling;

/// <summary>A labelled export read through its schema: raw feature values per row, labels, ids, times and line numbers.</summary>
public sealed class LeadDataset
{
    public required LeadSchema Schema { get; init; }
    public required string[] Fields { get; init; }
    public required List<string?[]> Values { get; init; }
    public required List<bool> Labels { get; init; }
    public required List<string?> Ids { get; init; }
    public required List<DateTime?> Times { get; init; }
    public required List<long> Lines { get; init; }
    public required string Sha256 { get; init; }
    public required IReadOnlyList<string> SkippedRows { get; init; }
    /// <summary>Rows whose label means no outcome yet (the schema label's "open" values): counted, never trained or judged on.</summary>
    public LeftOutRows? LeftOut { get; init; }

    public int Count => Labels.Count;
    public int Positives => Labels.Count(l => l);

    /// <summary>
    /// Reads a labelled CSV. Ragged rows and rows whose timestamp cannot be read are skipped and reported
    /// (or fail with <paramref name="strict"/>). Rows with an open label are left out and counted; unmappable label values fail with their counts.
    /// </summary>
    public static LeadDataset Load(string path, LeadSchema schema, bool strict = false)
    {
        using var reader = CsvTableReader.Open(path);
        var ds = Read(reader, schema, strict, path);
        return new LeadDataset
        {
            Schema = ds.Schema, Fields = ds.Fields, Values = ds.Values, Labels = ds.Labels, Ids = ds.Ids, Times = ds.Times,
            Lines = ds.Lines, SkippedRows = ds.SkippedRows, LeftOut = ds.LeftOut, Sha256 = FileSha256(path),
        };
    }

    public static string FileSha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    public static LeadDataset Read(CsvTableReader reader, LeadSchema schema, bool strict, string source)
    {
        int Require(string name, string role) => CsvText.RequireColumn(reader.Headers, name, role, source);
        var labelIdx = Require(schema.Label.Column, "label");
        var mapper = new RowMapper(schema, reader.Headers, source);
        var idIdx = schema.Id is null ? -1 : Require(schema.Id, "id");
        var tsIdx = schema.Timestamp is null ? -1 : Require(schema.Timestamp, "timestamp");
        var tsFormat = schema.Timestamp is null ? null : schema.Find(schema.Timestamp)?.Format;

        var values = new List<string?[]>(); var labels = new List<bool>(); var ids = new List<string?>();
        var times = new List<DateTime?>(); var lines = new List<long>(); var skipped = new List<string>();
        var unmapped = new Dictionary<string, int>(StringComparer.Ordinal);
        var badTimes = 0;
        (long Line, string Value)? firstBadTime = null;
        var open = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        void Skip(string message)
        {
            if (strict) throw new CsvFormatException(message + " (--strict)", 0);
            skipped.Add(message);
        }

        bool? status;
        while ((status = reader.TryReadRow(out var row, out var error)) is not null)
        {
            if (status == false) { Skip(error!.Message); continue; }
            var raw = row.Values;
            var outcome = schema.ReadLabel(raw[labelIdx]);
            if (outcome == LabelOutcome.Missing) { Skip($"{source}: line {row.Line}: no label in column '{schema.Label.Column}'"); continue; }
            if (outcome == LabelOutcome.Open)
            {
                // A lead still being worked has no outcome: as a negative it would teach the model that it did not buy.
                var key = raw[labelIdx].Trim();
                open[key] = open.GetValueOrDefault(key) + 1;
                continue;
            }
            if (outcome == LabelOutcome.Unmapped)
            {
                var key = raw[labelIdx];
                unmapped[key] = unmapped.GetValueOrDefault(key) + 1;
                continue;
            }
            var label = outcome == LabelOutcome.Won;
            DateTime? time = null;
            if (tsIdx >= 0)
            {
                if (!schema.IsMissing(raw[tsIdx]) && ValueParsing.TryDate(raw[tsIdx], tsFormat, out var t)) time = t;
                else
                {
                    if (!schema.IsMissing(raw[tsIdx])) { badTimes++; firstBadTime ??= (row.Line, raw[tsIdx]); }
                    Skip($"{source}: line {row.Line}: timestamp '{raw[tsIdx]}' in column '{schema.Timestamp}' is not a date");
                    continue;
                }
            }
            values.Add(mapper.Map(raw)); labels.Add(label); ids.Add(idIdx >= 0 ? raw[idIdx] : null); times.Add(time); lines.Add(row.Line);
        }

        // A few unreadable timestamps are dirty rows; ten or more and a fifth or more is a column read in the wrong form (a day-first export
        // whose schema has no format, say), and training on the rest would judge the model on a misread time split.
        if (firstBadTime is { } bad && badTimes >= 10 && badTimes >= 0.2 * (values.Count + badTimes))
            throw new CsvFormatException($"{source}: {badTimes} of {values.Count + badTimes} values in the timestamp column '{schema.Timestamp}' are not dates " +
                                         $"as read{(tsFormat is null ? " without a format" : $" with the format '{tsFormat}'")} (e.g. '{bad.Value}' on line {bad.Line}): " +
                                         "give the column the \"format\" its values are written in (schema infer proposes one)", bad.Line, schema.Timestamp);

        if (unmapped.Count > 0)
        {
            var detail = string.Join(", ", unmapped.OrderByDescending(kv => kv.Value).Take(10).Select(kv => $"'{kv.Key}' ×{kv.Value}"));
            var positives = string.Join(", ", schema.Label.Positive);
            var message = $"{source}: {unmapped.Values.Sum()} rows have a label the schema cannot map in column '{schema.Label.Column}': {detail}. " +
                          $"Positive values are [{positives}]" + (schema.Label.Negative is { } n ? $", negative [{string.Join(", ", n)}]" : "") +
                          (schema.Label.Open is { Count: > 0 } o ? $", open [{string.Join(", ", o)}]" : "") +
                          "; fix the data or the schema's label mapping (list values that mean no outcome yet under the label's \"open\" to leave those rows out).";
            throw new CsvFormatException(message, 0, schema.Label.Column);
        }

        return new LeadDataset
        {
            Schema = schema, Fields = [.. mapper.Fields], Values = values, Labels = labels, Ids = ids,
            Times = times, Lines = lines, SkippedRows = skipped, LeftOut = LeftOutRows.Of(open), Sha256 = "",
        };
    }

    public LeadDataset Subset(IReadOnlyList<int> rows) => new()
    {
        Schema = Schema, Fields = Fields, Sha256 = Sha256, SkippedRows = [],
        Values = rows.Select(i => Values[i]).ToList(), Labels = rows.Select(i => Labels[i]).ToList(),
        Ids = rows.Select(i => Ids[i]).ToList(), Times = rows.Select(i => Times[i]).ToList(), Lines = rows.Select(i => Lines[i]).ToList(),
    };
}
