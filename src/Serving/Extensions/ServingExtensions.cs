using System.Threading.RateLimiting;
using LeadPropensity.Core.Rules;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Auth;
using LeadPropensity.Serving.Models;
using LeadPropensity.Serving.Monitoring;
using LeadPropensity.Serving.Predict;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Prometheus;

namespace LeadPropensity.Serving.Extensions;

/// <summary>Service registration and the middleware pipeline, so Program.cs reads as a table of contents.</summary>
public static class ServingExtensions
{
    /// <summary>ProblemDetails for every error, JSON settings, options bound and validated on start, Kestrel limits.</summary>
    public static IHostApplicationBuilder AddServingDefaults(this IHostApplicationBuilder builder)
    {
        ConfigureFrameworkMeters(builder.Configuration.GetValue<bool>("Metrics:FrameworkMeters"));
        var s = builder.Services;
        s.AddRequestDecompression();
        s.AddProblemDetails(o => o.CustomizeProblemDetails = UnsupportedMediaTypeDetail);
        s.AddExceptionHandler<ClientErrorHandler>();
        // A query or route value that does not bind (e.g. ?reasons=maybe) throws instead of a bare 400, so that
        // ClientErrorHandler answers with ProblemDetails naming the parameter.
        s.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        s.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServingJsonContext.Default));
        s.AddOptions<ModelsOptions>().BindConfiguration("Models").ValidateDataAnnotations().ValidateOnStart();
        s.AddOptions<RulesOptions>().BindConfiguration("Rules").ValidateDataAnnotations().ValidateOnStart();
        s.AddOptions<ScoringOptions>().BindConfiguration("Scoring").ValidateDataAnnotations().ValidateOnStart();
        s.AddOptions<PredictOptions>().BindConfiguration("Predict").ValidateDataAnnotations().ValidateOnStart();
        s.AddOptions<KestrelServerOptions>().Configure<IOptions<PredictOptions>>((k, p) =>
            k.Limits.MaxRequestBodySize = Math.Max(p.Value.MaxBodyBytes, p.Value.MaxBatchBodyBytes));
        return builder;
    }

    /// <summary>
    /// prometheus-net publishes every .NET meter on /metrics unless told otherwise. ASP.NET Core's own meters (hosting,
    /// Kestrel, routing, authentication, authorization, rate limiting, the memory pool) and System.Net's record several
    /// measurements on every request; through the adapter (which starts with the first scrape) they cost a sixth to a third
    /// of a bare request's server CPU (bench/RESULTS.md) while repeating what UseHttpMetrics already publishes
    /// (http_request_duration_seconds, http_requests_received_total). They are left out unless Metrics:FrameworkMeters is
    /// true; the runtime's meters (GC, thread pool, JIT), read only when /metrics is scraped, stay, as do the framework's
    /// polled event counters (current requests, connections). Process-wide, so the first host to start decides.
    /// </summary>
    private static void ConfigureFrameworkMeters(bool publish)
    {
        if (publish) return;
        Metrics.ConfigureMeterAdapter(o => o.InstrumentFilterPredicate = i =>
            !i.Meter.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && !i.Meter.Name.StartsWith("System.Net", StringComparison.Ordinal));
    }

    /// <summary>X-Api-Key authentication and one policy per role (admin passes every policy).</summary>
    public static IHostApplicationBuilder AddApiKeyAuth(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddOptions<ApiKeyOptions>().BindConfiguration("Auth").ValidateOnStart();
        s.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        s.AddAuthentication(ApiKeyHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null);
        s.AddAuthorizationBuilder()
            .AddPolicy(Roles.Scorer, p => p.RequireRole(Roles.Scorer, Roles.Admin))
            .AddPolicy(Roles.Analyst, p => p.RequireRole(Roles.Analyst, Roles.Admin))
            .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin));
        return builder;
    }

    /// <summary>
    /// A token bucket per API key name, and one per client address for keys that match none (so keys cannot be guessed at
    /// the service's own speed); requests without a key (health, metrics, swagger) are not limited.
    /// </summary>
    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration("RateLimit").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
            {
                var key = ctx.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : null;
                if (key is null && !ctx.Request.Headers.ContainsKey(ApiKeyHandler.Header)) return RateLimitPartition.GetNoLimiter("");
                var limits = ctx.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                // A NUL cannot stand in a configured key name, so the partitions of keys that match none never meet a key's own.
                return key is null
                    ? Bucket("\0invalid:" + (ctx.Connection.RemoteIpAddress?.ToString() ?? "?"), limits.InvalidKeyTokenLimit, limits.InvalidKeyTokensPerPeriod, limits.ReplenishmentPeriod)
                    : Bucket(key, limits.TokenLimit, limits.TokensPerPeriod, limits.ReplenishmentPeriod);
            });
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                    http.Response.Headers.RetryAfter = Math.Ceiling(retry.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too Many Requests",
                        Detail = http.User.Identity is { IsAuthenticated: true, Name: { } name }
                            ? $"The key '{name}' has used its request allowance (RateLimit:*); retry later."
                            : "Too many requests with an API key that is not valid from this address (RateLimit:InvalidKey*); retry later." },
                });
            };
        });
        return builder;
    }

    private static RateLimitPartition<string> Bucket(string partition, int tokenLimit, int tokensPerPeriod, TimeSpan period) =>
        RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokenLimit, TokensPerPeriod = tokensPerPeriod, ReplenishmentPeriod = period, QueueLimit = 0, AutoReplenishment = true,
        });

    /// <summary>The rules (loaded and checked at start), the scoring policy, the model holder and its watcher, metrics.</summary>
    public static IHostApplicationBuilder AddLeadScoring(this IHostApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddSingleton(sp => RuleSet.Load(Path.GetFullPath(sp.GetRequiredService<IOptions<RulesOptions>>().Value.Path)));
        s.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ScoringOptions>>().Value;
            return new LeadScorer(sp.GetRequiredService<RuleSet>(),
                new ScoringPolicy { MaxMissingImportantShare = o.MaxMissingImportantShare, ImportantFieldCount = o.ImportantFieldCount });
        });
        s.AddSingleton<ServingMetrics>();
        s.AddSingleton<ModelHolder>();
        s.AddSingleton<IBandCutoffsProvider, RecommendedCutoffsProvider>();
        s.AddSingleton<LeadScoringService>();
        s.AddSingleton<CsvStreams>();
        s.AddHostedService<ChampionWatcher>();
        return builder;
    }

    /// <summary>
    /// The routing's own 415 (a Content-Type the route does not take) says nothing about what to send: this says what was
    /// sent and what the route takes.
    /// </summary>
    private static void UnsupportedMediaTypeDetail(ProblemDetailsContext c)
    {
        if (c.ProblemDetails.Status != StatusCodes.Status415UnsupportedMediaType || c.ProblemDetails.Detail is not null) return;
        var sent = c.HttpContext.Request.ContentType is { Length: > 0 } t ? $"'{t}'" : "no Content-Type";
        var takes = c.HttpContext.Request.Path.StartsWithSegments("/predict/batch", StringComparison.OrdinalIgnoreCase)
            ? "application/json (a JSON array of leads) or text/csv" : "application/json";
        c.ProblemDetails.Detail = $"The body was sent with {sent}; this route takes {takes}.";
    }

    public static WebApplication UseServingPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpMetrics();
        // Content-Encoding: gzip, br or deflate bodies are read decompressed (RequestBody's limits apply to what comes out).
        app.UseRequestDecompression();
        app.UseAuthentication();
        // Before authorization, which answers a key that matches none with a 401 at once: such keys are limited too.
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>GET /metrics: prometheus-net's HTTP request counts and latency histogram plus the scoring metrics.</summary>
    public static IEndpointConventionBuilder MapServingMetrics(this IEndpointRouteBuilder app) =>
        app.MapMetrics().AllowAnonymous().WithName("Metrics").WithSummary("Prometheus metrics.").WithTags("Monitoring");
}
