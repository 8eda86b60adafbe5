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

// Not in the tests' in-memory server (WebApplicationFactory), which needs the exception itself.
var kestrel = app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.GetType().Name.Contains("Kestrel", StringComparison.Ordinal) == true;
try
{
    app.Run();
}
catch (Exception e) when (kestrel && e is not OperationCanceledException)
{
    // A setting or file the service cannot start with (rules, keys, options, the state store): the host has logged it
    // with its stack above; the last line says what to fix, and the exit code is an error rather than a crash (134).
    Console.Error.WriteLine($"error: the service did not start: {e.GetBaseException().Message}");
    return 1;
}
return 0;

/// <summary>The entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
