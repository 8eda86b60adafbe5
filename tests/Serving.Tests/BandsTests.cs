using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Sample;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Serving.Tests;

/// <summary>A second model with a different score distribution (another trainer on other leads), for promotions.</summary>
public sealed class OtherModelFixture : IDisposable
{
    private readonly string _dir = RepoPaths.TempDir("lp-bands-other");
    private readonly TrainedModel _model;
    private readonly string _csv;
    private readonly string _sha;

    public OtherModelFixture()
    {
        _csv = Path.Combine(_dir, "leads.csv");
        new LeadGenerator(23).Write(2000, _csv, null);
        var ds = LeadDataset.Load(_csv, LeadSchema.Load(RepoPaths.Repo("data", "sample", "schema.json")));
        _model = ModelTrainer.Train(ds, new TrainingOptions { Trainer = TrainerKind.FastTree, Folds = 2, Seed = 3 });
        _sha = ds.Sha256;
    }

    /// <summary>Writes the model into a registry as a new version; returns its version.</summary>
    public ModelBundle WriteInto(string registry) => ModelBundle.Load(BundleWriter.Write(registry, _model, _csv, _sha, 0).Path);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { /* temp folder; best effort */ }
    }
}

[Collection(ServingCollection.Name)]
public sealed class BandsTests(ModelFixture fx, OtherModelFixture other) : IClassFixture<OtherModelFixture>
{
    private static Task<HttpResponseMessage> Put(HttpClient c, object body) => c.PutAsJsonAsync("/bands", body);

    private static async Task<JsonElement> Bands(HttpClient c)
    {
        var r = await c.GetAsync("/bands");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await r.Json();
    }

    private static (double Mql, double Sql) Cutoffs(JsonElement bands) =>
        (bands.GetProperty("cutoffs").GetProperty("mql").GetDouble(), bands.GetProperty("cutoffs").GetProperty("sql").GetDouble());

    private static double ShareAtOrAbove(double[] p, double cutoff) => p.Count(x => x >= cutoff) / (double)p.Length;

    private static Dictionary<string, string?> State(string db) => new() { ["State:ConnectionString"] = $"Data Source={db}" };

    private async Task<(Dictionary<string, string?> Lead, double P)> ModelScoredLead(HttpClient scorer)
    {
        foreach (var lead in fx.Leads)
        {
            var j = await (await scorer.PostLead(lead)).Json();
            if (j.GetProperty("source").GetString() == "model" && j.GetProperty("band").GetString() != "Disqualified")
                return (lead, j.GetProperty("probability").GetDouble());
        }
        throw new InvalidOperationException("no lead of the sample is scored by the model without being disqualified");
    }

    [Fact]
    public async Task WithNothingStoredTheModelsRecommendationIsInForce()
    {
        var b = await Bands(fx.Standard.Client(ServingFactory.AnalystKey));
        var rec = fx.Bundle.Manifest.RecommendedCutoffs;
        Assert.Equal("recommended", b.GetProperty("source").GetString());
        Assert.Equal((rec.Mql, rec.Sql), Cutoffs(b));
        Assert.Equal($"recommended by model {fx.V1} ({rec.Rule})", b.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("setBy").ValueKind);
        Assert.Equal(["SQL", "MQL", "Nurture", "Disqualified"],
            b.GetProperty("names").EnumerateObject().Select(p => p.Value.GetString()));
    }

    [Fact]
    public async Task PutIsEffectiveAtOnceForGetAndPredict()
    {
        using var f = new ServingFactory(fx.Registry(fx.V1, champion: fx.V1));
        var (admin, scorer) = (f.Client(), f.Client(ServingFactory.ScorerKey));
        var (lead, p) = await ModelScoredLead(scorer);

        var put = await Put(admin, new { mql = p / 4, sql = p / 2, reason = "push this lead to sales" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("SQL", (await (await scorer.PostLead(lead)).Json()).GetProperty("band").GetString());

        var (mql, sql) = (p + (1 - p) / 3, p + 2 * (1 - p) / 3);
        Assert.Equal(HttpStatusCode.OK, (await Put(admin, new { mql, sql, reason = "raise the bar" })).StatusCode);
        Assert.Equal("Nurture", (await (await scorer.PostLead(lead)).Json()).GetProperty("band").GetString());

        var b = await Bands(f.Client(ServingFactory.AnalystKey));
        Assert.Equal("stored", b.GetProperty("source").GetString());
        Assert.Equal((mql, sql), Cutoffs(b));
        Assert.Equal("Probability", b.GetProperty("given").GetProperty("kind").GetString());
        Assert.Equal(sql, b.GetProperty("given").GetProperty("sql").GetDouble());
        Assert.Equal("admin", b.GetProperty("setBy").GetString());
        Assert.Equal("raise the bar", b.GetProperty("reason").GetString());
        Assert.True(DateTime.UtcNow - b.GetProperty("setAt").GetDateTime().ToUniversalTime() < TimeSpan.FromMinutes(1));
        var model = await (await admin.GetAsync("/model")).Json();
        Assert.Equal(sql, model.GetProperty("cutoffsInUse").GetProperty("sql").GetDouble());
    }

    [Fact]
    public async Task PercentileCutoffsArePlacedAgainOnAPromotedModel()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1);
        var second = other.WriteInto(dir);
        using var f = new ServingFactory(dir);
        var c = f.Client();
        Assert.Equal(HttpStatusCode.OK, (await Put(c, new { mqlPercentile = 60, sqlPercentile = 90, reason = "top 10% to sales" })).StatusCode);

        var before = await Bands(c);
        var (mql1, sql1) = Cutoffs(before);
        var p1 = fx.Bundle.Manifest.HeldOut.Probabilities;
        Assert.Equal(CutoffSpec.Percentiles(60, 90).Resolve(p1).Sql, sql1);
        Assert.InRange(ShareAtOrAbove(p1, sql1), 0.08, 0.12);

        Assert.Equal(HttpStatusCode.OK, (await c.PostAsync($"/admin/models/{second.Version}/promote", null)).StatusCode);
        var after = await Bands(c);
        Assert.Equal(second.Version, after.GetProperty("modelVersion").GetString());
        var (mql2, sql2) = Cutoffs(after);
        var p2 = second.Manifest.HeldOut.Probabilities;
        Assert.NotEqual(sql1, sql2);
        Assert.NotEqual(mql1, mql2);
        Assert.Equal(CutoffSpec.Percentiles(60, 90).Resolve(p2).Sql, sql2);
        Assert.InRange(ShareAtOrAbove(p2, sql2), 0.08, 0.12);
        Assert.InRange(ShareAtOrAbove(p2, mql2), 0.37, 0.43);
        // The first model's cutoff would not keep the top 10% on the second model: the re-placing is what keeps it.
        Assert.False(Math.Abs(ShareAtOrAbove(p2, sql1) - 0.10) < 0.02, $"the two models' distributions are too alike to tell ({ShareAtOrAbove(p2, sql1)})");
        Assert.Equal("Percentile", after.GetProperty("given").GetProperty("kind").GetString());
        Assert.Equal(90, after.GetProperty("given").GetProperty("sqlPercentile").GetDouble());

        var model = await (await c.GetAsync("/model")).Json();
        Assert.Equal(sql2, model.GetProperty("cutoffsInUse").GetProperty("sql").GetDouble());
        var sim = await (await c.PostJson("/bands/simulate", "{}")).Json();
        Assert.InRange(sim.GetProperty("sql").GetProperty("share").GetDouble(), 0.08, 0.12);
    }

    [Fact]
    public async Task AbsoluteCutoffsStayAbsoluteAcrossAPromotion()
    {
        var dir = fx.Registry(fx.V1, champion: fx.V1);
        var second = other.WriteInto(dir);
        using var f = new ServingFactory(dir);
        var c = f.Client();
        Assert.Equal(HttpStatusCode.OK, (await Put(c, new { mql = 0.2, sql = 0.6, reason = "fixed bar" })).StatusCode);
        Assert.Equal((0.2, 0.6), Cutoffs(await Bands(c)));
        Assert.Equal(HttpStatusCode.OK, (await c.PostAsync($"/admin/models/{second.Version}/promote", null)).StatusCode);
        var after = await Bands(c);
        Assert.Equal(second.Version, after.GetProperty("modelVersion").GetString());
        Assert.Equal((0.2, 0.6), Cutoffs(after));
        Assert.Equal(0.6, (await (await c.GetAsync("/model")).Json()).GetProperty("cutoffsInUse").GetProperty("sql").GetDouble());
    }

    [Fact]
    public async Task CutoffsSurviveARestart()
    {
        var db = Path.Combine(RepoPaths.TempDir("lp-bands-db"), "state.db");
        var dir = fx.Registry(fx.V1, champion: fx.V1);
        using (var first = new ServingFactory(dir, State(db)))
            Assert.Equal(HttpStatusCode.OK, (await Put(first.Client(), new { mqlPercentile = 50, sqlPercentile = 85, reason = "before restart" })).StatusCode);

        using var second = new ServingFactory(dir, State(db));
        var b = await Bands(second.Client(ServingFactory.AnalystKey));
        Assert.Equal("stored", b.GetProperty("source").GetString());
        Assert.Equal(85, b.GetProperty("given").GetProperty("sqlPercentile").GetDouble());
        Assert.Equal("before restart", b.GetProperty("reason").GetString());
        Assert.Equal(CutoffSpec.Percentiles(50, 85).Resolve(fx.Bundle.Manifest.HeldOut.Probabilities).Sql, Cutoffs(b).Sql);
    }

    [Fact]
    public async Task AnotherReplicaSeesAChangeWithinThePollInterval()
    {
        var db = Path.Combine(RepoPaths.TempDir("lp-bands-db"), "state.db");
        var dir = fx.Registry(fx.V1, champion: fx.V1);
        var settings = State(db);
        settings["Bands:PollInterval"] = "00:00:00.100";
        using var a = new ServingFactory(dir, settings);
        using var b = new ServingFactory(dir, settings);
        var (ca, cb) = (a.Client(), b.Client());
        Assert.Equal("recommended", (await Bands(cb)).GetProperty("source").GetString());

        Assert.Equal(HttpStatusCode.OK, (await Put(ca, new { mql = 0.15, sql = 0.55, reason = "set on replica A" })).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        JsonElement seen;
        do
        {
            await Task.Delay(50);
            seen = await Bands(cb);
        } while (seen.GetProperty("source").GetString() != "stored" && DateTime.UtcNow < deadline);
        Assert.Equal((0.15, 0.55), Cutoffs(seen));
        Assert.Equal(0.55, (await (await cb.GetAsync("/model")).Json()).GetProperty("cutoffsInUse").GetProperty("sql").GetDouble());
    }

    [Fact]
    public async Task HistoryListsEveryChangeNewestFirstWithWhoAndWhy()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Keys:3:Name"] = "marketing-lead", ["Auth:Keys:3:Hash"] = ServingFactory.Hash("ml-key"), ["Auth:Keys:3:Role"] = "admin",
        };
        using var f = new ServingFactory(fx.Registry(fx.V1, champion: fx.V1), settings);
        Assert.Equal(HttpStatusCode.OK, (await Put(f.Client(), new { mql = 0.1, sql = 0.5, reason = "first" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Put(f.Client("ml-key"), new { mqlPercentile = 60, sqlPercentile = 90, reason = "second" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Put(f.Client(), new { mql = 0.2, sql = 0.7, reason = "third" })).StatusCode);

        var r = await f.Client(ServingFactory.AnalystKey).GetAsync("/bands/history");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var h = (await r.Json()).EnumerateArray().ToList();
        Assert.Equal(["third", "second", "first"], h.Select(e => e.GetProperty("reason").GetString()));
        Assert.Equal(["admin", "marketing-lead", "admin"], h.Select(e => e.GetProperty("setBy").GetString()));
        Assert.Equal(JsonValueKind.Null, h[2].GetProperty("old").ValueKind);
        Assert.Equal(0.5, h[2].GetProperty("new").GetProperty("sql").GetDouble());
        Assert.Equal(0.5, h[1].GetProperty("old").GetProperty("sql").GetDouble());
        Assert.Equal(90, h[1].GetProperty("new").GetProperty("sqlPercentile").GetDouble());
        Assert.Equal(90, h[0].GetProperty("old").GetProperty("sqlPercentile").GetDouble());
        Assert.Equal(0.7, h[0].GetProperty("new").GetProperty("sql").GetDouble());
        var versions = h.Select(e => e.GetProperty("version").GetInt64()).ToList();
        Assert.True(versions[0] > versions[1] && versions[1] > versions[2]);
        var times = h.Select(e => e.GetProperty("setAt").GetDateTime()).ToList();
        Assert.True(times[0] >= times[1] && times[1] >= times[2]);

        var limited = (await (await f.Client(ServingFactory.AnalystKey).GetAsync("/bands/history?limit=1")).Json()).EnumerateArray().ToList();
        Assert.Equal("third", Assert.Single(limited).GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("""{ "mql": 0.2, "sql": 0.6, "mqlPercentile": 60, "sqlPercentile": 90, "reason": "x" }""", "cutoffs")]
    [InlineData("""{ "mql": 0.2, "reason": "x" }""", "sql")]
    [InlineData("""{ "sqlPercentile": 90, "reason": "x" }""", "mqlPercentile")]
    [InlineData("""{ "reason": "x" }""", "cutoffs")]
    [InlineData("""{ "mql": 0, "sql": 0.6, "reason": "x" }""", "mql")]
    [InlineData("""{ "mql": 0.2, "sql": 1.5, "reason": "x" }""", "sql")]
    [InlineData("""{ "mqlPercentile": 50, "sqlPercentile": 100, "reason": "x" }""", "sqlPercentile")]
    [InlineData("""{ "mql": 0.6, "sql": 0.6, "reason": "x" }""", "mql")]
    [InlineData("""{ "mqlPercentile": 90, "sqlPercentile": 60, "reason": "x" }""", "mqlPercentile")]
    [InlineData("""{ "mql": 0.2, "sql": 0.6 }""", "reason")]
    [InlineData("""{ "mql": 0.2, "sql": 0.6, "reason": "   " }""", "reason")]
    [InlineData("""{ "mql": 0.2, "sql": 0.6, "reason": 5 }""", "reason")]
    [InlineData("""{ "mql": "0.2", "sql": 0.6, "reason": "x" }""", "mql")]
    [InlineData("""{ "mql": 0.2, "sqll": 0.6, "reason": "x" }""", "sqll")]
    [InlineData("""{ "mql": 0.2, "sql": 0.6, "reason": "x" """, "body")]
    [InlineData("""[ 0.2, 0.6 ]""", "body")]
    [InlineData("", "body")]
    public async Task ABadPutIsAValidationProblemNamingTheField(string body, string field)
    {
        using var f = new ServingFactory(fx.Registry(fx.V1, champion: fx.V1));
        var c = f.Client();
        var r = await c.PutAsync("/bands", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, await r.ErrorKeys());
        // Nothing was stored.
        Assert.Equal("recommended", (await Bands(c)).GetProperty("source").GetString());
        Assert.Empty((await (await c.GetAsync("/bands/history")).Json()).EnumerateArray());
    }

    [Fact]
    public async Task OnlyAnAdminMaySetCutoffsAndOnlyAnalystsMayReadThem()
    {
        var f = fx.Standard;
        var body = new { mql = 0.2, sql = 0.6, reason = "not allowed" };
        Assert.Equal(HttpStatusCode.Forbidden, (await Put(f.Client(ServingFactory.AnalystKey), body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Put(f.Client(ServingFactory.ScorerKey), body)).StatusCode);
        var anonymous = await Put(f.Client(null), body);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Client(ServingFactory.ScorerKey).GetAsync("/bands")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Client(null).GetAsync("/bands/history")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Client(ServingFactory.ScorerKey).PostJson("/bands/simulate", "{}")).StatusCode);
        Assert.Equal("recommended", (await Bands(f.Client(ServingFactory.AnalystKey))).GetProperty("source").GetString());
    }

    [Fact]
    public async Task SimulatorNumbersEqualTheMetricsOnTheHeldOutData()
    {
        var (p, y) = (fx.Bundle.Manifest.HeldOut.Probabilities, fx.Bundle.Manifest.HeldOut.Labels);
        var (mql, sql) = (CutoffSpec.ScoreAtPercentile(p, 55), CutoffSpec.ScoreAtPercentile(p, 88));
        var r = await fx.Standard.Client(ServingFactory.AnalystKey).PostAsJsonAsync("/bands/simulate", new { mql, sql });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var s = await r.Json();

        var rows = Metrics.Bands(p, y, [new BandCutoff("SQL", sql), new BandCutoff("MQL", mql), new BandCutoff("Nurture", 0)]);
        var bands = s.GetProperty("bands").EnumerateArray().ToList();
        Assert.Equal(p.Length, s.GetProperty("heldOutLeads").GetInt32());
        Assert.Equal(y.Count(v => v), s.GetProperty("conversions").GetInt32());
        Assert.Equal(["SQL", "MQL", "Nurture"], bands.Select(b => b.GetProperty("name").GetString()));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(rows[i].Count, bands[i].GetProperty("leads").GetInt32());
            Assert.Equal(rows[i].Share, bands[i].GetProperty("share").GetDouble(), 12);
            Assert.Equal(rows[i].Share * 1000, bands[i].GetProperty("leadsPer1000").GetDouble(), 9);
            Assert.Equal(rows[i].Positives, bands[i].GetProperty("conversions").GetInt32());
            Assert.Equal(rows[i].ConversionRate, bands[i].GetProperty("conversionRate").GetDouble(), 12);
            Assert.Equal(rows[i].WilsonLow, bands[i].GetProperty("wilsonLow").GetDouble(), 12);
            Assert.Equal(rows[i].WilsonHigh, bands[i].GetProperty("wilsonHigh").GetDouble(), 12);
        }
        Assert.Equal(rows[0].PrecisionAtOrAbove, s.GetProperty("sql").GetProperty("precision").GetDouble(), 12);
        Assert.Equal(rows[0].RecallAtOrAbove, s.GetProperty("sql").GetProperty("recall").GetDouble(), 12);
        Assert.Equal(rows[1].PrecisionAtOrAbove, s.GetProperty("mqlOrBetter").GetProperty("precision").GetDouble(), 12);
        Assert.Equal(rows[1].RecallAtOrAbove, s.GetProperty("mqlOrBetter").GetProperty("recall").GetDouble(), 12);
        var confusion = Metrics.ConfusionAtCutoffs(p, y, [new BandCutoff("SQL", sql)])[0];
        Assert.Equal(confusion.FalsePositives, s.GetProperty("sql").GetProperty("falsePositives").GetInt32());
        Assert.Equal((mql, sql), (s.GetProperty("cutoffs").GetProperty("mql").GetDouble(), s.GetProperty("cutoffs").GetProperty("sql").GetDouble()));

        // The percentile form simulates the cutoffs Resolve places.
        var byPercentile = await (await fx.Standard.Client(ServingFactory.AnalystKey)
            .PostAsJsonAsync("/bands/simulate", new { mqlPercentile = 60, sqlPercentile = 90 })).Json();
        Assert.Equal(CutoffSpec.Percentiles(60, 90).Resolve(p).Sql, byPercentile.GetProperty("cutoffs").GetProperty("sql").GetDouble());
        Assert.Equal("Percentile", byPercentile.GetProperty("given").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task SimulatorAnswersThePrecisionTargetAndTopPercentQuestions()
    {
        var (p, y) = (fx.Bundle.Manifest.HeldOut.Probabilities, fx.Bundle.Manifest.HeldOut.Labels);
        var top10 = CutoffSpec.ScoreAtPercentile(p, 90);
        var c10 = Metrics.ConfusionAtCutoffs(p, y, [new BandCutoff("SQL", top10)])[0];
        var target = Math.Round((double)c10.TruePositives / (c10.TruePositives + c10.FalsePositives), 2);

        var s = await (await fx.Standard.Client(ServingFactory.AnalystKey)
            .PostAsJsonAsync("/bands/simulate", new { targetPrecision = target, topPercent = 10 })).Json();

        var t = s.GetProperty("targetPrecision");
        Assert.True(t.GetProperty("reachable").GetBoolean());
        var cutoff = t.GetProperty("sql").GetProperty("cutoff").GetDouble();
        var at = Metrics.ConfusionAtCutoffs(p, y, [new BandCutoff("SQL", cutoff)])[0];
        Assert.True((double)at.TruePositives / (at.TruePositives + at.FalsePositives) >= target);
        Assert.Equal(at.TruePositives + at.FalsePositives, t.GetProperty("sql").GetProperty("leads").GetInt32());
        Assert.Equal((double)at.TruePositives / (at.TruePositives + at.FalseNegatives), t.GetProperty("sql").GetProperty("recall").GetDouble(), 12);
        // Lowest: every lower cutoff falls short of the target.
        foreach (var lower in p.Distinct().Where(x => x < cutoff))
        {
            var c = Metrics.ConfusionAtCutoffs(p, y, [new BandCutoff("SQL", lower)])[0];
            Assert.True((double)c.TruePositives / (c.TruePositives + c.FalsePositives) < target, $"cutoff {lower} also reaches {target}");
        }

        var top = s.GetProperty("topPercent");
        Assert.Equal(10, top.GetProperty("percent").GetDouble());
        Assert.Equal(top10, top.GetProperty("sql").GetProperty("cutoff").GetDouble());
        Assert.InRange(top.GetProperty("sql").GetProperty("share").GetDouble(), 0.09, 0.11);

        var unreachable = await (await fx.Standard.Client(ServingFactory.AnalystKey)
            .PostAsJsonAsync("/bands/simulate", new { targetPrecision = 1.0 })).Json();
        var best = unreachable.GetProperty("targetPrecision");
        if (!best.GetProperty("reachable").GetBoolean()) Assert.True(best.GetProperty("bestPrecision").GetDouble() < 1.0);
        else Assert.Equal(1.0, best.GetProperty("sql").GetProperty("precision").GetDouble());
    }

    [Theory]
    [InlineData("""{ "topPercent": 100 }""", "topPercent")]
    [InlineData("""{ "targetPrecision": 0 }""", "targetPrecision")]
    [InlineData("""{ "mql": 0.2 }""", "sql")]
    [InlineData("""{ "mql": 0.2, "sql": 0.6, "sqlPercentile": 90 }""", "cutoffs")]
    [InlineData("""{ "mql": 0.2, "sql": 0.6, """, "body")]
    public async Task ABadSimulationIsAValidationProblem(string body, string field)
    {
        var r = await fx.Standard.Client(ServingFactory.AnalystKey).PostJson("/bands/simulate", body);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(field, await r.ErrorKeys());
    }

    [Fact]
    public async Task SimulatingWithoutAModelIsAConflict()
    {
        using var f = new ServingFactory(fx.Registry(fx.V1, champion: null));
        var r = await f.Client(ServingFactory.AnalystKey).PostJson("/bands/simulate", """{ "mql": 0.2, "sql": 0.6 }""");
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Equal("No model is loaded", (await r.Json()).GetProperty("title").GetString());
        var b = await Bands(f.Client(ServingFactory.AnalystKey));
        Assert.Equal("none", b.GetProperty("source").GetString());
    }
}
