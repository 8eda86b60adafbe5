using System.Net;
using LeadPropensity.Core.Rules;

namespace LeadPropensity.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class FallbackTests(ModelFixture fx)
{
    private static readonly RuleSet Rules = RuleSet.Load(RepoPaths.Repo("rules.json"));

    private static async Task AssertRulesAnswer(HttpResponseMessage r, IReadOnlyDictionary<string, string?> lead, string why)
    {
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var j = await r.Json();
        var expected = Rules.Evaluate(lead);
        Assert.Equal("rules", j.GetProperty("source").GetString());
        Assert.Equal(expected.Band, j.GetProperty("band").GetString());
        Assert.Equal((int)Math.Round(expected.Score, MidpointRounding.AwayFromZero), j.GetProperty("score").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, j.GetProperty("probability").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, j.GetProperty("modelVersion").ValueKind);
        var reasons = j.GetProperty("reasons").EnumerateArray().ToList();
        Assert.Equal(expected.Reasons.Count, reasons.Count);
        Assert.Equal(expected.Reasons.Select(x => x.Effect), reasons.Select(x => x.GetProperty("effect").GetDouble()));
        Assert.Contains(j.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains(why));
    }

    [Fact]
    public async Task PredictReturnsRulesBandWhenNoModelIsLoaded()
    {
        using var f = new ServingFactory(fx.Registry());
        var lead = fx.Leads[3];
        await AssertRulesAnswer(await f.Client().PostLead(lead), lead, "no model is loaded");
        var ready = await (await f.Client(null).GetAsync("/health/ready")).Json();
        Assert.Equal("rules", ready.GetProperty("answeredBy").GetString());
    }

    [Fact]
    public async Task PredictUsesTheRulesWhenTheCallerAsksForThem()
    {
        var lead = fx.Leads[4];
        await AssertRulesAnswer(await fx.Standard.Client().PostLead(lead, "/predict?engine=rules"), lead, "engine=rules");
    }

    [Fact]
    public async Task PredictUsesTheRulesWhenMostOfTheModelsImportantFieldsAreMissing()
    {
        var important = fx.Bundle.Manifest.Importance.Select(i => i.Field).Where(fx.Bundle.Fields.Contains).Take(5).ToList();
        var complete = fx.Leads.First(l => important.All(f => !fx.Bundle.Schema.IsMissing(l.GetValueOrDefault(f))));
        var withoutThree = new Dictionary<string, string?>(complete);
        foreach (var f in important.Take(3)) withoutThree.Remove(f);
        await AssertRulesAnswer(await fx.Standard.Client().PostLead(withoutThree), withoutThree, "most important fields are missing");

        var withoutTwo = new Dictionary<string, string?>(complete);
        foreach (var f in important.Take(2)) withoutTwo[f] = "";
        var j = await (await fx.Standard.Client().PostLead(withoutTwo)).Json();
        Assert.Equal("model", j.GetProperty("source").GetString());
    }

    [Fact]
    public async Task TheMissingShareIsConfigurable()
    {
        using var f = new ServingFactory(fx.Standard.ModelsPath, new Dictionary<string, string?> { ["Scoring:MaxMissingImportantShare"] = "0.1" });
        var important = fx.Bundle.Manifest.Importance.Select(i => i.Field).Where(fx.Bundle.Fields.Contains).First();
        var lead = new Dictionary<string, string?>(fx.Leads[6]);
        lead.Remove(important);
        await AssertRulesAnswer(await f.Client().PostLead(lead), lead, "most important fields are missing");
    }

    [Fact]
    public async Task ACorruptChampionAtStartLeavesTheRulesAnsweringAndReadySaysWhy()
    {
        using var f = new ServingFactory(fx.Registry(withCorrupt: true, champion: "v-corrupt"));
        var lead = fx.Leads[7];
        await AssertRulesAnswer(await f.Client().PostLead(lead), lead, "no model is loaded");
        var ready = await f.Client(null).GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var j = await ready.Json();
        Assert.Equal("rules", j.GetProperty("answeredBy").GetString());
        Assert.Contains("scoring.json", j.GetProperty("lastModelError").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await f.Client().GetAsync("/model")).StatusCode);
    }

    [Fact]
    public async Task RulesAlsoAnswerJsonBatchesWithoutAModel()
    {
        using var f = new ServingFactory(fx.Registry());
        var r = await f.Client().PostAsync("/predict/batch", System.Net.Http.Json.JsonContent.Create(fx.Leads.Take(3).Select(l => new { features = l })));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var items = (await r.Json()).EnumerateArray().ToList();
        Assert.All(items, i => Assert.Equal("rules", i.GetProperty("source").GetString()));
        Assert.Equal(Rules.Evaluate(fx.Leads[2]).Band, items[2].GetProperty("band").GetString());
    }
    [Fact]
    public async Task AChampionTheRulesDoNotFitAtStartLeavesTheRulesAnsweringAndReadySaysWhy()
    {
        using var f = new ServingFactory(fx.Registry(withMisfit: true, champion: "v-misfit"));
        var lead = fx.Leads[5];
        await AssertRulesAnswer(await f.Client().PostLead(lead), lead, "no model is loaded");
        var ready = await (await f.Client(null).GetAsync("/health/ready")).Json();
        Assert.Equal("rules", ready.GetProperty("answeredBy").GetString());
        Assert.Contains("the rules do not fit its schema", ready.GetProperty("lastModelError").GetString());
    }
}
