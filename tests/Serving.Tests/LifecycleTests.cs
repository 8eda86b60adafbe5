using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using LeadPropensity.Core.Bundles;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace LeadPropensity.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class LifecycleTests(ModelFixture fx)
{
    private static async Task<string?> ServedVersion(HttpClient c) =>
        (await (await c.GetAsync("/health/ready")).Json()).GetProperty("modelVersion").GetString();

    [Fact]
    public async Task HotSwapUnderLoadFailsNoRequestAndServesTheNewVersionWithinSeconds()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1, withV2: true);
        using var f = new ServingFactory(dir);
        var client = f.Client(ServingFactory.ScorerKey);
        Assert.Equal(fx.V1, await ServedVersion(client));

        var failures = new ConcurrentBag<string>();
        var versions = new ConcurrentDictionary<string, int>();
        var requests = 0;
        var promotedAt = TimeSpan.Zero;
        var firstNew = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var i = w;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var r = await client.PostLead(fx.BothModelsAnswer[i++ % fx.BothModelsAnswer.Count]);
                    Interlocked.Increment(ref requests);
                    if (r.StatusCode != HttpStatusCode.OK) { failures.Add($"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}"); continue; }
                    var j = await r.Json();
                    var v = j.GetProperty("modelVersion").GetString() ?? "(rules)";
                    versions.AddOrUpdate(v, 1, (_, n) => n + 1);
                    if (v != "(rules)" && !ScoredBy(v, fx.BothModelsAnswer[(i - 1) % fx.BothModelsAnswer.Count], j.GetProperty("probability").GetDouble()))
                        failures.Add($"answer labelled {v} has another model's probability");
                    if (v == fx.V2 && firstNew == TimeSpan.Zero) firstNew = clock.Elapsed;
                }
                catch (Exception e) when (e is HttpRequestException or IOException) { failures.Add(e.Message); }
            }
        })).ToList();

        await Task.Delay(500);
        promotedAt = clock.Elapsed;
        new ModelRegistry(dir).Promote(fx.V2);
        while (firstNew == TimeSpan.Zero && clock.Elapsed - promotedAt < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        await Task.Delay(500);
        stop.Cancel();
        await Task.WhenAll(workers);

        Assert.Empty(failures);
        Assert.True(requests > 50, $"only {requests} requests ran");
        Assert.True(versions.ContainsKey(fx.V1) && versions.ContainsKey(fx.V2), string.Join(", ", versions));
        Assert.False(versions.ContainsKey("(rules)"), "the rules answered during the swap");
        Assert.NotEqual(TimeSpan.Zero, firstNew);
        Assert.True(firstNew - promotedAt < TimeSpan.FromSeconds(3), $"the new version was served {(firstNew - promotedAt).TotalSeconds:F1}s after promotion");
    }

    [Fact]
    public async Task ACorruptNewChampionIsRejectedAndTheOldOneKeepsServing()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1, withCorrupt: true);
        using var f = new ServingFactory(dir);
        var c = f.Client();
        File.WriteAllText(Path.Combine(dir, "champion"), "v-corrupt\n");
        await Task.Delay(1500);
        Assert.Equal(fx.V1, await ServedVersion(c));
        var p = await (await c.PostLead(fx.Leads[0])).Json();
        Assert.Equal(fx.V1, p.GetProperty("modelVersion").GetString());
        var ready = await (await c.GetAsync("/health/ready")).Json();
        Assert.Contains("v-corrupt", ready.GetProperty("lastModelError").GetString());

        var reload = await c.PostAsync("/admin/reload", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reload.StatusCode);
        Assert.Contains($"still serving {fx.V1}", (await reload.Json()).GetProperty("detail").GetString());
    }

    /// <summary>
    /// Once the champion points back at the served version, the refusal of the corrupt candidate in between no longer
    /// describes the service: /health/ready's lastModelError went on naming it.
    /// </summary>
    [Fact]
    public async Task ARefusalIsForgottenOnceTheChampionIsTheServedVersionAgain()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1, withCorrupt: true);
        using var f = new ServingFactory(dir, new Dictionary<string, string?> { ["Models:PollInterval"] = "01:00:00", ["Models:Watch"] = "false" });
        var c = f.Client();
        File.WriteAllText(Path.Combine(dir, "champion"), "v-corrupt\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await c.PostAsync("/admin/reload", null)).StatusCode);
        Assert.Contains("v-corrupt", (await (await c.GetAsync("/health/ready")).Json()).GetProperty("lastModelError").GetString());

        File.WriteAllText(Path.Combine(dir, "champion"), fx.V1 + "\n");
        Assert.Equal("unchanged", (await (await c.PostAsync("/admin/reload", null)).Json()).GetProperty("outcome").GetString());
        var ready = await (await c.GetAsync("/health/ready")).Json();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, ready.GetProperty("lastModelError").ValueKind);
        Assert.Equal(fx.V1, ready.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task AdminPromoteVerifiesSwapsAndRewritesTheChampion()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1, withV2: true, withCorrupt: true);
        using var f = new ServingFactory(dir);
        var c = f.Client();

        var bad = await c.PostAsync("/admin/models/v-corrupt/promote", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Equal(fx.V1, new ModelRegistry(dir).Champion());

        Assert.Equal(HttpStatusCode.NotFound, (await c.PostAsync("/admin/models/v-nope/promote", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.PostAsync("/admin/models/..%2F..%2Fetc/promote", null)).StatusCode);

        var ok = await c.PostAsync($"/admin/models/{fx.V2}/promote", null);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(fx.V2, new ModelRegistry(dir).Champion());
        var p = await (await c.PostLead(fx.Leads[0])).Json();
        Assert.Equal(fx.V2, p.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task AdminReloadPicksUpAChampionWrittenBehindTheServicesBack()
    {
        var dir = fx.Registry(fx.V1, champion: null, withV2: true);
        using var f = new ServingFactory(dir, new Dictionary<string, string?> { ["Models:PollInterval"] = "01:00:00", ["Models:Watch"] = "false" });
        var c = f.Client();
        Assert.Null(await ServedVersion(c));
        File.WriteAllText(Path.Combine(dir, "champion"), fx.V1 + "\n");
        var r = await c.PostAsync("/admin/reload", null);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("loaded", (await r.Json()).GetProperty("outcome").GetString());
        Assert.Equal(fx.V1, await ServedVersion(c));
        var again = await (await c.PostAsync("/admin/reload", null)).Json();
        Assert.Equal("unchanged", again.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task AChampionTheRulesDoNotFitIsRefusedWithTheReasonAndTheOldOneKeepsServing()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1, withMisfit: true);
        using var f = new ServingFactory(dir);
        var c = f.Client();
        // It loads as a bundle: only serving beside these rules is what it fails.
        Assert.Equal("v-misfit", ModelBundle.Load(Path.Combine(dir, "v-misfit")).Version);

        File.WriteAllText(Path.Combine(dir, "champion"), "v-misfit\n");
        var clock = Stopwatch.StartNew();
        string? error = null;
        while (error is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
            var ready = await (await c.GetAsync("/health/ready")).Json();
            if (ready.TryGetProperty("lastModelError", out var e) && e.ValueKind == System.Text.Json.JsonValueKind.String) error = e.GetString();
        }
        Assert.NotNull(error);
        Assert.Contains("the rules do not fit its schema", error);
        Assert.Contains("days_since_last_activity", error);
        Assert.Equal(fx.V1, await ServedVersion(c));
        Assert.Equal(fx.V1, (await (await c.PostLead(fx.Leads[0])).Json()).GetProperty("modelVersion").GetString());

        var promote = await c.PostAsync("/admin/models/v-misfit/promote", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, promote.StatusCode);
        Assert.Contains("the rules do not fit its schema", (await promote.Json()).GetProperty("detail").GetString());
        Assert.Equal(fx.V1, await ServedVersion(c));
    }

    [Fact]
    public async Task AChampionNamingAVersionThatIsNotThereLeavesTheOldOneServing()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1);
        using var f = new ServingFactory(dir);
        var c = f.Client();
        Assert.Equal(fx.V1, await ServedVersion(c));
        File.WriteAllText(Path.Combine(dir, "champion"), "v-gone\n");
        var reload = await c.PostAsync("/admin/reload", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reload.StatusCode);
        Assert.Contains("v-gone", (await reload.Json()).GetProperty("detail").GetString());
        Assert.Equal(fx.V1, await ServedVersion(c));
        Assert.Equal(HttpStatusCode.OK, (await c.PostLead(fx.Leads[0])).StatusCode);
    }

    /// <summary>
    /// A bundle copied by hand under another folder name (its manifest still names its own version) is a registry
    /// mistake. As champion it was loaded and served, and since the served version never equalled the champion's name,
    /// loaded again on every check, forever. It is refused once, with the reason, and the old model keeps answering.
    /// </summary>
    [Fact]
    public async Task AChampionFolderNotNamedAfterItsVersionIsRefusedOnceWithTheReasonAndTheOldOneKeepsServing()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1, withV2: true);
        fx.CopyAs(fx.V2, dir, "v-copy");
        var lines = new ConcurrentQueue<string>();
        using var f = new ServingFactory(dir);
        using var logged = f.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(new CapturingLoggerProvider(lines))));
        var c = logged.CreateClient();
        c.DefaultRequestHeaders.Add("X-Api-Key", ServingFactory.AdminKey);
        var loadedAt = (await (await c.GetAsync("/model")).Json()).GetProperty("loadedAt").GetDateTime();

        var promote = await c.PostAsync("/admin/models/v-copy/promote", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, promote.StatusCode);
        Assert.Contains("must be named after its version", (await promote.Json()).GetProperty("detail").GetString());
        Assert.Equal(fx.V1, new ModelRegistry(dir).Champion());
        static bool Refusal(string line) => line.Contains("Model v-copy rejected", StringComparison.Ordinal);
        var refusals = lines.Count(Refusal);

        File.WriteAllText(Path.Combine(dir, "champion"), "v-copy\n");
        var clock = Stopwatch.StartNew();
        string? error = null;
        while (error is null && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
            var ready = await (await c.GetAsync("/health/ready")).Json();
            if (ready.GetProperty("lastModelError") is { ValueKind: System.Text.Json.JsonValueKind.String } e) error = e.GetString();
        }
        Assert.NotNull(error);
        Assert.Contains($"model folder 'v-copy' holds version {fx.V2}: a bundle's folder must be named after its version", error);
        Assert.Contains($"promote {fx.V2}", error);

        // Ten poll intervals later: nothing was loaded, the refusal was not repeated, and the old model answers.
        await Task.Delay(2000);
        var model = await (await c.GetAsync("/model")).Json();
        Assert.Equal(fx.V1, model.GetProperty("version").GetString());
        Assert.Equal(loadedAt, model.GetProperty("loadedAt").GetDateTime());
        Assert.DoesNotContain(lines, l => l.Contains($"Serving model {fx.V2}", StringComparison.Ordinal));
        Assert.Equal(refusals + 1, lines.Count(Refusal));
        var lead = fx.BothModelsAnswer[0];
        var p = await (await c.PostLead(lead)).Json();
        Assert.Equal(fx.V1, p.GetProperty("modelVersion").GetString());
        Assert.True(ScoredBy(fx.V1, lead, p.GetProperty("probability").GetDouble()), "the answer is not the old model's");
    }

    /// <summary>On a shared file system events may never come: the periodic check alone finds a new champion.</summary>
    [Fact]
    public async Task WithoutFileEventsThePeriodicCheckServesANewChampion()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1, withV2: true);
        using var f = new ServingFactory(dir, new Dictionary<string, string?> { ["Models:Watch"] = "false", ["Models:PollInterval"] = "00:00:00.300" });
        var c = f.Client();
        Assert.Equal(fx.V1, await ServedVersion(c));
        new ModelRegistry(dir).Promote(fx.V2);
        var clock = Stopwatch.StartNew();
        while (await ServedVersion(c) != fx.V2 && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(50);
        Assert.Equal(fx.V2, await ServedVersion(c));
    }

    /// <summary>
    /// Batches sent one after another while an admin flips the champion between two different models every few
    /// milliseconds: each batch is scored wholly by one model (one version, and every probability that model's), and
    /// over the run both models score batches, so swaps landed while batches were being scored.
    /// </summary>
    [Fact]
    public async Task ABatchIsScoredWithOneModelEvenWhileTheChampionFlips()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1, withV2: true);
        using var f = new ServingFactory(dir, new Dictionary<string, string?> { ["Models:Watch"] = "false", ["Models:PollInterval"] = "01:00:00" });
        var c = f.Client();
        var leads = Enumerable.Range(0, 1000).Select(i => fx.BothModelsAnswer[i % fx.BothModelsAnswer.Count]).ToList();
        using var stop = new CancellationTokenSource();
        var flips = 0;
        var flipper = Task.Run(async () =>
        {
            var admin = f.Client();
            while (!stop.IsCancellationRequested)
            {
                var r = await admin.PostAsync($"/admin/models/{(flips % 2 == 0 ? fx.V2 : fx.V1)}/promote", null);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                flips++;
                await Task.Delay(5);
            }
        });
        var byVersion = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(4) || byVersion.Count < 2 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var items = (await (await c.PostAsJsonAsync("/predict/batch", leads.Select(l => new { features = l }))).Json()).EnumerateArray().ToList();
            var versions = items.Select(i => i.GetProperty("modelVersion").GetString()!).Distinct().ToList();
            Assert.Single(versions);
            for (var i = 0; i < items.Count; i += 37)
                Assert.True(ScoredBy(versions[0], leads[i], items[i].GetProperty("probability").GetDouble()), $"lead {i} of a {versions[0]} batch has another model's probability");
            byVersion[versions[0]] = byVersion.GetValueOrDefault(versions[0]) + 1;
        }
        stop.Cancel();
        await flipper;
        Assert.True(flips > 20, $"only {flips} promotions ran");
        Assert.Equal(2, byVersion.Count);
    }

    /// <summary>Whether <paramref name="probability"/> is what the bundle named <paramref name="version"/> gives the lead (to the API's 6 decimals).</summary>
    private bool ScoredBy(string version, IReadOnlyDictionary<string, string?> lead, double probability) =>
        Math.Abs(Probability(version == fx.V1 ? fx.Bundle : fx.Bundle2, lead) - probability) <= 1e-6;

    private static double Probability(ModelBundle b, IReadOnlyDictionary<string, string?> lead)
    {
        var p = Core.Scoring.PreparedLead.From(b, lead);
        return b.Score(p.Features, p.Values).Probability;
    }

    [Fact]
    public void TheTwoFixtureModelsTellThemselvesApartOnAlmostEveryLead()
    {
        // What the swap tests above rely on to tell which model scored an answer.
        Assert.True(fx.BothModelsAnswer.Count >= 100, $"{fx.BothModelsAnswer.Count} leads");
        var apart = fx.BothModelsAnswer.Count(l => Math.Abs(Probability(fx.Bundle, l) - Probability(fx.Bundle2, l)) > 1e-5);
        Assert.True(apart >= fx.BothModelsAnswer.Count * 0.95, $"{apart} of {fx.BothModelsAnswer.Count} leads");
    }
}
