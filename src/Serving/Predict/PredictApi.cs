using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Auth;
using LeadPropensity.Serving.Extensions;
using LeadPropensity.Serving.Models;
using LeadPropensity.Serving.Monitoring;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Predict;

/// <summary>POST /predict and /predict/batch: score one lead or many (JSON, or CSV streamed in and out).</summary>
public static class PredictApi
{
    public static RouteGroupBuilder MapPredict(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/predict").WithTags("Predict").RequireAuthorization(Roles.Scorer)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("", Predict)
            .WithName("Predict")
            .WithSummary("Score one lead: calibrated probability, 0–100 score, band, reasons (model, or rules as the fallback).")
            .WithDescription("`?engine=rules` asks for the rules. A wrong type, or a field sent twice with different values (names match ignoring case), is a 400 naming `features.<field>`; a missing field is scored as missing and listed in `warnings`.")
            .Accepts<PredictRequest>("application/json");

        group.MapPost("/batch", Batch)
            .WithName("PredictBatch")
            .WithSummary("Score many leads: a JSON array (up to Predict:MaxBatchSize), or text/csv in and text/csv out, streamed for any size.")
            .WithDescription("CSV: one row per input row with the id (or line), probability, score and band; a row that cannot be scored gets band `error` and the message in the `error` column. `?reasons=true` adds reason columns.")
            .Accepts<List<PredictRequest>>("application/json", "text/csv")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            // A CSV stream has no size limit, also when it is sent compressed (the decompression middleware would otherwise
            // hold it to the server's limit); a JSON batch keeps Predict:MaxBatchBodyBytes, which RequestBody enforces on
            // the bytes it reads, decompressed or not.
            .WithMetadata(new NoRequestSizeLimit());

        return group;
    }

    public static async Task<Results<JsonBody<PredictResponse>, ValidationProblem, ProblemHttpResult>> Predict(
        HttpRequest request, LeadScoringService scoring, PredictionLog log, IOptions<PredictOptions> options, string? engine, CancellationToken ct)
    {
        if (!TryEngine(engine, out var chosen, out var engineError)) return engineError!;
        using var body = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes, ct);
        if (body is null) return TooLarge(options.Value.MaxBodyBytes, "Predict:MaxBodyBytes");
        var parsed = LeadJson.ParseOne(body.Span);
        if (Invalid(parsed) is { } invalid) return invalid;
        var lead = parsed.Leads[0];
        var a = scoring.Assess(scoring.Models.Current, lead.Features, chosen);
        if (!a.IsValid) return FieldProblems([(a, "")]);
        log.Record(lead.LeadId, lead.Features, a.Result!);
        return new JsonBody<PredictResponse>(PredictResponse.From(lead.LeadId, a.Result!), ServingJsonContext.Default.PredictResponse);
    }

    public static async Task<Results<JsonBatchResult, ValidationProblem, ProblemHttpResult, CsvBatchResult>> Batch(
        HttpRequest request, LeadScoringService scoring, PredictionLog log, IOptions<PredictOptions> options, CsvStreams csvStreams, string? engine,
        bool? reasons, CancellationToken ct)
    {
        if (!TryEngine(engine, out var chosen, out var engineError)) return engineError!;
        if (CsvBatch.IsCsv(request)) return await CsvBatch.StartAsync(request, scoring, chosen, reasons ?? false, log, csvStreams);
        var max = options.Value.MaxBatchBodyBytes;
        using var body = await RequestBody.ReadAsync(request, max, ct);
        if (body is null) return TooLarge(max, "Predict:MaxBatchBodyBytes");
        // Read and scored on all cores; a batch with anything to report is read again in order, for errors that name where.
        var served = scoring.Models.Current;
        var scored = JsonBatch.TryScore(body.Memory, options.Value.MaxBatchSize, scoring, served, chosen);
        if (scored is null)
        {
            var parsed = LeadJson.ParseBatch(body.Span, options.Value.MaxBatchSize);
            if (Invalid(parsed) is { } invalid) return invalid;
            scored = JsonBatch.Score(scoring, served, [.. parsed.Leads], chosen);
        }
        if (!scored.AllValid)
        {
            scored.Dispose();
            return FieldProblems(scored.Invalid.Select((a, i) => (A: a, Prefix: $"[{i}].")).Where(p => p.A is not null).Select(p => (p.A!, p.Prefix)));
        }
        try
        {
            foreach (var entry in scored.Logged)
            {
                scoring.Metrics.Scored(entry!.Band, entry.Source);
                await log.RecordAsync(entry, ct);
            }
        }
        catch
        {
            scored.Dispose();
            throw;
        }
        return new JsonBatchResult(scored);
    }

    private sealed class NoRequestSizeLimit : Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => null;
    }

    private static bool TryEngine(string? engine, out ScoringEngine chosen, out ValidationProblem? error)
    {
        error = null;
        chosen = ScoringEngine.Auto;
        if (engine is null || engine.Equals("auto", StringComparison.OrdinalIgnoreCase)) return true;
        if (engine.Equals("rules", StringComparison.OrdinalIgnoreCase)) { chosen = ScoringEngine.Rules; return true; }
        error = TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["engine"] = [$"'{engine}' is not an engine: use auto (the default) or rules"] });
        return false;
    }

    private static ValidationProblem? Invalid(ParsedLeads parsed)
    {
        if (parsed.IsMalformed)
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = [$"malformed JSON at line {parsed.Line}, byte {parsed.Byte}: {parsed.Malformed}"] },
                detail: $"The body is not valid JSON (line {parsed.Line}, byte {parsed.Byte} of that line).",
                extensions: new Dictionary<string, object?> { ["line"] = parsed.Line, ["bytePositionInLine"] = parsed.Byte });
        return parsed.Errors.Count == 0 ? null : TypedResults.ValidationProblem(parsed.Errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }

    private static ValidationProblem FieldProblems(IEnumerable<(LeadAssessment A, string Prefix)> assessed)
    {
        var errors = new Dictionary<string, List<string>>();
        foreach (var (a, prefix) in assessed)
            foreach (var p in a.Problems) LeadJson.Add(errors, $"{prefix}features.{p.Field}", p.Message);
        return TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
            detail: "Some feature values cannot be scored as sent: a value of the wrong type for the served model's schema, or a field sent twice with different values.");
    }

    private static ProblemHttpResult TooLarge(long max, string setting) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large",
            detail: $"The body is larger than {max} bytes ({setting}). For large batches send text/csv, which is streamed.");
}
