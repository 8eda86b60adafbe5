using System.Globalization;
using System.Text;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Rules;

namespace LeadPropensity.Core.Scoring;

/// <summary>
/// Streams a CSV of leads through the rules when no model can answer: the same columns as <see cref="CsvScorer"/>
/// (probability left empty: rule points are not a probability), every input column visible to the rules.
/// </summary>
public static class RulesCsvScorer
{
    public static CsvScoringResult Score(RuleSet rules, CsvTableReader reader, TextWriter output, CsvScoringOptions options, string? idColumn = null,
        string source = "input")
    {
        var idIdx = idColumn is null ? -1 : reader.IndexOf(idColumn);
        var header = new StringBuilder(idIdx >= 0 ? CsvText.Escape(idColumn!) : "line").Append(",probability,score,band");
        if (options.Reasons) header.Append(",reasons_up,reasons_down");
        if (options.ErrorRows) header.Append(",error");
        output.Write(header.Append('\n'));
        var row = new FieldRow(reader.Headers);
        var line = new StringBuilder(128);
        long scored = 0, skipped = 0;
        bool? status;
        while ((status = reader.TryReadRow(out var csv, out var error)) is not null)
        {
            if (status == true && options.CheckLeadIds && idIdx >= 0 && CsvScorer.IdProblem(source, idColumn!, csv, idIdx) is { } badId) (status, error) = (false, badId);
            if (status == false)
            {
                if (options.Strict) throw error!;
                skipped++;
                options.OnBadRow?.Invoke(error!);
                if (options.ErrorRows) CsvScorer.WriteErrorRow(output, error!.Line.ToString(CultureInfo.InvariantCulture), error.Message, options.Reasons);
                continue;
            }
            var r = rules.Evaluate(row.Set(csv.Values));
            options.OnScored?.Invoke(r.Band);
            var score = (int)Math.Round(r.Score, MidpointRounding.AwayFromZero);
            options.OnRow?.Invoke(new CsvScoredRow(idIdx >= 0 ? csv.Values[idIdx] : null, null, score, r.Band, reader.Headers, [.. csv.Values]));
            line.Clear();
            line.Append(idIdx >= 0 ? CsvText.Escape(csv.Values[idIdx]) : csv.Line.ToString(CultureInfo.InvariantCulture)).Append(",,")
                .Append(score.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(CsvText.Escape(r.Band));
            if (options.Reasons)
                line.Append(',').Append(CsvText.Escape(string.Join("; ", r.Matched.Where(m => m.Points > 0 || m.Disqualifies).Select(m => m.Rule))))
                    .Append(',').Append(CsvText.Escape(string.Join("; ", r.Matched.Where(m => m.Points < 0).Select(m => m.Rule))));
            if (options.ErrorRows) line.Append(',');
            output.Write(line.Append('\n'));
            scored++;
        }
        return new CsvScoringResult(scored, skipped);
    }
}
