using LeadPropensity.Serving.Auth;
using LeadPropensity.Serving.Extensions;
using LeadPropensity.Serving.Predict;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Bench;

/// <summary>
/// POST /bench/echo (only with Bench:Echo=true): the same body reading, JSON parsing, auth and rate limiting as
/// /predict, then a fixed answer. The gap between the two is what scoring costs.
/// </summary>
public static class EchoApi
{
    private static readonly PredictResponse Fixed = new("echo", 0.5, 50, "MQL", "echo", null, [], []);

    public static IEndpointRouteBuilder MapBenchEcho(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Bench:Echo")) return app;
        app.MapGroup("/bench").WithTags("Bench").RequireAuthorization(Roles.Scorer)
            .MapPost("/echo", Echo).WithName("BenchEcho").WithSummary("Parse a lead like /predict and return a fixed answer (benchmarks only).")
            .Accepts<PredictRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    public static async Task<Results<JsonBody<PredictResponse>, ValidationProblem, ProblemHttpResult>> Echo(
        HttpRequest request, IOptions<PredictOptions> options, CancellationToken ct)
    {
        using var body = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes, ct);
        if (body is null) return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge);
        var parsed = LeadJson.ParseOne(body.Span);
        if (parsed.IsMalformed || parsed.Errors.Count > 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["not a lead"] });
        // Written like /predict's answer, so the comparison is of the work between parsing and answering.
        return new JsonBody<PredictResponse>(Fixed with { LeadId = parsed.Leads[0].LeadId }, ServingJsonContext.Default.PredictResponse);
    }
}
