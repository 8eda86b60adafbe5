using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace LeadPropensity.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class AuthTests(ModelFixture fx)
{
    [Theory]
    [InlineData("POST", "/predict")]
    [InlineData("POST", "/predict/batch")]
    [InlineData("GET", "/model")]
    [InlineData("GET", "/model/schema")]
    [InlineData("POST", "/admin/reload")]
    public async Task NoKeyIsA401ProblemDetails(string method, string url)
    {
        var r = await fx.Standard.Client(null).SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, (await r.Json()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task AWrongKeyIsA401()
    {
        var r = await fx.Standard.Client("not-a-key").PostLead(fx.Leads[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains("not hold a valid API key", (await r.Json()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(ServingFactory.AnalystKey, "POST", "/predict")]
    [InlineData(ServingFactory.ScorerKey, "GET", "/model")]
    [InlineData(ServingFactory.ScorerKey, "POST", "/admin/reload")]
    [InlineData(ServingFactory.AnalystKey, "POST", "/admin/reload")]
    public async Task TheWrongRoleIsA403ProblemDetails(string key, string method, string url)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST") request.Content = new StringContent("{\"features\":{}}", System.Text.Encoding.UTF8, "application/json");
        var r = await fx.Standard.Client(key).SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Equal(403, (await r.Json()).GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData(ServingFactory.ScorerKey, "/predict")]
    [InlineData(ServingFactory.AdminKey, "/predict")]
    public async Task ScorerAndAdminMayPredict(string key, string url)
    {
        Assert.Equal(HttpStatusCode.OK, (await fx.Standard.Client(key).PostLead(fx.Leads[0], url)).StatusCode);
    }

    [Theory]
    [InlineData(ServingFactory.AnalystKey)]
    [InlineData(ServingFactory.AdminKey)]
    public async Task AnalystAndAdminMayReadTheModel(string key)
    {
        Assert.Equal(HttpStatusCode.OK, (await fx.Standard.Client(key).GetAsync("/model")).StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/metrics")]
    [InlineData("/swagger/v1/swagger.json")]
    [InlineData("/swagger/index.html")]
    public async Task HealthMetricsAndSwaggerAreOpen(string url)
    {
        Assert.Equal(HttpStatusCode.OK, (await fx.Standard.Client(null).GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task EachKeyHasItsOwnRateLimitAndExceedingItIsA429ProblemDetails()
    {
        using var f = new ServingFactory(fx.Standard.ModelsPath, new Dictionary<string, string?>
        {
            ["RateLimit:TokenLimit"] = "3", ["RateLimit:TokensPerPeriod"] = "1", ["RateLimit:ReplenishmentPeriod"] = "01:00:00",
        });
        var scorer = f.Client(ServingFactory.ScorerKey);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await scorer.PostLead(fx.Leads[i])).StatusCode);
        var limited = await scorer.PostLead(fx.Leads[3]);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(429, (await limited.Json()).GetProperty("status").GetInt32());
        // another key still has its own allowance; health is never limited
        Assert.Equal(HttpStatusCode.OK, (await f.Client(ServingFactory.AdminKey).PostLead(fx.Leads[3])).StatusCode);
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await f.Client(null).GetAsync("/health/live")).StatusCode);
    }

    /// <summary>Every log line the service writes while keys good, bad and wrong-role are used holds none of them.</summary>
    [Fact]
    public async Task NoKeyEverReachesTheLogs()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var f = new ServingFactory(fx.Standard.ModelsPath, new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" });
        using var logged = f.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(new CapturingLoggerProvider(lines))));
        HttpClient Client(string key) { var c = logged.CreateClient(); c.DefaultRequestHeaders.Add("X-Api-Key", key); return c; }
        const string guess = "not-a-key-7f3a9c";
        Assert.Equal(HttpStatusCode.OK, (await Client(ServingFactory.ScorerKey).PostLead(fx.Leads[0])).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(guess).PostLead(fx.Leads[0])).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Client(ServingFactory.ScorerKey).GetAsync("/model")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client(ServingFactory.AdminKey).PostAsync("/admin/reload", null)).StatusCode);
        Assert.True(lines.Count > 10, $"only {lines.Count} log lines were captured");
        foreach (var key in new[] { ServingFactory.ScorerKey, ServingFactory.AdminKey, guess })
            Assert.DoesNotContain(lines, l => l.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeysThatMatchNoneAreThrottledPerAddressWhileGoodKeysAreNot()
    {
        using var f = new ServingFactory(fx.Standard.ModelsPath, new Dictionary<string, string?>
        {
            ["RateLimit:InvalidKeyTokenLimit"] = "4", ["RateLimit:InvalidKeyTokensPerPeriod"] = "1", ["RateLimit:ReplenishmentPeriod"] = "01:00:00",
        });
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await f.Client($"guess-{i}").PostLead(fx.Leads[0])).StatusCode);
        var limited = await f.Client("guess-5").PostLead(fx.Leads[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("not valid", (await limited.Json()).GetProperty("detail").GetString());
        // The same address with a good key, or with no key at all, is not held back by the guesses.
        Assert.Equal(HttpStatusCode.OK, (await f.Client(ServingFactory.ScorerKey).PostLead(fx.Leads[0])).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Client(null).PostLead(fx.Leads[0])).StatusCode);
    }
}
