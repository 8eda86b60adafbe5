using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeadPropensity.Serving.Health;

/// <summary>GET /health/live and /health/ready, open to probes without a key.</summary>
public static class HealthApi
{
    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        // HEAD too: load balancers and uptime probes often ask with HEAD and read the status alone.
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        group.MapMethods("/live", methods, Live).WithName("Live").WithSummary("The process is up.");
        group.MapMethods("/ready", methods, Ready).WithName("Ready")
            .WithSummary("Ready to score: says whether the model or the rules answer (the rules are loaded at start, so the service is always ready once started).");
        return group;
    }

    public sealed record LiveStatus(string Status);

    public sealed record ReadyStatus(string Status, string AnsweredBy, string? ModelVersion, int Rules, string? LastModelError);

    public static Ok<LiveStatus> Live() => TypedResults.Ok(new LiveStatus("live"));

    public static Ok<ReadyStatus> Ready(ModelHolder models, LeadScorer scorer)
    {
        var served = models.Current;
        return TypedResults.Ok(new ReadyStatus("ready", served is null ? LeadScorer.RulesSource : LeadScorer.ModelSource,
            served?.Version, scorer.Rules.Rules.Count, models.LastError));
    }
}
