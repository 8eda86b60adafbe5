using System.Net;

namespace LeadPropensity.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class ModelRoutesTests(ModelFixture fx)
{
    [Fact]
    public async Task ModelDescribesTheServedBundle()
    {
        var j = await (await fx.Standard.Client(ServingFactory.AnalystKey).GetAsync("/model")).Json();
        var m = fx.Bundle.Manifest;
        Assert.Equal(fx.V1, j.GetProperty("version").GetString());
        Assert.Equal(m.CreatedAt, j.GetProperty("trainedAt").GetDateTime().ToUniversalTime());
        Assert.Equal(m.Trainer.Name, j.GetProperty("trainer").GetProperty("name").GetString());
        Assert.Equal(m.Calibration.Method, j.GetProperty("calibration").GetProperty("method").GetString());
        Assert.Equal(m.Metrics.RocAuc, j.GetProperty("metrics").GetProperty("rocAuc").GetDouble(), 9);
        Assert.Equal(m.Data.Sha256, j.GetProperty("data").GetProperty("sha256").GetString());
        Assert.Equal(m.RecommendedCutoffs.Sql, j.GetProperty("cutoffsInUse").GetProperty("sql").GetDouble(), 9);
    }

    [Fact]
    public async Task SchemaListsEveryFieldWithTypeAndAnExampleThatScores()
    {
        var c = fx.Standard.Client(ServingFactory.AnalystKey);
        var j = await (await c.GetAsync("/model/schema")).Json();
        var fields = j.GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(fx.Bundle.Fields, fields.Select(f => f.GetProperty("name").GetString()));
        Assert.Contains(fields, f => f.GetProperty("type").GetString() == "number");
        Assert.Contains(fields, f => f.GetProperty("type").GetString() == "boolean");
        var source = fields.Single(f => f.GetProperty("name").GetString() == "lead_source");
        Assert.NotEmpty(source.GetProperty("knownValues").EnumerateArray());
        // the examples together are a valid lead the model scores without warnings
        var example = fields.ToDictionary(f => f.GetProperty("name").GetString()!, f => (string?)f.GetProperty("example").GetString());
        var r = await fx.Standard.Client().PostLead(example);
        var p = await r.Json();
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("model", p.GetProperty("source").GetString());
        Assert.Empty(p.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task ImportanceFollowsTheManifest()
    {
        var j = await (await fx.Standard.Client().GetAsync("/model/importance")).Json();
        Assert.Equal(fx.Bundle.Manifest.Importance.Select(i => i.Field), j.EnumerateArray().Select(i => i.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task ReportAndCalibrationAre404ProblemDetailsWhenTheBundleHasNone()
    {
        foreach (var url in new[] { "/model/report", "/model/calibration" })
        {
            var r = await fx.Standard.Client().GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task ReportAndCalibrationServeTheBundlesFiles()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1);
        File.WriteAllText(Path.Combine(dir, fx.V1, "report.html"), "<html><body>report of the test model</body></html>");
        File.WriteAllText(Path.Combine(dir, fx.V1, "report.json"), "{\"calibration\":{\"bins\":[]}}");
        using var f = new ServingFactory(dir);
        var html = await f.Client(ServingFactory.AnalystKey).GetAsync("/model/report");
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("report of the test model", await html.Content.ReadAsStringAsync());
        var json = await f.Client(ServingFactory.AnalystKey).GetAsync("/model/calibration");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.True((await json.Json()).TryGetProperty("calibration", out _));
    }

    [Fact]
    public async Task LiveAndReadySayWhoAnswers()
    {
        var c = fx.Standard.Client(null);
        Assert.Equal("live", (await (await c.GetAsync("/health/live")).Json()).GetProperty("status").GetString());
        var ready = await (await c.GetAsync("/health/ready")).Json();
        Assert.Equal("model", ready.GetProperty("answeredBy").GetString());
        Assert.Equal(fx.V1, ready.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task MetricsCountRequestsLatencyPredictionsByBandAndSourceAndTheModelVersion()
    {
        await fx.Standard.Client().PostLead(fx.Leads[0]);
        await fx.Standard.Client().PostLead(fx.Leads[0], "/predict?engine=rules");
        var text = await fx.Standard.Client(null).GetStringAsync("/metrics");
        Assert.Contains("http_requests_received_total", text);
        Assert.Contains("http_request_duration_seconds_bucket", text);
        Assert.Matches("leadpropensity_predictions_total\\{band=\"[^\"]+\",source=\"model\"\\} [1-9]", text);
        Assert.Matches("leadpropensity_predictions_total\\{band=\"[^\"]+\",source=\"rules\"\\} [1-9]", text);
        Assert.Contains($"leadpropensity_model_info{{version=\"{fx.V1}\"}} 1", text);
    }

    [Fact]
    public async Task MetricsLeaveOutTheFrameworksPerRequestMetersButKeepTheRuntimes()
    {
        var c = fx.Standard.Client(null);
        // The meter adapter starts with the first scrape; requests after it are what it would record.
        await c.GetStringAsync("/metrics");
        for (var i = 0; i < 3; i++) await fx.Standard.Client().PostLead(fx.Leads[0]);
        var text = await c.GetStringAsync("/metrics");
        Assert.Contains("http_request_duration_seconds_bucket", text);
        Assert.Contains("system_runtime_", text);
        // ASP.NET Core's request-duration meter repeats http_request_duration_seconds, at a sixth to a third of a request's CPU.
        Assert.DoesNotContain("microsoft_aspnetcore_hosting_http_server_request_duration", text);
        Assert.DoesNotContain("microsoft_aspnetcore_routing_", text);
    }

    [Fact]
    public async Task SwaggerDescribesEveryRouteWithItsErrorsAndAnExample()
    {
        var doc = await (await fx.Standard.Client(null).GetAsync("/swagger/v1/swagger.json")).Json();
        var paths = doc.GetProperty("paths");
        string[] routes = ["/predict", "/predict/batch", "/model", "/model/schema", "/model/importance", "/model/report",
            "/model/calibration", "/admin/reload", "/admin/models/{version}/promote", "/health/live", "/health/ready"];
        foreach (var route in routes) Assert.True(paths.TryGetProperty(route, out _), $"{route} is not in the document");
        var predict = paths.GetProperty("/predict").GetProperty("post");
        foreach (var code in new[] { "200", "400", "401", "403", "413", "429" })
            Assert.True(predict.GetProperty("responses").TryGetProperty(code, out _), $"/predict does not document {code}");
        Assert.Equal("Predict", predict.GetProperty("operationId").GetString());
        // The answer's shape is documented (it is written by JsonBody<T>, which describes itself like Ok<T>).
        var answer = predict.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.EndsWith("/PredictResponse", answer.GetProperty("$ref").GetString());
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("PredictRequest").TryGetProperty("examples", out _) || schemas.GetProperty("PredictRequest").TryGetProperty("example", out _));
        Assert.True(doc.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("ApiKey", out _));
    }
}
