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
    /// <summary>
    /// Write a row for each skipped row too (band <c>error</c>, the message in an extra <c>error</c> column), so a
    /// streamed response accounts for every input row without a trailer.
    /// </summary>
    public bool ErrorRows { get; init; }
    /// <summary>Given the row's values in <see cref="ModelBundle.Fields"/> order, true when a rule disqualifies the lead.</summary>
    public Func<string?[], bool>? Disqualified { get; init; }
    /// <summary>
    /// A row whose id is not a lead id (<see cref="LeadIds"/>) is a bad row: for the service, whose log joins outcomes on
    /// it; a scored file has no such join, so its ids are copied as they are.
    /// </summary>
    public bool CheckLeadIds { get; init; }
    /// <summary>Called with the band of each scored row (for metrics).</summary>
    public Action<string>? OnScored { get; init; }
    /// <summary>Called for each scored row with its id, answer and input values (for the prediction log); the arrays are the caller's to keep.</summary>
    public Action<CsvScoredRow>? OnRow { get; init; }
}

/// <summary>
/// One scored CSV row: the id (null when the CSV has no id column), the probability (null when the rules answered),
/// score, band, and the input values by field name (<see cref="Fields"/> is shared by every row of a stream).
/// </summary>
public sealed record CsvScoredRow(string? LeadId, double? Probability, int Score, string Band, IReadOnlyList<string> Fields, string?[] Values);

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
        var cutoffs = options.Cutoffs ?? LeadScorer.CutoffsOf(bundle);
        var header = new StringBuilder(idIdx >= 0 ? CsvText.Escape(schema.Id!) : "line");
        header.Append(",probability,score,band");
        if (options.Reasons) header.Append(",reasons_up,reasons_down");
        if (options.ErrorRows) header.Append(",error");
        output.Write(header.Append('\n'));

        var x = new float[bundle.Plan.Width];
        var problems = new List<FieldProblem>();
        var line = new StringBuilder(128);
        long scored = 0, skipped = 0;
        bool? status;
        while ((status = reader.TryReadRow(out var row, out var error)) is not null)
        {
            if (status == false) { Bad(error!, null); continue; }
            if (options.CheckLeadIds && idIdx >= 0 && IdProblem(source, schema.Id!, row, idIdx) is { } badId) { Bad(badId, null); continue; }
            var values = mapper.Map(row.Values);
            problems.Clear();
            Array.Clear(x);
            if (!bundle.Plan.Encode(values, x, problems))
            {
                var what = string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}"));
                Bad(new CsvFormatException($"{source}: line {row.Line}: {what}", row.Line, problems[0].Field), idIdx >= 0 ? row.Values[idIdx] : null);
                continue;
            }
            var s = bundle.Score(x, values, options.Reasons ? 3 : 0);
            if (!double.IsFinite(s.Probability))
            {
                // As on /predict, a model that cannot score a lead must not end the stream: this row is reported instead.
                Bad(new CsvFormatException($"{source}: line {row.Line}: the model gave a non-finite result for this row (raw score {s.Raw}); " +
                                           "its values are likely far outside what the model was trained on (the rules can score it)", row.Line),
                    idIdx >= 0 ? row.Values[idIdx] : null);
                continue;
            }
            var band = cutoffs.Assign(s.Probability, options.Disqualified?.Invoke(values) ?? false);
            options.OnScored?.Invoke(band);
            options.OnRow?.Invoke(new CsvScoredRow(idIdx >= 0 ? row.Values[idIdx] : null, s.Probability, s.Score, band, bundle.Fields, (string?[])values.Clone()));
            line.Clear();
            line.Append(idIdx >= 0 ? CsvText.Escape(row.Values[idIdx]) : row.Line.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(s.Probability.ToString("0.######", CultureInfo.InvariantCulture)).Append(',')
                .Append(s.Score.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(CsvText.Escape(band));
            if (options.Reasons)
                line.Append(',').Append(CsvText.Escape(string.Join("; ", s.Up.Select(r => r.Field))))
                    .Append(',').Append(CsvText.Escape(string.Join("; ", s.Down.Select(r => r.Field))));
            if (options.ErrorRows) line.Append(',');
            output.Write(line.Append('\n'));
            scored++;
        }
        return new CsvScoringResult(scored, skipped);

        void Bad(CsvFormatException e, string? id)
        {
            if (options.Strict) throw e;
            skipped++;
            options.OnBadRow?.Invoke(e);
            if (options.ErrorRows) WriteErrorRow(output, id ?? e.Line.ToString(CultureInfo.InvariantCulture), e.Message, options.Reasons);
        }
    }

    /// <summary>
    /// Why a row's id cannot be a lead id (<see cref="LeadIds"/>), as the row's error, or null. An empty id is allowed:
    /// such a lead is scored and logged without one, as on the JSON routes. The error row shows the line, not the id.
    /// </summary>
    internal static CsvFormatException? IdProblem(string source, string idColumn, CsvRow row, int idIdx)
    {
        var id = row.Values[idIdx];
        return id.Length == 0 || LeadIds.Problem(id) is not { } why ? null
            : new CsvFormatException($"{source}: line {row.Line}: {idColumn}: not a lead id: {why}", row.Line, idColumn);
    }

    /// <summary>A row standing for an input row that could not be scored: empty scores, band <c>error</c>, the message.</summary>
    public static void WriteErrorRow(TextWriter output, string id, string message, bool reasons) =>
        output.Write($"{CsvText.Escape(id)},,,error{(reasons ? ",," : "")},{CsvText.Escape(message)}\n");
}
