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

    /// <summary>Every route, its method and the answers the document must list (ProblemDetails results do not list themselves).</summary>
    public static TheoryData<string, string, string[]> DocumentedRoutes => new()
    {
        { "/predict", "post", ["200", "400", "401", "403", "413", "415", "429"] },
        { "/predict/batch", "post", ["200", "400", "401", "403", "413", "415", "429"] },
        { "/model", "get", ["200", "401", "403", "404", "429"] },
        { "/model/schema", "get", ["200", "401", "403", "404", "429"] },
        { "/model/importance", "get", ["200", "401", "403", "404", "429"] },
        { "/model/report", "get", ["200", "401", "403", "404", "429"] },
        { "/model/calibration", "get", ["200", "401", "403", "404", "429"] },
        { "/bands", "get", ["200", "401", "403", "429"] },
        { "/bands", "put", ["200", "400", "401", "403", "413", "415", "429"] },
        { "/bands/history", "get", ["200", "400", "401", "403", "429"] },
        { "/bands/simulate", "post", ["200", "400", "401", "403", "409", "413", "415", "429"] },
        { "/outcomes", "post", ["200", "400", "401", "403", "413", "415", "429"] },
        { "/monitoring", "get", ["200", "400", "401", "403", "429"] },
        { "/admin/reload", "post", ["200", "401", "403", "422", "429"] },
        { "/admin/models/{version}/promote", "post", ["200", "401", "403", "404", "422", "429"] },
        { "/health/live", "get", ["200"] },
        { "/health/ready", "get", ["200"] },
    };

    [Theory]
    [MemberData(nameof(DocumentedRoutes))]
    public async Task SwaggerDescribesEveryRouteWithItsAnswersAndErrors(string route, string method, string[] codes)
    {
        var doc = await (await fx.Standard.Client(null).GetAsync("/swagger/v1/swagger.json")).Json();
        Assert.True(doc.GetProperty("paths").TryGetProperty(route, out var path), $"{route} is not in the document");
        Assert.True(path.TryGetProperty(method, out var op), $"{method} {route} is not in the document");
        Assert.False(string.IsNullOrEmpty(op.GetProperty("summary").GetString()), $"{method} {route} has no summary");
        Assert.False(string.IsNullOrEmpty(op.GetProperty("operationId").GetString()), $"{method} {route} has no operationId");
        Assert.NotEmpty(op.GetProperty("tags").EnumerateArray());
        // A route that needs a key says so; the open ones (health) do not.
        var secured = op.TryGetProperty("security", out var security) && security.EnumerateArray().Any(r => r.TryGetProperty("ApiKey", out _));
        Assert.Equal(!route.StartsWith("/health", StringComparison.Ordinal), secured);
        var listed = op.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
        foreach (var code in codes) Assert.True(listed.Contains(code), $"{method} {route} does not document {code} (it lists {string.Join(", ", listed)})");
        foreach (var code in listed.Where(c => c[0] is '4' or '5'))
        {
            var content = op.GetProperty("responses").GetProperty(code).GetProperty("content");
            Assert.True(content.TryGetProperty("application/problem+json", out _), $"{method} {route} {code} is not a ProblemDetails");
        }
    }

    [Fact]
    public async Task SwaggerTellsACrmEveryFieldOfTheServedModelWithAnExampleLead()
    {
        var doc = await (await fx.Standard.Client(null).GetAsync("/swagger/v1/swagger.json")).Json();
        var predict = doc.GetProperty("paths").GetProperty("/predict").GetProperty("post");
        Assert.Equal("Predict", predict.GetProperty("operationId").GetString());
        // The answer's shape is documented (it is written by JsonBody<T>, which describes itself like Ok<T>).
        var answer = predict.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.EndsWith("/PredictResponse", answer.GetProperty("$ref").GetString());
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("PredictResponse").TryGetProperty("example", out _));

        var request = schemas.GetProperty("PredictRequest");
        var features = request.GetProperty("properties").GetProperty("features");
        var documented = features.GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(fx.Bundle.Fields.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(fx.Bundle.Version, features.GetProperty("description").GetString());
        foreach (var e in fx.Bundle.Plan.Encoders)
            Assert.StartsWith(e.TypeName, documented[e.Field].GetProperty("description").GetString());

        // The example lead carries every field, and the served model scores it as it is.
        var example = request.GetProperty("example");
        Assert.Equal(fx.Bundle.Fields.Order(StringComparer.Ordinal), example.GetProperty("features").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var scored = await fx.Standard.Client(ServingFactory.ScorerKey).PostJson("/predict", example.GetRawText());
        Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        var j = await scored.Json();
        Assert.Equal("model", j.GetProperty("source").GetString());
        Assert.Empty(j.GetProperty("warnings").EnumerateArray());
        Assert.True(doc.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("ApiKey", out _));
    }

    [Theory]
    [InlineData("PutBandsRequest", "PUT", "/bands")]
    [InlineData("SimulateBandsRequest", "POST", "/bands/simulate")]
    [InlineData("OutcomeItem", "POST", "/outcomes")]
    public async Task SwaggerHasAnExampleOfEveryBodyACallerSendsAndTheRouteTakesIt(string schema, string method, string route)
    {
        var doc = await (await fx.Standard.Client(null).GetAsync("/swagger/v1/swagger.json")).Json();
        var example = doc.GetProperty("components").GetProperty("schemas").GetProperty(schema).GetProperty("example");
        var body = route == "/outcomes" ? $"[{example.GetRawText()}]" : example.GetRawText();
        using var f = new ServingFactory(fx.Registry(fx.V1, champion: fx.V1));
        var request = new HttpRequestMessage(new HttpMethod(method), route) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        var r = await f.Client().SendAsync(request);
        Assert.True(r.IsSuccessStatusCode, $"{method} {route} with the document's example: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task SwaggerDescribesTheCsvBatchAsCsvText()
    {
        var doc = await (await fx.Standard.Client(null).GetAsync("/swagger/v1/swagger.json")).Json();
        var batch = doc.GetProperty("paths").GetProperty("/predict/batch").GetProperty("post");
        var csvIn = batch.GetProperty("requestBody").GetProperty("content").GetProperty("text/csv");
        Assert.Equal("string", csvIn.GetProperty("schema").GetProperty("type").GetString());
        Assert.StartsWith("lead_id,", csvIn.GetProperty("example").GetString());
        var json = batch.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal("array", json.GetProperty("type").GetString());
        var answers = batch.GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.Equal("string", answers.GetProperty("text/csv").GetProperty("schema").GetProperty("type").GetString());
        var items = answers.GetProperty("application/json").GetProperty("schema");
        Assert.Equal("array", items.GetProperty("type").GetString());
        Assert.EndsWith("/PredictResponse", items.GetProperty("items").GetProperty("$ref").GetString());
    }
}
