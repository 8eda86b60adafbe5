using System.ComponentModel.DataAnnotations;
using LeadPropensity.Core.Monitoring;
using LeadPropensity.Core.Reporting;
using LeadPropensity.Core.Schema;
using LeadPropensity.Core.State;
using LeadPropensity.Serving.Auth;
using LeadPropensity.Serving.Models;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Monitoring;

/// <summary>Monitoring: alert thresholds and the default window of GET /monitoring.</summary>
public sealed class MonitoringOptions
{
    /// <summary>PSI above which score or field drift raises an alert.</summary>
    [Range(0.0, 100.0)] public double PsiAlert { get; set; } = 0.2;
    /// <summary>How far live ECE may exceed the held-out ECE before an alert.</summary>
    [Range(0.0, 1.0)] public double EceAlert { get; set; } = 0.05;
    /// <summary>Fewest answers (or outcomes) before PSI (or ECE) is computed and can alert.</summary>
    [Range(1, 1_000_000)] public int MinSample { get; set; } = 30;
    /// <summary>The window when the request gives no <c>from</c>: this long before <c>to</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")] public TimeSpan DefaultWindow { get; set; } = TimeSpan.FromDays(30);

    public MonitoringThresholds Thresholds => new() { PsiAlert = PsiAlert, EceAlert = EceAlert, MinSample = MinSample };
}

/// <summary>GET /monitoring: a thin shell over Core's <see cref="MonitoringBuilder"/> fed from the state store.</summary>
public static class MonitoringApi
{
    public static RouteGroupBuilder MapMonitoring(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/monitoring").WithTags("Monitoring").RequireAuthorization(Roles.Analyst)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("", GetMonitoring).WithName("GetMonitoring")
            .WithSummary("Volume by source and band, band mix against held-out, score and top-field drift (PSI), live calibration from outcomes, alerts.")
            .WithDescription("`from`/`to` (ISO 8601, UTC unless an offset is given) bound the predictions' time, [from, to); the default is the last Monitoring:DefaultWindow. " +
                             "Drift and calibration use the served model's own answers; rules answers count in volume only.");
        return group;
    }

    public static async Task<Results<Ok<MonitoringReport>, ValidationProblem>> GetMonitoring(
        string? from, string? to, IStateStore store, ModelHolder models, IBandCutoffsProvider cutoffs, IOptions<MonitoringOptions> options, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var end = Parse(to, "to", errors) ?? DateTime.UtcNow;
        // A 'to' near the calendar's start leaves less than the window before it: the window then starts there.
        var start = Parse(from, "from", errors)
                    ?? (end.Ticks - DateTime.MinValue.Ticks > options.Value.DefaultWindow.Ticks ? end - options.Value.DefaultWindow : DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc));
        if (errors.Count == 0 && start >= end) errors["from"] = [$"'from' ({start:O}) must be before 'to' ({end:O})"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var served = models.Current;
        var baseline = served is null ? null : MonitoringBaseline.From(served.Bundle, cutoffs.For(served.Bundle), TrainingReport(served.Bundle.Path));
        var builder = new MonitoringBuilder(baseline, options.Value.Thresholds);
        await foreach (var p in store.StreamPredictionsAsync(start, end, ct)) builder.Add(p);
        var outcomes = await store.GetScoredOutcomesAsync(start, end, ct);
        var unscored = await store.CountUnscoredOutcomesAsync(ct);
        return TypedResults.Ok(builder.Build(start, end, outcomes, unscored));
    }

    /// <summary>The bundle's report.json, or null when it has none or it cannot be read (field drift is then skipped, and the answer says so).</summary>
    private static Report? TrainingReport(string bundleDir)
    {
        try { return ReportWriter.TryRead(bundleDir); }
        catch (InvalidDataException) { return null; }
    }

    private static DateTime? Parse(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (ValueParsing.TryIsoInstant(value, out var d)) return d;
        errors[name] = [$"'{value}' is not a date-time: use ISO 8601, e.g. 2025-06-01 or 2025-06-01T12:00:00Z"];
        return null;
    }
}
