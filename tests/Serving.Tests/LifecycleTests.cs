using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using LeadPropensity.Core.Bundles;

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
                    var r = await client.PostLead(fx.Leads[i++ % fx.Leads.Count]);
                    Interlocked.Increment(ref requests);
                    if (r.StatusCode != HttpStatusCode.OK) { failures.Add($"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}"); continue; }
                    var j = await r.Json();
                    var v = j.GetProperty("modelVersion").GetString() ?? "(rules)";
                    versions.AddOrUpdate(v, 1, (_, n) => n + 1);
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
    public async Task ABatchIsScoredWithOneModelEvenIfASwapHappens()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1, withV2: true);
        using var f = new ServingFactory(dir);
        var c = f.Client();
        var batch = c.PostAsJsonAsync("/predict/batch", Enumerable.Range(0, 2000).Select(i => new { features = fx.Leads[i % fx.Leads.Count] }));
        new ModelRegistry(dir).Promote(fx.V2);
        var items = (await (await batch).Json()).EnumerateArray().Select(i => i.GetProperty("modelVersion").GetString()).Distinct().ToList();
        Assert.Single(items);
    }
}
