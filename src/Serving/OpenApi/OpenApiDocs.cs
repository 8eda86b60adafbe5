using System.Text.Json.Nodes;
using System.Globalization;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Auth;
using LeadPropensity.Serving.Models;
using LeadPropensity.Serving.Predict;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace LeadPropensity.Serving.Extensions;

/// <summary>The Swashbuckle document at /swagger: every route, its errors, the API key scheme and request/response examples.</summary>
public static class OpenApiDocs
{
    public static IHostApplicationBuilder AddOpenApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(c =>
        {
            c.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "LeadPropensity scoring API", Version = "v1",
                Description = "Calibrated lead scores with reasons, bands and a rules fallback. Send the key in X-Api-Key; errors are RFC 7807 ProblemDetails.",
            });
            c.AddSecurityDefinition(ApiKeyHandler.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeyHandler.Header,
                Description = "An API key; roles: scorer (predict), analyst (model), admin (everything).",
            });
            c.OperationFilter<ApiKeyRequirementFilter>();
            c.SchemaFilter<ExamplesFilter>();
            c.OperationFilter<CsvBatchFilter>();
            c.DocumentFilter<ServedModelFilter>();
        });
        return builder;
    }

    public static WebApplication MapOpenApiDocs(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI();
        return app;
    }

    /// <summary>Examples for the bodies a caller sends and the answer of /predict.</summary>
    private sealed class ExamplesFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema s) return;
            var example = context.Type == typeof(PredictRequest) ? Examples.Request
                : context.Type == typeof(PredictResponse) ? Examples.Response
                : context.Type == typeof(Bands.BandsApi.PutBandsRequest) ? Examples.PutBands
                : context.Type == typeof(Bands.BandsApi.SimulateBandsRequest) ? Examples.SimulateBands
                : context.Type == typeof(Outcomes.OutcomesApi.OutcomeItem) ? Examples.Outcome
                : null;
            if (example is not null) s.Examples = [JsonNode.Parse(example)!];
        }
    }
}

/// <summary>
/// The served model's own fields in the document, so a CRM developer with a scorer key (which may not read
/// /model/schema) integrates from /swagger alone: PredictRequest.features lists every field the model scores with its
/// type, an example and its known values, and the request example carries all of them. Made per request of the
/// document, so it follows a model swap; without a model, the static example stays.
/// </summary>
internal sealed class ServedModelFilter(ModelHolder models) : IDocumentFilter
{
    public void Apply(OpenApiDocument doc, DocumentFilterContext context)
    {
        if (models.Current is not { } served || doc.Components?.Schemas is not { } schemas) return;
        if (!schemas.TryGetValue(nameof(PredictRequest), out var found) || found is not OpenApiSchema request) return;
        var bundle = served.Bundle;
        var guide = FieldGuide.For(bundle);
        var missing = string.Join(", ", bundle.Schema.MissingTokens.Where(t => t.Length > 0).Select(t => $"\"{t}\""));
        var features = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = $"The lead's fields, named as model {bundle.Version} knows them (an exact match wins, otherwise case is ignored). " +
                          $"Leave a field out, or send null, \"\" or {missing}, when it is not known: it is scored as missing and listed in `warnings`. " +
                          "A field the model does not know is ignored and listed in `warnings`.",
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
            AdditionalPropertiesAllowed = true,
        };
        var example = new JsonObject();
        foreach (var f in guide)
        {
            features.Properties[f.Name] = new OpenApiSchema { Description = Describe(f), Examples = [Value(f)] };
            example[f.Name] = Value(f);
        }
        request.Properties ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        request.Properties["features"] = features;
        var lead = new JsonObject { ["leadId"] = bundle.Schema.Id is null ? "L-1" : $"your {bundle.Schema.Id}", ["features"] = example };
        request.Examples = [lead];
    }

    private static string Describe(FieldGuideEntry f) => f.Type switch
    {
        "number" => "number: a JSON number or a numeric string in invariant culture (\"4.4\"); finite, within ±3.4e38",
        "boolean" => $"boolean: true/false, 1/0 or the schema's words (e.g. \"{f.Example}\")",
        "category" => f.KnownValues is { Count: > 0 } known
            ? $"category, one of the values the model learned ({string.Join(", ", known.Take(12))}{(known.Count > 12 ? ", …" : "")}); any other value is scored as 'other'"
            : "category: any text (the model learned no frequent values, so every value is scored as 'other')",
        "text" => "text: free text; the model reads its words and word pairs",
        "datetime" => "datetime: an ISO 8601 date and time (\"2025-06-30T09:15:00Z\")",
        _ => f.Type,
    } + (f.Importance is { } i ? $". Importance on the held-out leads: {i.ToString("0.#####", CultureInfo.InvariantCulture)} (log-loss increase when permuted)" : "");

    // JsonValue.Create(string) is null only for a null string, and an example is never null.
    private static JsonNode Value(FieldGuideEntry f) =>
        f.Type == "number" && double.TryParse(f.Example, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? JsonValue.Create(d) : JsonValue.Create(f.Example)!;
}

/// <summary>The key requirement on the routes that need one; health, metrics and the document itself are open.</summary>
internal sealed class ApiKeyRequirementFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any() || !metadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any()) return;
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyHandler.SchemeName, context.Document)] = [] }];
    }
}

/// <summary>/predict/batch also takes and answers text/csv: describe those bodies as CSV text with an example, not as the JSON array.</summary>
internal sealed class CsvBatchFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.OperationId != "PredictBatch") return;
        if (operation.RequestBody?.Content is { } content && content.ContainsKey("text/csv"))
        {
            content["text/csv"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "A header naming every field the model scores (and the schema's id column), then one lead per row; streamed, any size.",
                },
                Example = JsonValue.Create("lead_id,lead_source,job_title,website_visits_30d,demo_requested\nL-1,direct,VP Marketing,7,yes\n"),
            };
        }
        // The JSON and the CSV answer are two results of one handler: list both under 200.
        if (operation.Responses?.TryGetValue("200", out var found) == true && found is OpenApiResponse ok)
        {
            var answers = ok.Content ??= new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal);
            answers["application/json"] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(typeof(List<PredictResponse>), context.SchemaRepository) };
            answers["text/csv"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "One row per input row: the id (or the line), probability, score, band and error (a row that cannot be scored has band `error`); `?reasons=true` adds reason columns.",
                },
                Example = JsonValue.Create("lead_id,probability,score,band,error\nL-1,0.604739,60,SQL,\n"),
            };
        }
    }
}

internal static class Examples
{
    public const string PutBands = """{ "mql": 0.15, "sql": 0.45, "reason": "Sales asked for fewer, hotter leads in Q3" }""";
    public const string SimulateBands = """{ "mql": 0.15, "sql": 0.45, "targetPrecision": 0.5, "topPercent": 10 }""";
    public const string Outcome = """{ "leadId": "L-000002", "outcome": "won", "at": "2025-02-01T10:00:00Z" }""";

    public const string Request = """
        { "leadId": "L-000002", "features": { "lead_source": "direct", "industry": "education", "company_size": "201-1000",
          "country": "US", "job_title": "Sales Team Lead", "budget_confirmed": "yes", "website_visits_30d": 7, "pages_per_visit": 4.4,
          "demo_requested": false, "pricing_page_views": 1, "days_since_last_activity": 53 } }
        """;

    public const string Response = """
        { "leadId": "L-000002", "probability": 0.142, "score": 14, "band": "MQL", "source": "model", "modelVersion": "v20250101-120000",
          "reasons": [ { "field": "budget_confirmed", "value": "yes", "effect": 0.061, "text": "budget_confirmed = yes raises the likelihood by 6.1 points" },
                       { "field": "demo_requested", "value": "false", "effect": -0.048, "text": "demo_requested = false lowers the likelihood by 4.8 points" } ],
          "warnings": [ "'free_trial' is missing and was scored as missing" ] }
        """;
}
