using LeadPropensity.Serving.Admin;
using LeadPropensity.Serving.Bands;
using LeadPropensity.Serving.Bench;
using LeadPropensity.Serving.Extensions;
using LeadPropensity.Serving.Health;
using LeadPropensity.Serving.Models;
using LeadPropensity.Serving.Monitoring;
using LeadPropensity.Serving.Outcomes;
using LeadPropensity.Serving.Predict;
using LeadPropensity.Serving.State;

// Settings live beside the binary, while relative data paths (models/, rules.json) resolve against the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServingDefaults();
builder.AddStateStore();
builder.AddApiKeyAuth();
builder.AddRateLimits();
builder.AddLeadScoring();
builder.AddBands();
builder.AddMonitoring();
builder.AddOpenApiDocs();

var app = builder.Build();

app.UseServingPipeline();

app.MapHealth();
app.MapPredict();
app.MapModel();
app.MapBands();
app.MapAdmin();
app.MapOutcomes();
app.MapMonitoring();
app.MapBenchEcho();
app.MapServingMetrics();
app.MapOpenApiDocs();

app.Run();

/// <summary>The entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
