using System.Net;
using System.Text;

namespace LeadPropensity.Serving.Tests;

/// <summary>
/// Dates, repeated properties and text that the routes besides /predict take: each mistake is a 400 naming its field,
/// never a 500 or a silent guess.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class ParameterHygieneTests(ModelFixture fx)
{
    /// <summary>A 'to' less than the default window after the calendar's start made the window's start underflow: a 500.</summary>
    [Fact]
    public async Task AMonitoringWindowEndingAtTheCalendarsStartIsA400()
    {
        var r = await fx.Standard.Client().GetAsync("/monitoring?to=0001-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("from", await r.ErrorKeys());
        var early = await fx.Standard.Client().GetAsync("/monitoring?to=0001-01-02T00:00:00Z");
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        Assert.Equal("0001-01-01T00:00:00Z", (await early.Json()).GetProperty("from").GetString());
    }

    [Theory]
    [InlineData("from=12/01/2026")] // month first or day first: which one depends on who wrote it
    [InlineData("from=01.12.2026")]
    [InlineData("to=12:00")] // a time alone was placed on today
    [InlineData("from=2026-02-30")]
    public async Task AMonitoringDateThatIsNotIso8601IsA400NamingIt(string query)
    {
        var r = await fx.Standard.Client().GetAsync($"/monitoring?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal([query.Split('=')[0]], await r.ErrorKeys());
    }

    [Theory]
    [InlineData("2026-06-01T12:00")]
    [InlineData("2026-06-01T12:00:00+02:00")]
    [InlineData("2026-06-01 12:00:00")]
    [InlineData("2026-06-01T12:00:00.123Z")]
    public async Task Iso8601FormsAreAccepted(string from)
    {
        var r = await fx.Standard.Client().GetAsync($"/monitoring?from={Uri.EscapeDataString(from)}&to=2026-07-01");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var expected = DateTimeOffset.Parse(from.Contains('+') || from.EndsWith('Z') ? from : from + "Z", System.Globalization.CultureInfo.InvariantCulture).UtcDateTime;
        var got = DateTime.Parse((await r.Json()).GetProperty("from").GetString()!, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.Equal(expected, got);
    }

    [Theory]
    [InlineData("""{"leadId":"L-h1","outcome":"won","at":"12:00"}""", "[0].at", "not a date-time")]
    [InlineData("""{"leadId":"L-h1","outcome":"won","at":"03/04/2025"}""", "[0].at", "not a date-time")]
    [InlineData("""{"leadId":"L-h1","outcome":"won","at":"2999-01-01T00:00:00Z"}""", "[0].at", "in the future")]
    [InlineData("""{"leadId":"L-h1","leadid":"L-h2","outcome":"won","at":"2025-01-01"}""", "[0].leadId", "more than once")]
    [InlineData("""{"leadId":"L-h1","outcome":"won","outcome":"lost","at":"2025-01-01"}""", "[0].outcome", "more than once")]
    public async Task AnOutcomeWithABadDateOrARepeatedPropertyIsRefusedNamingIt(string item, string key, string message)
    {
        var r = await fx.Standard.Client().PostJson("/outcomes", $"[{item}]");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var errors = (await r.Json()).GetProperty("errors");
        Assert.Equal([key], errors.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Contains(message, errors.GetProperty(key)[0].GetString());
    }

    [Fact]
    public async Task AnOutcomeWithinADayAheadIsTakenAsClockDifference()
    {
        var soon = DateTime.UtcNow.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var r = await fx.Standard.Client().PostJson("/outcomes",
            $$"""[{"leadId":"L-soon","outcome":"won","at":"{{soon}}"},{"leadId":"L-late","outcome":"won","at":"2999-01-01"}]""");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.Json();
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.Equal(1, body.GetProperty("rejected")[0].GetProperty("index").GetInt32());
    }

    [Theory]
    [InlineData("\\u0000")]
    [InlineData("\\u001b[31m")]
    [InlineData("\\u007f")]
    public async Task ABandReasonWithAControlCharacterIsA400(string escape)
    {
        var r = await fx.Standard.Client().SendAsync(new HttpRequestMessage(HttpMethod.Put, "/bands")
        {
            Content = new StringContent($$"""{"mql":0.2,"sql":0.5,"reason":"new {{escape}} cutoffs"}""", Encoding.UTF8, "application/json"),
        });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal(["reason"], await r.ErrorKeys());
        Assert.Contains("control character", (await r.Json()).GetProperty("errors").GetProperty("reason")[0].GetString());
    }

    [Fact]
    public async Task ABandCutoffGivenTwiceIsA400NamingIt()
    {
        var r = await fx.Standard.Client().PostJson("/bands/simulate", """{"mql":0.2,"MQL":0.3,"sql":0.5}""");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal(["mql"], await r.ErrorKeys());
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task ProbesMayAskWithHead(string route)
    {
        var r = await fx.Standard.Client(null).SendAsync(new HttpRequestMessage(HttpMethod.Head, route));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        // The same headers as GET (Kestrel leaves out the body of a HEAD answer itself).
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"leadId":"L-\u0000-1","features":{}}""", "leadId", "control character (U+0000")]
    [InlineData("""{"leadId":"a","leadId":"b","features":{}}""", "leadId", "more than once")]
    [InlineData("""{"leadId":"a","features":{},"features":{"industry":"x"}}""", "features", "more than once")]
    public async Task ALeadIdThatCannotBeStoredOrAPropertySentTwiceIsA400(string body, string key, string message)
    {
        var r = await fx.Standard.Client().PostJson("/predict", body);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var errors = (await r.Json()).GetProperty("errors");
        Assert.Equal([key], errors.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Contains(message, errors.GetProperty(key)[0].GetString());
        var batch = await fx.Standard.Client().PostJson("/predict/batch", $"[{body}]");
        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);
        Assert.Equal([$"[0].{key}"], await batch.ErrorKeys());
    }

    /// <summary>/predict took any length, /outcomes only 256 characters: a prediction no outcome could ever reach.</summary>
    [Fact]
    public async Task ALeadIdLongerThanAnOutcomeCanNameIsA400()
    {
        var ok = await fx.Standard.Client().PostJson("/predict", "{\"leadId\":\"" + new string('x', 256) + "\",\"features\":{}}");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var r = await fx.Standard.Client().PostJson("/predict", "{\"leadId\":\"" + new string('x', 257) + "\",\"features\":{}}");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("longer than 256", (await r.Json()).GetProperty("errors").GetProperty("leadId")[0].GetString());
        var outcome = await fx.Standard.Client().PostJson("/outcomes", $$"""[{"leadId":"{{new string('x', 257)}}","outcome":"won","at":"2025-01-01"}]""");
        Assert.Equal(HttpStatusCode.BadRequest, outcome.StatusCode);
    }

    [Fact]
    public async Task ANumberNoDoubleCanHoldIsNamedAsOutOfRange()
    {
        var r = await fx.Standard.Client().PostJson("/predict", """{"leadId":"a","features":{"website_visits_30d":1e400}}""");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("outside the range", (await r.Json()).GetProperty("errors").GetProperty("features.website_visits_30d")[0].GetString());
    }

    private string LeadJsonText(string leadId) =>
        $$"""{"leadId":"{{leadId}}","features":{{System.Text.Json.JsonSerializer.Serialize(fx.Leads[0])}}}""";

    [Fact]
    public async Task ABodyInAnotherDeclaredCharsetIsReadAsThatCharset()
    {
        var latin1 = Encoding.Latin1.GetBytes(LeadJsonText("Zoë-1"));
        Assert.Contains((byte)0xEB, latin1);
        var r = await fx.Standard.Client().PostAsync("/predict", Http.Body(latin1, "application/json; charset=iso-8859-1"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("Zoë-1", (await r.Json()).GetProperty("leadId").GetString());

        var unknown = await fx.Standard.Client().PostAsync("/predict", Http.Body(latin1, "application/json; charset=x-klingon"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unknown.StatusCode);
        Assert.Contains("x-klingon", (await unknown.Json()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AByteOrderMarkIsSkipped()
    {
        var r = await fx.Standard.Client().PostAsync("/predict", Http.Body([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(LeadJsonText("L-bom"))], "application/json"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("L-bom", (await r.Json()).GetProperty("leadId").GetString());
    }

    [Fact]
    public async Task ACompressedBodyIsScoredLikeThePlainOne()
    {
        var plain = Encoding.UTF8.GetBytes(LeadJsonText("L-gz"));
        using var packed = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) gz.Write(plain);
        var zipped = await fx.Standard.Client().PostAsync("/predict", Http.Body(packed.ToArray(), "application/json", "gzip"));
        Assert.Equal(HttpStatusCode.OK, zipped.StatusCode);
        var direct = await fx.Standard.Client().PostAsync("/predict", Http.Body(plain, "application/json"));
        Assert.Equal((await direct.Json()).GetProperty("probability").GetDouble(), (await zipped.Json()).GetProperty("probability").GetDouble());

        var unknown = await fx.Standard.Client().PostAsync("/predict", Http.Body(plain, "application/json", "compress"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unknown.StatusCode);
        Assert.Contains("compress", (await unknown.Json()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AContentTypeTheRouteDoesNotTakeIsA415SayingWhatItTakes()
    {
        var r = await fx.Standard.Client().PostAsync("/predict/batch", Http.Body(Encoding.UTF8.GetBytes("[]"), "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode);
        var detail = (await r.Json()).GetProperty("detail").GetString();
        Assert.Contains("'text/plain'", detail);
        Assert.Contains("text/csv", detail);
    }
}
