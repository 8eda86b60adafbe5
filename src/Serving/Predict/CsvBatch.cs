using System.Text;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Extensions;
using LeadPropensity.Serving.Models;
using LeadPropensity.Serving.Monitoring;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Predict;

/// <summary>
/// text/csv in, text/csv out, streamed row by row through Core's CSV scorers, so a batch of any size runs in constant
/// memory. Problems found before the first row (no header, a missing model column, a charset or coding the service cannot
/// read) are a 400 or 415; after that the status is sent, so a bad row becomes an output row with band <c>error</c> and its
/// message in the <c>error</c> column, and whatever stops the stream is said in a last such row.
/// </summary>
public static class CsvBatch
{
    public static bool IsCsv(HttpRequest request) =>
        request.ContentType is { } t && (t.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) || t.StartsWith("application/csv", StringComparison.OrdinalIgnoreCase));

    public static async Task<Results<JsonBatchResult, ValidationProblem, ProblemHttpResult, CsvBatchResult>> StartAsync(
        HttpRequest request, LeadScoringService scoring, ScoringEngine engine, bool reasons, PredictionLog log, CsvStreams streams)
    {
        var encoding = RequestBody.Decoding(request);
        if (!streams.TryEnter())
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests",
                detail: $"{streams.Max} CSV streams are being scored already (Predict:MaxConcurrentCsvStreams); retry when one has finished.");
        }
        var handedOver = false;
        try
        {
            // The CSV readers are synchronous and the body has no size limit: it is streamed, never buffered.
            if (request.HttpContext.Features.Get<IHttpBodyControlFeature>() is { } body) body.AllowSynchronousIO = true;
            if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
            var served = engine == ScoringEngine.Rules ? null : scoring.Models.Current;
            CsvTableReader reader;
            try
            {
                // Even the header is read synchronously: on a thread of its own, so a slow upload holds no thread-pool thread.
                reader = await CsvStreams.OnOwnThread(() =>
                {
                    var r = CsvTableReader.FromStream(request.Body, "request", encoding: encoding);
                    try
                    {
                        if (served is not null) _ = new RowMapper(served.Bundle.Schema, r.Headers, "request", served.Bundle.Fields);
                        return r;
                    }
                    catch
                    {
                        r.Dispose();
                        throw;
                    }
                });
            }
            catch (CsvFormatException e)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Column is null ? "body" : $"columns.{e.Column}"] = [e.Message] },
                    detail: "The CSV cannot be scored: its header must name every field the served model uses (see GET /model/schema).");
            }
            handedOver = true;
            return new CsvBatchResult(reader, served, scoring, reasons, log, streams);
        }
        finally
        {
            if (!handedOver) streams.Exit();
        }
    }
}

/// <summary>
/// How many CSV streams are scored at once (Predict:MaxConcurrentCsvStreams). Each one holds a thread of its own for as
/// long as its upload lasts, so that slow uploads cannot starve the thread pool that every other request needs.
/// </summary>
public sealed class CsvStreams(IOptions<PredictOptions> options)
{
    private int _running;
    public int Max { get; } = options.Value.MaxConcurrentCsvStreams;
    /// <summary>Streams holding a place now.</summary>
    public int Running => Volatile.Read(ref _running);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _running) <= Max) return true;
        Interlocked.Decrement(ref _running);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _running);

    /// <summary>Runs blocking work on a thread of its own rather than on a thread-pool thread.</summary>
    public static Task<T> OnOwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}

/// <summary>Streams the scored CSV as the response body.</summary>
public sealed class CsvBatchResult(CsvTableReader reader, ServedModel? served, LeadScoringService scoring, bool reasons, PredictionLog log, CsvStreams streams)
    : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var _ = reader;
        try
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/csv; charset=utf-8";
            var source = served is null ? "rules" : "model";
            var options = new CsvScoringOptions
            {
                Reasons = reasons, ErrorRows = true, CheckLeadIds = true,
                Cutoffs = served is null ? null : scoring.Cutoffs.For(served.Bundle),
                OnScored = band => scoring.Metrics.Scored(band, source),
                OnRow = row => log.RecordWaiting(row, source, served?.Version, httpContext.RequestAborted),
                Disqualified = served is null ? null : Disqualifier(served),
            };
            var logger = httpContext.RequestServices.GetRequiredService<ILogger<CsvBatchResult>>();
            await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 1 << 16);
            await CsvStreams.OnOwnThread(() =>
            {
                Score(writer, options, logger, httpContext.RequestAborted);
                return true;
            });
            await writer.FlushAsync(httpContext.RequestAborted);
        }
        finally
        {
            streams.Exit();
        }
    }

    private void Score(StreamWriter writer, CsvScoringOptions options, ILogger logger, CancellationToken aborted)
    {
        try
        {
            if (served is null)
                RulesCsvScorer.Score(scoring.Scorer.Rules, reader, writer, options, scoring.Models.Current?.Bundle.Schema.Id ?? "lead_id", "request");
            else CsvScorer.Score(served.Bundle, reader, writer, options, "request");
        }
        catch (CsvFormatException e)
        {
            // The status line is gone by now: say what stopped the stream in a last row.
            Stopped(writer, e.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        }
        catch (Exception e) when (RequestBody.IsUndecodable(e))
        {
            Stopped(writer, "0", RequestBody.Undecodable(e).Message);
        }
        catch (BadHttpRequestException e)
        {
            // The body ended early, arrived too slowly or broke a limit: the client is likely gone, but say so if it is not.
            logger.LogInformation("POST /predict/batch (CSV): the request could not be read ({Status}): {Message}", e.StatusCode, e.Message);
            Stopped(writer, "0", $"the request could not be read: {e.Message}");
        }
        catch (Exception e) when (aborted.IsCancellationRequested || e is IOException)
        {
            // The client went away (a reset connection surfaces as an IOException): nobody is left to tell.
            logger.LogInformation("POST /predict/batch (CSV): the client went away mid-stream ({Error})", e.GetType().Name);
        }
        catch (Exception e)
        {
            // Not the caller's doing: logged as the service's failure, and said in a last row rather than by cutting the
            // connection, so the caller knows the answer ends here and not where the connection happened to drop.
            logger.LogError(e, "POST /predict/batch (CSV): scoring stopped");
            Stopped(writer, "0", $"the service failed and stopped scoring here ({e.GetType().Name}); the rows above are scored, the rest are not");
        }
    }

    private void Stopped(StreamWriter writer, string line, string message)
    {
        try { CsvScorer.WriteErrorRow(writer, line, $"the stream stopped: {message}", reasons); }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException) { /* the client went away */ }
    }

    private Func<string?[], bool> Disqualifier(ServedModel model)
    {
        var row = new FieldRow(model.Bundle.Fields);
        var rules = scoring.Scorer.Rules;
        return values => rules.DisqualifiedBy(row.Set(values)) is not null;
    }
}
