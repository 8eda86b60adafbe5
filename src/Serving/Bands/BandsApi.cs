using System.Security.Claims;
using LeadPropensity.Core.Bands;
using LeadPropensity.Core.State;
using LeadPropensity.Serving.Auth;
using LeadPropensity.Serving.Models;
using LeadPropensity.Serving.Predict;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeadPropensity.Serving.Bands;

/// <summary>Band cutoffs: GET /bands, PUT /bands, GET /bands/history, POST /bands/simulate.</summary>
public static class BandsApi
{
    private const long MaxBodyBytes = 64 * 1024;

    public static RouteGroupBuilder MapBands(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/bands").WithTags("Bands").RequireAuthorization(Roles.Analyst)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapGet("", GetBands).WithName("GetBands")
            .WithSummary("The cutoffs in force (as probabilities), how they were given, who set them, when and why, and the band names.");
        group.MapPut("", PutBands).WithName("PutBands").RequireAuthorization(Roles.Admin)
            .WithSummary("Set the cutoffs as probabilities { mql, sql, reason } or held-out percentiles { mqlPercentile, sqlPercentile, reason }; effective at once.")
            .Accepts<PutBandsRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/history", GetHistory).WithName("GetBandHistory")
            .WithSummary("The audit trail of cutoff changes, newest first: who, when, old → new, why.");
        group.MapPost("/simulate", Simulate).WithName("SimulateBands")
            .WithSummary("What candidate cutoffs would have done on the served model's held-out leads; optionally the SQL cutoff for a precision target or the top K%.")
            .WithDescription("Body: { mql, sql } or { mqlPercentile, sqlPercentile } (leave both out to simulate the cutoffs in force), plus optional targetPrecision (0–1] and topPercent (0–100).")
            .Accepts<SimulateBandsRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return group;
    }

    /// <summary>The PUT body, for the OpenAPI document (the body is read by hand to name every problem's field).</summary>
    public sealed record PutBandsRequest(double? Mql, double? Sql, double? MqlPercentile, double? SqlPercentile, string Reason);

    /// <summary>The simulate body, for the OpenAPI document.</summary>
    public sealed record SimulateBandsRequest(double? Mql, double? Sql, double? MqlPercentile, double? SqlPercentile, double? TargetPrecision, double? TopPercent);

    public static Ok<BandsView> GetBands(ModelHolder models, StoredBandCutoffsProvider bands) => TypedResults.Ok(View(models.Current, bands));

    public static async Task<Results<Ok<BandsView>, ValidationProblem, ProblemHttpResult>> PutBands(
        HttpRequest request, ClaimsPrincipal user, IStateStore store, StoredBandCutoffsProvider bands, ModelHolder models, CancellationToken ct)
    {
        using var raw = await RequestBody.ReadAsync(request, MaxBodyBytes, ct);
        if (raw is null) return TooLarge();
        var (body, errors) = BandsBody.Parse(raw.Span, forPut: true);
        if (errors is not null) return Invalid(errors);
        var setting = await store.SetBandsAsync(body!.Spec!, user.Identity?.Name ?? "unknown", body.Reason!, ct);
        bands.Apply(setting); // this replica at once; the others within Bands:PollInterval
        return TypedResults.Ok(View(models.Current, bands));
    }

    public static async Task<Results<Ok<List<BandChange>>, ValidationProblem>> GetHistory(IStateStore store, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > 10_000)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"must lie between 1 and 10000 (got {limit})"] });
        var entries = await store.GetBandHistoryAsync(limit ?? 100, ct);
        return TypedResults.Ok(entries.Select(BandChange.Of).ToList());
    }

    public static async Task<Results<Ok<SimulationView>, ValidationProblem, ProblemHttpResult>> Simulate(
        HttpRequest request, ModelHolder models, StoredBandCutoffsProvider bands, CancellationToken ct)
    {
        using var raw = await RequestBody.ReadAsync(request, MaxBodyBytes, ct);
        if (raw is null) return TooLarge();
        var (body, errors) = BandsBody.Parse(raw.Span, forPut: false);
        if (errors is not null) return Invalid(errors);
        if (models.Current is not { } served)
            return Conflict("No model is loaded", "The simulator replays a model's held-out leads, and no model is served (see /health/ready).");
        var bundle = served.Bundle;
        var (p, y) = (bundle.Manifest.HeldOut.Probabilities, bundle.Manifest.HeldOut.Labels);
        if (p.Length == 0 || p.Length != y.Length)
            return Conflict("The model has no held-out data", $"Model {bundle.Version}'s manifest holds no usable held-out scores and outcomes to simulate with.");

        BandCutoffs cutoffs;
        GivenCutoffs given;
        try
        {
            if (body!.Spec is { } spec) (cutoffs, given) = (spec.Resolve(p), GivenCutoffs.Of(spec));
            else
            {
                var inForce = bands.Resolve(bundle);
                cutoffs = inForce.Cutoffs;
                given = inForce is { Setting: { } s, Problem: null } ? GivenCutoffs.Of(s.Spec) : Recommended(bundle.Manifest.RecommendedCutoffs);
            }
        }
        catch (BandException e) { return Conflict("The cutoffs cannot be placed on this model", e.Message); }

        var sim = CutoffSimulator.Simulate(p, y, cutoffs);
        PrecisionTargetView? target = null;
        if (body.TargetPrecision is { } t)
        {
            var r = CutoffSimulator.ForPrecision(p, y, t);
            target = new PrecisionTargetView(t, r.Quality is not null, SimulatedBandView.Num(r.BestPrecision),
                r.Quality is null ? null : CutoffQualityView.Of(r.Quality));
        }
        var top = body.TopPercent is { } k ? new TopPercentView(k, CutoffQualityView.Of(CutoffSimulator.ForTopPercent(p, y, k))) : null;
        return TypedResults.Ok(new SimulationView(bundle.Version, given, CutoffProbabilities.Of(cutoffs), sim.Leads, sim.Conversions, sim.BaseRate,
            sim.Bands.Select(SimulatedBandView.Of).ToList(), CutoffQualityView.Of(sim.Sql), CutoffQualityView.Of(sim.MqlOrBetter), target, top,
            $"Replayed on model {bundle.Version}'s {sim.Leads} held-out leads (its test split, never trained on). Intervals are 95% Wilson. " +
            "Held-out leads carry no disqualification, so disqualifying rules are not simulated."));
    }

    /// <summary>GET /bands's answer from one snapshot of the served model and the stored setting.</summary>
    private static BandsView View(ServedModel? served, StoredBandCutoffsProvider bands)
    {
        if (served is null)
        {
            var setting = bands.Setting;
            if (setting is null)
                return new BandsView("none", null, null, null, null, null, "no cutoffs are set and no model is loaded", 0, BandNamesView.Of(BandNames.Default),
                    "The rules band every lead until a model is served.");
            var absolute = setting.Spec.Kind == CutoffKind.Probability ? CutoffProbabilities.Of(setting.Spec.Resolve([])) : null;
            return new BandsView("stored", null, absolute, GivenCutoffs.Of(setting.Spec), setting.SetBy, setting.SetAt, setting.Reason,
                setting.Version, BandNamesView.Of(setting.Spec.Names), "No model is loaded: the rules band every lead." +
                (absolute is null ? " Percentile cutoffs become probabilities when a model is served." : ""));
        }
        var bundle = served.Bundle;
        var r = bands.Resolve(bundle);
        var cutoffs = CutoffProbabilities.Of(r.Cutoffs);
        if (r.Setting is { } s)
            return new BandsView("stored", bundle.Version, cutoffs, GivenCutoffs.Of(s.Spec), s.SetBy, s.SetAt, s.Reason,
                s.Version, BandNamesView.Of(s.Spec.Names), r.Problem is null
                    ? (s.Spec.Kind == CutoffKind.Percentile ? $"Percentiles of model {bundle.Version}'s held-out scores; re-placed when another model is promoted." : null)
                    : r.Problem);
        var rec = bundle.Manifest.RecommendedCutoffs;
        return new BandsView("recommended", bundle.Version, cutoffs, Recommended(rec), null, null,
            $"recommended by model {bundle.Version} ({rec.Rule})", 0, BandNamesView.Of(r.Cutoffs.Names), "Nobody has set cutoffs; PUT /bands to set them.");
    }

    private static GivenCutoffs Recommended(LeadPropensity.Core.Bundles.RecommendedCutoffs rec) => new(CutoffKind.Probability, rec.Mql, rec.Sql, null, null);

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "The band cutoffs request is not valid: " +
            string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));

    private static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large", detail: $"A bands request is at most {MaxBodyBytes} bytes.");
}
