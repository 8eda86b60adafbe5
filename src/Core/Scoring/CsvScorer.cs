using System.Globalization;
using System.Text;
using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Rules;

namespace LeadPropensity.Core.Scoring;

public sealed record CsvScoringOptions
{
    public bool Reasons { get; init; }
    public bool Strict { get; init; }
    public BandCutoffs? Cutoffs { get; init; }
    /// <summary>Called for each row that was skipped (bad value or ragged row) with its message.</summary>
    public Action<CsvFormatException>? OnBadRow { get; init; }
}

public sealed record CsvScoringResult(long Scored, long Skipped);

/// <summary>
/// Streams a CSV of leads through a bundle: id, probability, score, band (and reasons) per row, any size of file.
/// A row with a bad value is reported with its line number and skipped, unless strict.
/// </summary>
public static class CsvScorer
{
    public static CsvScoringResult Score(ModelBundle bundle, CsvTableReader reader, TextWriter output, CsvScoringOptions options, string source = "input")
    {
        var schema = bundle.Schema;
        var mapper = new RowMapper(schema, reader.Headers, source, bundle.Fields);
        var idIdx = schema.Id is null ? -1 : reader.IndexOf(schema.Id);
        var cutoffs = options.Cutoffs ?? new BandCutoffs(bundle.Manifest.RecommendedCutoffs.Mql, bundle.Manifest.RecommendedCutoffs.Sql);
        var header = new StringBuilder(idIdx >= 0 ? Escape(schema.Id!) : "line");
        header.Append(",probability,score,band");
        if (options.Reasons) header.Append(",reasons_up,reasons_down");
        output.Write(header.Append('\n'));

        var x = new float[bundle.Plan.Width];
        var problems = new List<FieldProblem>();
        var line = new StringBuilder(128);
        long scored = 0, skipped = 0;
        bool? status;
        while ((status = reader.TryReadRow(out var row, out var error)) is not null)
        {
            if (status == false) { Bad(error!); continue; }
            var values = mapper.Map(row.Values);
            problems.Clear();
            Array.Clear(x);
            if (!bundle.Plan.Encode(values, x, problems))
            {
                var what = string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}"));
                Bad(new CsvFormatException($"{source}: line {row.Line}: {what}", row.Line, problems[0].Field));
                continue;
            }
            var s = bundle.Score(x, values, options.Reasons ? 3 : 0);
            line.Clear();
            line.Append(idIdx >= 0 ? Escape(row.Values[idIdx]) : row.Line.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(s.Probability.ToString("0.######", CultureInfo.InvariantCulture)).Append(',')
                .Append(s.Score.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(cutoffs.Assign(s.Probability, false));
            if (options.Reasons)
                line.Append(',').Append(Escape(string.Join("; ", s.Up.Select(r => r.Field))))
                    .Append(',').Append(Escape(string.Join("; ", s.Down.Select(r => r.Field))));
            output.Write(line.Append('\n'));
            scored++;
        }
        return new CsvScoringResult(scored, skipped);

        void Bad(CsvFormatException e)
        {
            if (options.Strict) throw e;
            skipped++;
            options.OnBadRow?.Invoke(e);
        }
    }

    /// <summary>Scores a CSV with the rules alone: id, an empty probability (rules give points, not probabilities), score, band, reasons.</summary>
    public static CsvScoringResult ScoreWithRules(RuleSet rules, string? idColumn, CsvTableReader reader, TextWriter output, CsvScoringOptions options)
    {
        var idIdx = idColumn is null ? -1 : reader.IndexOf(idColumn);
        output.Write((idIdx >= 0 ? Escape(idColumn!) : "line") + ",probability,score,band" + (options.Reasons ? ",reasons_up,reasons_down\n" : "\n"));
        long scored = 0, skipped = 0;
        bool? status;
        while ((status = reader.TryReadRow(out var row, out var error)) is not null)
        {
            if (status == false)
            {
                if (options.Strict) throw error!;
                skipped++;
                options.OnBadRow?.Invoke(error!);
                continue;
            }
            var lead = new Dictionary<string, string?>(reader.Headers.Count, StringComparer.Ordinal);
            for (var i = 0; i < reader.Headers.Count; i++) lead[reader.Headers[i]] = row.Values[i];
            var r = rules.Evaluate(lead);
            var line = (idIdx >= 0 ? Escape(row.Values[idIdx]) : row.Line.ToString(CultureInfo.InvariantCulture)) + ",," +
                       Math.Round(r.Score).ToString(CultureInfo.InvariantCulture) + "," + r.Band;
            if (options.Reasons)
                line += "," + Escape(string.Join("; ", r.Reasons.Where(x => x.Effect > 0).Take(3).Select(x => x.Field))) +
                        "," + Escape(string.Join("; ", r.Reasons.Where(x => x.Effect <= 0).Take(3).Select(x => x.Field)));
            output.Write(line + "\n");
            scored++;
        }
        return new CsvScoringResult(scored, skipped);
    }

    public static string Escape(string v) =>
        v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
}
