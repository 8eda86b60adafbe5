using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace LeadPropensity.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class InputErrorTests(ModelFixture fx)
{
    [Fact]
    public async Task WrongTypesAreA400NamingEachBadField()
    {
        var lead = new Dictionary<string, object?>(fx.Leads[0].ToDictionary(p => p.Key, p => (object?)p.Value))
        {
            ["website_visits_30d"] = "lots", ["demo_requested"] = "perhaps", ["pages_per_visit"] = true, ["industry"] = new[] { "a", "b" },
            ["country"] = new { code = "US" },
        };
        var r = await fx.Standard.Client().PostAsJsonAsync("/predict", new { leadId = "x", features = lead });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var keys = await r.ErrorKeys();
        Assert.Contains("features.industry", keys);
        Assert.Contains("features.country", keys);
        // the object/array errors are found while parsing; type errors need the schema
        var r2 = await fx.Standard.Client().PostAsJsonAsync("/predict", new
        {
            features = new Dictionary<string, object?>(fx.Leads[0].ToDictionary(p => p.Key, p => (object?)p.Value))
            { ["website_visits_30d"] = "lots", ["demo_requested"] = "perhaps", ["pages_per_visit"] = true },
        });
        Assert.Equal(HttpStatusCode.BadRequest, r2.StatusCode);
        Assert.Equal(["features.demo_requested", "features.pages_per_visit", "features.website_visits_30d"], (await r2.ErrorKeys()).Order().ToArray());
    }

    /// <summary>
    /// A field sent twice with two values is ambiguous: it was scored with whichever came last (or, spelled in other case,
    /// with the exact spelling), silently. Now it is a 400 naming the field and both values, in a single lead and in a
    /// batch; the same value twice is still scored.
    /// </summary>
    [Fact]
    public async Task AFieldSentTwiceWithDifferentValuesIsA400NamingIt()
    {
        var features = System.Text.Json.JsonSerializer.Serialize(fx.Leads[0]);
        var industry = fx.Leads[0]["industry"];
        Assert.False(string.IsNullOrEmpty(industry));
        string Lead(string extra) => $"{{\"leadId\":\"L-dup\",\"features\":{{{extra},{features[1..]}}}";

        var r = await fx.Standard.Client().PostJson("/predict", Lead("\"industry\":\"not-the-same\""));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var errors = (await r.Json()).GetProperty("errors");
        Assert.Equal(["features.industry"], errors.EnumerateObject().Select(p => p.Name).ToArray());
        var message = errors.GetProperty("features.industry")[0].GetString()!;
        Assert.Contains("'not-the-same'", message);
        Assert.Contains($"'{industry}'", message);

        var same = await fx.Standard.Client().PostJson("/predict", Lead($"\"industry\":\"{industry}\""));
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        var plain = await fx.Standard.Client().PostJson("/predict", $"{{\"leadId\":\"L-dup\",\"features\":{features}}}");
        Assert.Equal((await plain.Json()).GetProperty("probability").GetDouble(), (await same.Json()).GetProperty("probability").GetDouble());

        var batch = await fx.Standard.Client().PostJson("/predict/batch", $"[{Lead($"\"industry\":\"{industry}\"")},{Lead("\"industry\":null")}]");
        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        Assert.Equal(["[1].features.industry"], await batch.ErrorKeys());

        // Names match ignoring case, so another spelling of the field is the field sent twice too.
        var spelled = await fx.Standard.Client().PostJson("/predict", Lead("\"INDUSTRY\":\"not-the-same\""));
        Assert.Equal(HttpStatusCode.BadRequest, spelled.StatusCode);
        Assert.Equal(["features.industry"], await spelled.ErrorKeys());
        Assert.Equal(HttpStatusCode.OK, (await fx.Standard.Client().PostJson("/predict", Lead($"\"INDUSTRY\":\"{industry}\""))).StatusCode);
    }

    [Fact]
    public async Task MalformedJsonIsA400WithItsLineAndBytePosition()
    {
        var r = await fx.Standard.Client().PostJson("/predict", "{\n  \"features\": {\n    \"website_visits_30d\": 7,,\n  }\n}");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var j = await r.Json();
        Assert.Equal(3, j.GetProperty("line").GetInt64());
        Assert.Equal(29, j.GetProperty("bytePositionInLine").GetInt64());
        Assert.Contains("line 3", j.GetProperty("errors").GetProperty("body")[0].GetString());
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("   ", "body")]
    [InlineData("{ \"leadId\": \"L-1\" }", "features")]
    [InlineData("{ \"leadId\": \"L-1\", \"features\": [1, 2] }", "features")]
    [InlineData("[ { \"features\": {} } ]", "body")]
    public async Task EmptyBodyOrMissingFeaturesIsA400NamingIt(string body, string key)
    {
        var r = await fx.Standard.Client().PostJson("/predict", body);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(key, await r.ErrorKeys());
    }

    /// <summary>
    /// A JSON string escape that cannot be text (an unpaired surrogate) made System.Text.Json throw while reading the
    /// value, which surfaced as a 500 on every route with a JSON body.
    /// </summary>
    [Theory]
    [InlineData("POST", "/predict", """{"leadId":"L-1","features":{"job_title":"\ud800 boss"}}""", "features.job_title")]
    [InlineData("POST", "/predict", """{"leadId":"\udc00","features":{"industry":"software"}}""", "leadId")]
    [InlineData("POST", "/predict/batch", """[{"leadId":"L-1","features":{"industry":"\udfff"}}]""", "[0].features.industry")]
    [InlineData("POST", "/outcomes", """[{"leadId":"\ud800","outcome":"won","at":"2025-01-01T00:00:00Z"}]""", "[0].leadId")]
    [InlineData("PUT", "/bands", """{"mql":0.2,"sql":0.5,"reason":"\ud800"}""", "reason")]
    [InlineData("POST", "/bands/simulate", """{"mql":0.2,"sql":0.5,"\ud800":1}""", "body")]
    public async Task TextThatIsNotValidUtf16IsA400NamingTheField(string method, string route, string body, string key)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), route) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var r = await fx.Standard.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = await r.Json();
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(key, out var messages), $"no error for {key}: {problem}");
        Assert.Contains("unpaired UTF-16 surrogate", messages[0].GetString());
    }

    [Fact]
    public async Task AFieldNameThatIsNotValidUtf16IsA400WithItsPosition()
    {
        var r = await fx.Standard.Client().PostJson("/predict", """{"leadId":"L-1","features":{"\ud800":"x"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = await r.Json();
        Assert.Equal(1, problem.GetProperty("line").GetInt32());
        Assert.Equal(29, problem.GetProperty("bytePositionInLine").GetInt32());
    }

    [Theory]
    [InlineData("POST", "/predict/batch?reasons=maybe", "reasons")]
    [InlineData("GET", "/bands/history?limit=99999999999", "limit")]
    public async Task AQueryValueThatDoesNotBindIsA400NamingIt(string method, string url, string parameter)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent("[]", Encoding.UTF8, "application/json") };
        var r = await fx.Standard.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains(parameter, (await r.Json()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("-1e308")]
    public async Task ANumberBeyondSinglePrecisionIsA400NotA500(string number)
    {
        // Such a number became an infinite feature, a NaN probability, and a 500 while writing the answer.
        var body = System.Text.Json.JsonSerializer.SerializeToNode(new { leadId = "x", features = fx.Leads[0] })!;
        body["features"]!["pages_per_visit"] = System.Text.Json.Nodes.JsonNode.Parse(number);
        var r = await fx.Standard.Client().PostJson("/predict", body.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var messages = (await r.Json()).GetProperty("errors").GetProperty("features.pages_per_visit");
        Assert.Contains("outside the range", messages[0].GetString());
    }

    [Fact]
    public async Task UnknownEngineIsA400NamingIt()
    {
        var r = await fx.Standard.Client().PostLead(fx.Leads[0], "/predict?engine=magic");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("engine", await r.ErrorKeys());
    }

    [Fact]
    public async Task OversizedBodyIsA413()
    {
        var big = "{\"features\":{\"job_title\":\"" + new string('x', 1_200_000) + "\"}}";
        var r = await fx.Standard.Client().PostJson("/predict", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Equal(413, (await r.Json()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task OversizedBodyWithoutContentLengthIsA413()
    {
        var big = Encoding.UTF8.GetBytes("{\"features\":{\"job_title\":\"" + new string('x', 1_200_000) + "\"}}");
        var content = new StreamContent(new MemoryStream(big));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var r = await fx.Standard.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
    }

    [Fact]
    public async Task EmptyBatchIsA400()
    {
        var r = await fx.Standard.Client().PostJson("/predict/batch", "[]");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("empty", (await r.Json()).GetProperty("errors").GetProperty("body")[0].GetString());
    }

    [Fact]
    public async Task BatchOverTheLimitIsA400()
    {
        using var f = new ServingFactory(fx.Standard.ModelsPath, new Dictionary<string, string?> { ["Predict:MaxBatchSize"] = "5" });
        var leads = Enumerable.Range(0, 6).Select(i => new { leadId = $"L{i}", features = fx.Leads[i] });
        var r = await f.Client().PostAsJsonAsync("/predict/batch", leads);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("more than 5 leads", (await r.Json()).GetProperty("errors").GetProperty("body")[0].GetString());
        var ok = await f.Client().PostAsJsonAsync("/predict/batch", leads.Take(5));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task BatchWithABadLeadNamesItsIndexAndField()
    {
        var leads = fx.Leads.Take(3).Select(l => new Dictionary<string, string?>(l)).ToList();
        leads[2]["website_visits_30d"] = "many";
        var r = await fx.Standard.Client().PostAsJsonAsync("/predict/batch", leads.Select(l => new { features = l }));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal(["[2].features.website_visits_30d"], await r.ErrorKeys());
    }

    /// <summary>A batch large enough to be read and scored on all cores still reports every bad lead, keyed and in order.</summary>
    [Fact]
    public async Task ALargeBatchNamesEveryBadLeadInOrder()
    {
        var leads = Enumerable.Range(0, 300).Select(i => (object)new { leadId = $"L-{i}", features = new Dictionary<string, object?>(fx.Leads[i % fx.Leads.Count].ToDictionary(p => p.Key, p => (object?)p.Value)) }).ToList();
        // Type errors need the served schema: found while scoring.
        var typed = leads.ToList();
        foreach (var i in new[] { 299, 7, 150 })
            typed[i] = new { leadId = $"L-{i}", features = new Dictionary<string, object?>(fx.Leads[i % fx.Leads.Count].ToDictionary(p => p.Key, p => (object?)p.Value)) { ["website_visits_30d"] = "many" } };
        var r = await fx.Standard.Client().PostAsJsonAsync("/predict/batch", typed);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal(["[7].features.website_visits_30d", "[150].features.website_visits_30d", "[299].features.website_visits_30d"], await r.ErrorKeys());
        // Shape errors are found while reading, and reported without scoring anything.
        var shaped = leads.ToList();
        shaped[130] = 42;
        shaped[250] = new { leadId = "L-250", features = new Dictionary<string, object?> { ["industry"] = new[] { "a" } } };
        shaped[251] = new { leadId = new[] { 1 }, features = new Dictionary<string, object?>() };
        var r2 = await fx.Standard.Client().PostAsJsonAsync("/predict/batch", shaped);
        Assert.Equal(HttpStatusCode.BadRequest, r2.StatusCode);
        Assert.Equal(["[130]", "[250].features.industry", "[251].leadId"], await r2.ErrorKeys());
    }

    [Fact]
    public async Task ANameThatIsNotTextDeepInALargeBatchIsReportedAtItsLineAndByte()
    {
        // One lead per line; lead 200 (line 202) has a field name that cannot be text.
        var lines = Enumerable.Range(0, 300).Select(i => System.Text.Json.JsonSerializer.Serialize(new { leadId = $"L-{i}", features = fx.Leads[i % fx.Leads.Count] })).ToList();
        lines[200] = lines[200].Replace("\"features\":{", "\"features\":{\"\\ud800\":\"x\",");
        var body = "[\n" + string.Join(",\n", lines) + "\n]";
        var r = await fx.Standard.Client().PostJson("/predict/batch", body);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = await r.Json();
        Assert.Equal(202, problem.GetProperty("line").GetInt32());
        Assert.Equal(lines[200].IndexOf("\"\\ud800\"", StringComparison.Ordinal) + 1, problem.GetProperty("bytePositionInLine").GetInt32());
    }
    [Theory]
    [InlineData("POST", "/predict", "text/plain")]
    [InlineData("POST", "/predict", "application/xml")]
    [InlineData("POST", "/predict/batch", "text/plain")]
    [InlineData("POST", "/outcomes", "text/csv")]
    [InlineData("PUT", "/bands", "application/x-www-form-urlencoded")]
    [InlineData("POST", "/bands/simulate", "text/plain")]
    public async Task AContentTypeTheRouteDoesNotTakeIsA415ProblemDetails(string method, string route, string contentType)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), route) { Content = new StringContent("{}", Encoding.UTF8, contentType) };
        var r = await fx.Standard.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(415, (await r.Json()).GetProperty("status").GetInt32());
    }

    /// <summary>A CRM that sends no Content-Type at all is read as JSON (only a type the route does not take is a 415).</summary>
    [Fact]
    public async Task ABodyWithoutAContentTypeIsReadAsJson()
    {
        var content = new ByteArrayContent(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { leadId = "L-x", features = fx.Leads[0] }));
        Assert.Null(content.Headers.ContentType);
        var r = await fx.Standard.Client().PostAsync("/predict", content);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("L-x", (await r.Json()).GetProperty("leadId").GetString());
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("4,4")]
    [InlineData("1e39")]
    [InlineData("0x10")]
    public async Task ANumericStringThatIsNotAFiniteInvariantNumberIsA400NamingTheField(string text)
    {
        var features = new Dictionary<string, string?>(fx.Leads[0]) { ["pages_per_visit"] = text };
        var r = await fx.Standard.Client().PostLead(features);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal(["features.pages_per_visit"], await r.ErrorKeys());
    }

    [Fact]
    public async Task AJsonBatchOverItsByteLimitIsA413NamingTheSetting()
    {
        using var f = new ServingFactory(fx.Standard.ModelsPath, new Dictionary<string, string?> { ["Predict:MaxBatchBodyBytes"] = "4096" });
        var leads = Enumerable.Range(0, 20).Select(i => new { leadId = $"L{i}", features = fx.Leads[i] });
        var r = await f.Client().PostAsJsonAsync("/predict/batch", leads);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Contains("Predict:MaxBatchBodyBytes", (await r.Json()).GetProperty("detail").GetString());
        var ok = await f.Client().PostAsJsonAsync("/predict/batch", leads.Take(2));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
