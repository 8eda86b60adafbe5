using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using LeadPropensity.Core.Schema;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Core.State;
using LeadPropensity.Serving.Auth;
using LeadPropensity.Serving.Extensions;
using LeadPropensity.Serving.Predict;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LeadPropensity.Serving.Outcomes;

/// <summary>Outcomes: limits of POST /outcomes.</summary>
public sealed class OutcomesOptions
{
    [Range(1, 1_000_000)] public int MaxBatchSize { get; set; } = 10_000;
    [Range(1024, 1L << 30)] public long MaxBodyBytes { get; set; } = 8 * 1024 * 1024;
}

/// <summary>An item that was not recorded, with its errors keyed as in a ValidationProblem (<c>[3].outcome</c>).</summary>
public sealed record OutcomeRejection(int Index, string? LeadId, IReadOnlyDictionary<string, string[]> Errors);

/// <summary>
/// What POST /outcomes did. Of the <see cref="Accepted"/> items: <see cref="Inserted"/> new leads, <see cref="Updated"/>
/// changed outcomes, <see cref="Unchanged"/> repeats or older news; <see cref="Unscored"/> of the batch's leads have no logged
/// prediction (kept all the same), <see cref="UnscoredTotal"/> such outcomes in the whole store.
/// </summary>
public sealed record OutcomesResponse(
    int Received, int Accepted, int Inserted, int Updated, int Unchanged, int Unscored, long UnscoredTotal, IReadOnlyList<OutcomeRejection> Rejected);

/// <summary>
/// POST /outcomes: won/lost per lead id, idempotent (per lead the latest <c>at</c> wins; of equal times the last sent).
/// Good items are recorded and bad ones reported per item with a 200; a 400 only when no item is valid.
/// </summary>
public static class OutcomesApi
{
    public const int MaxLeadIdLength = LeadIds.MaxLength;

    public static RouteGroupBuilder MapOutcomes(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/outcomes").WithTags("Outcomes").RequireAuthorization(Roles.Scorer)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("", PostOutcomes).WithName("PostOutcomes")
            .WithSummary("Record won/lost outcomes: [{ leadId, outcome: won|lost, at }]. Idempotent; the latest `at` per lead wins.")
            .WithDescription("Valid items are recorded and invalid ones listed in `rejected` with errors keyed `[i].field` (200); " +
                             "a 400 ValidationProblem only when no item is valid. Outcomes for leads never scored are kept and counted in `unscored`.")
            .Accepts<List<OutcomeItem>>("application/json");
        return group;
    }

    /// <summary>One outcome as a CRM sends it (for the OpenAPI document; the body is read item by item).</summary>
    public sealed record OutcomeItem(string LeadId, string Outcome, DateTimeOffset At);

    public static async Task<Results<Ok<OutcomesResponse>, ValidationProblem, ProblemHttpResult>> PostOutcomes(
        HttpRequest request, IStateStore store, IOptions<OutcomesOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var o = options.Value;
        using var body = await RequestBody.ReadAsync(request, o.MaxBodyBytes, ct);
        if (body is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large",
                detail: $"The body is larger than {o.MaxBodyBytes} bytes (Outcomes:MaxBodyBytes); split it.");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body.Span.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { return Body($"malformed JSON: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array) return Body("expected a JSON array of { \"leadId\", \"outcome\", \"at\" } objects");
            var count = root.GetArrayLength();
            if (count == 0) return Body("the batch is empty: send at least one outcome");
            if (count > o.MaxBatchSize) return Body($"the batch has {count} outcomes, more than Outcomes:MaxBatchSize ({o.MaxBatchSize}); split it");

            var good = new List<OutcomeRecord>(count);
            var rejected = new List<OutcomeRejection>();
            var i = 0;
            var latest = clock.GetUtcNow().UtcDateTime + FutureTolerance;
            foreach (var item in root.EnumerateArray())
            {
                var (record, errors, leadId) = Read(item, i, latest);
                if (record is not null) good.Add(record);
                else rejected.Add(new OutcomeRejection(i, leadId, errors));
                i++;
            }
            if (good.Count == 0)
                return TypedResults.ValidationProblem(rejected.SelectMany(r => r.Errors).ToDictionary(e => e.Key, e => e.Value),
                    detail: "No outcome in the batch is valid, so nothing was recorded.");
            var r = await store.UpsertOutcomesAsync(good, ct);
            var total = await store.CountUnscoredOutcomesAsync(ct);
            return TypedResults.Ok(new OutcomesResponse(count, good.Count, r.Inserted, r.Updated, r.Unchanged, r.Unscored, total, rejected));
        }
    }

    /// <summary>How far ahead of the service's clock an outcome's <c>at</c> may be (clocks differ); later is a mistake.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromDays(1);

    private static (OutcomeRecord? Record, Dictionary<string, string[]> Errors, string? LeadId) Read(JsonElement item, int i, DateTime latest)
    {
        var errors = new Dictionary<string, string[]>();
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors[$"[{i}]"] = [$"expected an outcome object {{ \"leadId\", \"outcome\", \"at\" }} but found {item.ValueKind}"];
            return (null, errors, null);
        }
        string? leadId = null, outcome = null, at = null;
        var seen = new HashSet<string>(3, StringComparer.Ordinal);
        foreach (var p in item.EnumerateObject())
        {
            if (!p.TryGetName(out var name))
            {
                errors[$"[{i}]"] = [$"a field name {JsonText.Invalid}"];
                continue;
            }
            // Property names are matched ignoring case, as the rest of the API's JSON binding does. One given twice is
            // ambiguous (which did the caller mean?), so the item is refused rather than the last one silently winning.
            var key = name.Equals("leadId", StringComparison.OrdinalIgnoreCase) ? "leadId"
                : name.Equals("outcome", StringComparison.OrdinalIgnoreCase) ? "outcome"
                : name.Equals("at", StringComparison.OrdinalIgnoreCase) ? "at" : null;
            if (key is null) continue;
            if (!seen.Add(key))
            {
                errors[$"[{i}].{key}"] = [$"is given more than once (names match ignoring case): send it once"];
                continue;
            }
            var value = Text(p.Value, $"[{i}].{key}", errors);
            if (key == "leadId") leadId = value;
            else if (key == "outcome") outcome = value;
            else at = value;
        }
        if (string.IsNullOrWhiteSpace(leadId)) errors.TryAdd($"[{i}].leadId", ["required: the lead id the prediction was made for"]);
        else if (LeadIds.Problem(leadId) is { } bad) errors[$"[{i}].leadId"] = [bad];
        bool? won = outcome?.Trim().ToLowerInvariant() switch { "won" => true, "lost" => false, _ => null };
        if (won is null) errors.TryAdd($"[{i}].outcome", [outcome is null ? "required: won or lost" : $"'{outcome}' is not an outcome: use won or lost"]);
        DateTime? when = null;
        if (at is null) errors.TryAdd($"[{i}].at", ["required: when the lead was won or lost (ISO 8601, e.g. 2025-06-01T12:00:00Z)"]);
        else if (!ValueParsing.TryIsoInstant(at, out var d)) errors[$"[{i}].at"] = [$"'{at}' is not a date-time: use ISO 8601, e.g. 2025-06-01T12:00:00Z"];
        else if (d > latest)
            errors[$"[{i}].at"] = [$"'{at}' is in the future: send when the lead was won or lost (up to {FutureTolerance.TotalHours:0} hours ahead of the service's clock is taken as clock difference)"];
        else when = d;
        return errors.Count > 0 ? (null, errors, leadId) : (new OutcomeRecord(leadId!, won!.Value, when!.Value), errors, leadId);
    }

    private static string? Text(JsonElement v, string key, Dictionary<string, string[]> errors)
    {
        if (v.ValueKind == JsonValueKind.String)
        {
            if (v.TryGetText(out var text)) return text;
            errors[key] = [JsonText.Invalid];
            return null;
        }
        if (v.ValueKind == JsonValueKind.Null) return null;
        errors[key] = [$"expected a string but found {v.ValueKind}"];
        return null;
    }

    private static ValidationProblem Body(string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [message] });
}
