using System.Text.Json.Nodes;
using LeadPropensity.Serving.Auth;
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
            c.AddSecurityRequirement(doc => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyHandler.SchemeName, doc)] = [] });
            c.SchemaFilter<ExamplesFilter>();
        });
        return builder;
    }

    public static WebApplication MapOpenApiDocs(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI();
        return app;
    }

    /// <summary>Examples for the request and response of /predict.</summary>
    private sealed class ExamplesFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema s) return;
            if (context.Type == typeof(PredictRequest)) s.Examples = [JsonNode.Parse(Examples.Request)!];
            else if (context.Type == typeof(PredictResponse)) s.Examples = [JsonNode.Parse(Examples.Response)!];
        }
    }
}

internal static class Examples
{
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
