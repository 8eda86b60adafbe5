using System.Text;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Extensions;
using LeadPropensity.Serving.Models;
using LeadPropensity.Serving.Monitoring;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeadPropensity.Serving.Predict;

/// <summary>
/// text/csv in, text/csv out, streamed row by row through Core's CSV scorers, so a batch of any size runs in constant
/// memory. Problems found before the first row (no header, a missing model column) are a 400; after that the
/// status is sent, so a bad row becomes an output row with band <c>error</c> and its message in the <c>error</c> column.
/// </summary>
public static class CsvBatch
{
    public static bool IsCsv(HttpRequest request) =>
        request.ContentType is { } t && (t.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) || t.StartsWith("application/csv", StringComparison.OrdinalIgnoreCase));

    public static Results<JsonBatchResult, ValidationProblem, ProblemHttpResult, CsvBatchResult> Start(
        HttpRequest request, LeadScoringService scoring, ScoringEngine engine, bool reasons, PredictionLog log)
    {
        // The CSV readers are synchronous and the body has no size limit: it is streamed, never buffered.
        if (request.HttpContext.Features.Get<IHttpBodyControlFeature>() is { } body) body.AllowSynchronousIO = true;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
        var served = engine == ScoringEngine.Rules ? null : scoring.Models.Current;
        CsvTableReader reader;
        try
        {
            reader = CsvTableReader.FromStream(request.Body, "request");
            if (served is not null) _ = new RowMapper(served.Bundle.Schema, reader.Headers, "request", served.Bundle.Fields);
        }
        catch (CsvFormatException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Column is null ? "body" : $"columns.{e.Column}"] = [e.Message] },
                detail: "The CSV cannot be scored: its header must name every field the served model uses (see GET /model/schema).");
        }
        return new CsvBatchResult(reader, served, scoring, reasons, log);
    }
}

/// <summary>Streams the scored CSV as the response body.</summary>
public sealed class CsvBatchResult(CsvTableReader reader, ServedModel? served, LeadScoringService scoring, bool reasons, PredictionLog log) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/csv; charset=utf-8";
        var source = served is null ? "rules" : "model";
        var options = new CsvScoringOptions
        {
            Reasons = reasons, ErrorRows = true,
            Cutoffs = served is null ? null : scoring.Cutoffs.For(served.Bundle),
            OnScored = band => scoring.Metrics.Scored(band, source),
            OnRow = row => log.RecordWaiting(row, source, served?.Version, httpContext.RequestAborted),
            Disqualified = served is null ? null : Disqualifier(served),
        };
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 1 << 16);
        using (reader)
        {
            try
            {
                if (served is null) RulesCsvScorer.Score(scoring.Scorer.Rules, reader, writer, options, scoring.Models.Current?.Bundle.Schema.Id ?? "lead_id");
                else CsvScorer.Score(served.Bundle, reader, writer, options, "request");
            }
            catch (CsvFormatException e)
            {
                // The status line is gone by now: say what stopped the stream in a last row.
                CsvScorer.WriteErrorRow(writer, e.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), $"the stream stopped: {e.Message}", reasons);
            }
        }
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    private Func<string?[], bool> Disqualifier(ServedModel model)
    {
        var row = new FieldRow(model.Bundle.Fields);
        var rules = scoring.Scorer.Rules;
        return values => rules.DisqualifiedBy(row.Set(values)) is not null;
    }
}
