using System.Net;
using System.Text;
using System.Text.Json;
using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Core.State;

namespace LeadPropensity.Serving.Tests.Loop;

/// <summary>
/// The loop from serving back to training, run on each store: every answer logged (and flushed on shutdown), outcomes
/// recorded idempotently, monitoring computed with Core's Metrics, and the log exported into a model that trains.
/// </summary>
public abstract partial class LoopContract(ModelFixture fx) : StoreBackedTests(fx)
{
    [Fact]
    public async Task RetentionDeletesPredictionsOlderThanConfiguredAndKeepsTheRest()
    {
        var now = DateTime.UtcNow;
        await using (var store = OpenStore())
        {
            await store.MigrateAsync();
            await store.AppendPredictionsAsync([
                new PredictionRecord("OLD-1", now.AddDays(-3), Fx.V1, "model", 0.2, 20, "MQL", "{}"),
                new PredictionRecord("OLD-2", now.AddDays(-2.5), Fx.V1, "model", 0.3, 30, "MQL", "{}"),
                new PredictionRecord("RECENT", now.AddDays(-1), Fx.V1, "model", 0.4, 40, "MQL", "{}"),
            ]);
        }
        var server = Server(new Dictionary<string, string?> { ["PredictionLog:RetentionDays"] = "2", ["PredictionLog:RetentionInterval"] = "00:00:00.100" });
        Assert.Equal(HttpStatusCode.OK, (await server.Client(ServingFactory.ScorerKey).PostLead(Fx.Leads[0], leadId: "NEW")).StatusCode);

        await using var after = OpenStore();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        IReadOnlyList<PredictionRecord> rows;
        do
        {
            await Task.Delay(100);
            rows = await after.GetPredictionsAsync();
        } while ((rows.Any(r => r.LeadId.StartsWith("OLD", StringComparison.Ordinal)) || rows.All(r => r.LeadId != "NEW")) && DateTime.UtcNow < deadline);
        Assert.Equal(["RECENT", "NEW"], rows.Select(r => r.LeadId));
    }

    [Fact]
    public async Task EveryAnswerIsLoggedAndShutdownFlushesTheBuffer()
    {
        // Batches never fill and never time out: only the shutdown flush can write these rows.
        var server = Server(new Dictionary<string, string?> { ["PredictionLog:MaxWait"] = "00:10:00", ["PredictionLog:BatchSize"] = "100000" });
        var c = server.Client(ServingFactory.ScorerKey);
        var answers = new Dictionary<string, JsonElement>();
        for (var i = 0; i < 5; i++)
        {
            var r = await c.PostLead(Fx.Leads[i], leadId: $"J-{i}");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            answers[$"J-{i}"] = await r.Json();
        }
        for (var i = 0; i < 2; i++)
        {
            var r = await c.PostLead(Fx.Leads[10 + i], "/predict?engine=rules", leadId: $"R-{i}");
            answers[$"R-{i}"] = await r.Json();
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await c.PostLead(new Dictionary<string, string?> { ["website_visits_30d"] = "many" }, leadId: "BAD")).StatusCode);
        await PredictBatch(c, Generated(4).Select((l, i) => ($"B-{i}", l.Features, l.Won)));
        var csv = await c.PostAsync("/predict/batch", new StringContent(SampleCsv(6), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var rulesCsv = await c.PostAsync("/predict/batch?engine=rules", new StringContent(SampleCsv(3), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, rulesCsv.StatusCode);
        const int n = 5 + 2 + 4 + 6 + 3;

        await using (var store = OpenStore()) Assert.Empty(await store.GetPredictionsAsync());
        await server.DisposeAsync();

        await using var after = OpenStore();
        var rows = await after.GetPredictionsAsync();
        Assert.Equal(n, rows.Count);
        Assert.DoesNotContain(rows, r => r.LeadId == "BAD");
        var j0 = rows.Single(r => r.LeadId == "J-0");
        Assert.Equal(("model", Fx.V1), (j0.Source, j0.ModelVersion));
        Assert.Equal(answers["J-0"].GetProperty("probability").GetDouble(), j0.Probability, 1e-6);
        Assert.Equal(answers["J-0"].GetProperty("band").GetString(), j0.Band);
        using (var f = JsonDocument.Parse(j0.FeaturesJson))
            Assert.Equal(Fx.Leads[0]["lead_source"], f.RootElement.GetProperty("lead_source").GetString());
        var r0 = rows.Single(r => r.LeadId == "R-0");
        Assert.Equal(("rules", (string?)null), (r0.Source, r0.ModelVersion));
        Assert.Equal(answers["R-0"].GetProperty("score").GetInt32() / 100.0, r0.Probability, 12); // rules: score / 100
        Assert.Equal(4, rows.Count(r => r.LeadId.StartsWith("B-", StringComparison.Ordinal)));
        // The CSV rows are logged under the schema's id column; the model CSV and the rules CSV share the first three ids.
        Assert.Equal(6, rows.Count(r => r.LeadId.StartsWith("L-", StringComparison.Ordinal) && r.Source == "model"));
        Assert.Equal(3, rows.Count(r => r.LeadId.StartsWith("L-", StringComparison.Ordinal) && r.Source == "rules"));
        Assert.All(rows.Where(r => r.Source == "model"), r => Assert.Equal(Fx.V1, r.ModelVersion));
    }

    [Fact]
    public async Task OutcomesAreIdempotentTheLatestWinsAndUnscoredLeadsAreKept()
    {
        var c = Server().Client(ServingFactory.ScorerKey);
        await PredictBatch(c, Generated(2).Select((l, i) => ($"O-{i}", l.Features, l.Won)));
        Assert.Equal(2, (await LoggedAsync(2)).Count);
        var t1 = new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        object[] batch = [Outcome("O-0", true, t1), Outcome("O-1", false, t1), Outcome("NEVER-SCORED", true, t1)];

        var first = await (await PostOutcomes(c, batch)).Json();
        Assert.Equal((3, 3, 0, 0, 1, 1L), Counts(first));
        var again = await (await PostOutcomes(c, batch)).Json();
        Assert.Equal((3, 0, 0, 3, 1, 1L), Counts(again));
        // A later "lost" replaces "won"; an older "won" after it changes nothing.
        var later = await (await PostOutcomes(c, new[] { Outcome("O-0", false, t1.AddDays(1)) })).Json();
        Assert.Equal((1, 0, 1, 0, 0, 1L), Counts(later));
        var older = await (await PostOutcomes(c, new[] { Outcome("O-0", true, t1.AddDays(-1)) })).Json();
        Assert.Equal((1, 0, 0, 1, 0, 1L), Counts(older));

        await using var store = OpenStore();
        var outcomes = (await store.GetScoredOutcomesAsync()).ToDictionary(o => o.LeadId);
        Assert.Equal(2, outcomes.Count);
        Assert.False(outcomes["O-0"].Won);
        Assert.Equal(t1.AddDays(1), outcomes["O-0"].OutcomeAt);
        Assert.False(outcomes["O-1"].Won);
        Assert.Equal(1, await store.CountUnscoredOutcomesAsync());
    }

    private static (int Accepted, int Inserted, int Updated, int Unchanged, int Unscored, long UnscoredTotal) Counts(JsonElement j) =>
        (j.GetProperty("accepted").GetInt32(), j.GetProperty("inserted").GetInt32(), j.GetProperty("updated").GetInt32(),
         j.GetProperty("unchanged").GetInt32(), j.GetProperty("unscored").GetInt32(), j.GetProperty("unscoredTotal").GetInt64());

    [Fact]
    public async Task BadOutcomesAreReportedPerItemAndANoGoodBatchIsA400()
    {
        var server = Server();
        var c = server.Client(ServingFactory.ScorerKey);
        var at = "2025-06-01T00:00:00Z";
        var mixed = await PostOutcomes(c, new object[]
        {
            new { leadId = "G-1", outcome = "won", at },
            new { leadId = "G-2", outcome = "maybe", at },
            new { leadId = "", outcome = "lost", at },
            new { leadId = "G-4", outcome = "lost", at = "yesterday" },
            new { leadId = "G-5", outcome = "LOST" , at },
            42,
        });
        Assert.Equal(HttpStatusCode.OK, mixed.StatusCode);
        var j = await mixed.Json();
        Assert.Equal((6, 2), (j.GetProperty("received").GetInt32(), j.GetProperty("accepted").GetInt32()));
        var rejected = j.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3, 5], rejected.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(["[1].outcome", "[2].leadId", "[3].at", "[5]"],
            rejected.Select(r => r.GetProperty("errors").EnumerateObject().Single().Name));

        var none = await PostOutcomes(c, new object[] { new { leadId = "X", outcome = "won" }, new { outcome = "lost", at } });
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Equal(["[0].at", "[1].leadId"], (await none.ErrorKeys()).Order());
        Assert.Equal(["body"], await (await c.PostJson("/outcomes", "{\"leadId\":\"X\"}")).ErrorKeys());
        Assert.Equal(["body"], await (await c.PostJson("/outcomes", "[")).ErrorKeys());
        Assert.Equal(HttpStatusCode.Forbidden, (await PostOutcomes(server.Client(ServingFactory.AnalystKey), new[] { Outcome("G-1", true, DateTime.UtcNow) })).StatusCode);

        await using var store = OpenStore();
        Assert.Equal(2, await store.CountUnscoredOutcomesAsync());
    }

    [Fact]
    public async Task ALargeJsonBatchLogsEachLeadWithItsOwnAnswerInBatchOrder()
    {
        // Large enough to be scored on all cores; lead DUP is sent twice, and the later one must be its latest.
        var server = Server();
        var leads = Generated(300).Select((l, i) => (Id: i is 10 or 250 ? "DUP" : $"P-{i}", l.Features, l.Won)).ToList();
        var answers = (await (await PredictBatch(server.Client(ServingFactory.ScorerKey), leads)).Json()).EnumerateArray().ToList();
        var logged = await LoggedAsync(300);
        Assert.Equal(leads.Select(l => l.Id), logged.Select(p => p.LeadId));
        for (var i = 0; i < leads.Count; i++)
        {
            Assert.Equal(answers[i].GetProperty("score").GetInt32(), logged[i].Score);
            Assert.Equal(answers[i].GetProperty("band").GetString(), logged[i].Band);
            using var features = JsonDocument.Parse(logged[i].FeaturesJson);
            Assert.Equal(leads[i].Features, features.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()));
        }
        var now = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await PostOutcomes(server.Client(ServingFactory.ScorerKey), new[] { Outcome("DUP", true, now) })).StatusCode);
        await using var store = OpenStore();
        Assert.NotEqual(logged[10].Probability, logged[250].Probability);
        Assert.Equal(logged[250].Probability, Assert.Single(await store.GetScoredOutcomesAsync()).Probability);
    }

    [Fact]
    public async Task MonitoringNumbersAreCoreMetricsOnTheLoggedData()
    {
        var server = Server();
        var leads = Generated(300);
        await PredictBatch(server.Client(ServingFactory.ScorerKey), leads);
        var logged = await LoggedAsync(300);
        Assert.Equal(300, logged.Count);
        var now = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await PostOutcomes(server.Client(ServingFactory.ScorerKey),
            leads.Select(l => Outcome(l.Id, l.Won, now)).Append(Outcome("UNSCORED-1", true, now)).ToList())).StatusCode);
        var j = await Monitoring(server.Client(ServingFactory.AnalystKey));
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client(ServingFactory.ScorerKey).GetAsync("/monitoring")).StatusCode);

        var model = logged.Where(p => p.Source == "model").ToList();
        Assert.Equal(300, j.GetProperty("volume").GetProperty("total").GetInt64());
        Assert.Equal(model.Count, j.GetProperty("volume").GetProperty("bySource").GetProperty("model").GetInt64());
        foreach (var g in logged.GroupBy(p => p.Band))
            Assert.Equal(g.Count(), j.GetProperty("volume").GetProperty("byBand").GetProperty(g.Key).GetInt64());

        var heldOut = Fx.Bundle.Manifest.HeldOut.Probabilities;
        var live = model.Select(p => p.Probability).ToList();
        var drift = j.GetProperty("drift");
        Assert.Equal(Metrics.Psi(heldOut, live, 10), drift.GetProperty("scorePsi").GetDouble(), 12);
        Assert.Equal(model.Count, drift.GetProperty("scoreCount").GetInt32());
        Assert.Contains("report.json", drift.GetProperty("fieldsNote").GetString()); // the fixture's bundles have no report
        Assert.DoesNotContain(j.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("kind").GetString() == "score-psi");

        var cutoffs = LeadScorer.CutoffsOf(Fx.Bundle);
        foreach (var row in j.GetProperty("bandMix").EnumerateArray())
        {
            var band = row.GetProperty("band").GetString()!;
            Assert.Equal(model.Count(p => p.Band == band), row.GetProperty("liveCount").GetInt64());
            if (band != "Disqualified")
                Assert.Equal((double)heldOut.Count(p => cutoffs.Assign(p, false) == band) / heldOut.Length, row.GetProperty("heldOutShare").GetDouble(), 12);
        }

        await using var store = OpenStore();
        var scored = (await store.GetScoredOutcomesAsync()).Where(o => o.Source == "model").ToList();
        var (p, y) = (scored.Select(o => o.Probability).ToArray(), scored.Select(o => o.Won).ToArray());
        var cal = j.GetProperty("calibration");
        Assert.Equal(scored.Count, cal.GetProperty("modelOutcomes").GetInt32());
        Assert.Equal(1, cal.GetProperty("unscoredOutcomes").GetInt64());
        Assert.Equal(Metrics.Ece(p, y, 10), cal.GetProperty("liveEce").GetDouble(), 12);
        Assert.Equal(Fx.Bundle.Manifest.Metrics.EceEqualWidth, cal.GetProperty("heldOutEce").GetDouble(), 12);
        var deciles = Metrics.Reliability(p, y, 10, BinStrategy.EqualMass);
        var got = cal.GetProperty("deciles").EnumerateArray().ToList();
        Assert.Equal(deciles.Count, got.Count);
        for (var i = 0; i < deciles.Count; i++)
        {
            Assert.Equal(deciles[i].Count, got[i].GetProperty("count").GetInt32());
            Assert.Equal(deciles[i].MeanPredicted, got[i].GetProperty("meanPredicted").GetDouble(), 12);
            Assert.Equal(deciles[i].ObservedRate, got[i].GetProperty("observedRate").GetDouble(), 12);
            Assert.Equal(deciles[i].WilsonLow, got[i].GetProperty("wilsonLow").GetDouble(), 12);
        }
        foreach (var band in cal.GetProperty("bands").EnumerateArray())
        {
            var inBand = scored.Where(o => o.Band == band.GetProperty("band").GetString()).ToList();
            var won = inBand.Count(o => o.Won);
            var (low, high) = Metrics.Wilson(won, inBand.Count);
            Assert.Equal((inBand.Count, won), (band.GetProperty("count").GetInt32(), band.GetProperty("won").GetInt32()));
            Assert.Equal(low, band.GetProperty("wilsonLow").GetDouble(), 12);
            Assert.Equal(high, band.GetProperty("wilsonHigh").GetDouble(), 12);
            Assert.Equal(inBand.Average(o => o.Probability), band.GetProperty("meanPredicted").GetDouble(), 12);
        }

        // A window before any prediction sees nothing; a malformed one is a 400 naming the parameter.
        var empty = await Monitoring(server.Client(ServingFactory.AnalystKey), "?from=2020-01-01&to=2020-02-01");
        Assert.Equal(0, empty.GetProperty("volume").GetProperty("total").GetInt64());
        Assert.Equal(["from"], await (await server.Client(ServingFactory.AnalystKey).GetAsync("/monitoring?from=soon")).ErrorKeys());
    }

    [Fact]
    public async Task AShiftedDistributionAndWorseCalibrationRaiseAlerts()
    {
        var server = Server(new Dictionary<string, string?> { ["Monitoring:MinSample"] = "20" });
        // Only the leads the model likes most, and every one of them lost: scores shifted up, calibration broken.
        var top = Generated(600).Select(l => (Lead: l, P: Probability(l.Features))).OrderByDescending(x => x.P).Take(60).Select(x => x.Lead).ToList();
        await PredictBatch(server.Client(ServingFactory.ScorerKey), top);
        await LoggedAsync(60);
        await PostOutcomes(server.Client(ServingFactory.ScorerKey), top.Select(l => Outcome(l.Id, false, DateTime.UtcNow)).ToList());

        var j = await Monitoring(server.Client(ServingFactory.AnalystKey));
        var alerts = j.GetProperty("alerts").EnumerateArray().ToDictionary(a => a.GetProperty("kind").GetString()!);
        Assert.True(j.GetProperty("drift").GetProperty("scorePsi").GetDouble() > 0.2);
        Assert.Equal(0.2, alerts["score-psi"].GetProperty("threshold").GetDouble());
        Assert.True(alerts.ContainsKey("ece"));

        // The thresholds are configuration: a second replica on the same store with looser ones stays quiet.
        var quiet = Server(new Dictionary<string, string?> { ["Monitoring:PsiAlert"] = "100", ["Monitoring:EceAlert"] = "1" });
        Assert.Empty((await Monitoring(quiet.Client(ServingFactory.AnalystKey))).GetProperty("alerts").EnumerateArray());
    }

    private double Probability(Dictionary<string, string?> features)
    {
        var lead = PreparedLead.From(Fx.Bundle, features);
        return lead.IsValid ? Fx.Bundle.Score(lead.Features, lead.Values).Probability : 0;
    }
}

[Collection(ServingCollection.Name)]
public sealed class SqliteLoopTests(ModelFixture fx) : LoopContract(fx)
{
    protected override string Provider => "Sqlite";
    protected override Task<string> CreateDatabaseAsync() => SqliteDatabases.Create();
    protected override Task DropDatabaseAsync(string connectionString) => SqliteDatabases.Drop(connectionString);

    [Fact]
    public async Task TopFieldsDriftAgainstTheTrainingDistributionOfTheBundlesReport()
    {
        // The shipped default model has a report.json with each field's training distribution (the fixture's bundles do not).
        var registry = RepoPaths.TempDir("lp-loop-default");
        var version = File.ReadAllText(RepoPaths.Repo("models", "champion")).Trim();
        Directory.CreateDirectory(Path.Combine(registry, version));
        foreach (var f in Directory.GetFiles(RepoPaths.Repo("models", version)))
            File.Copy(f, Path.Combine(registry, version, Path.GetFileName(f)));
        File.WriteAllText(Path.Combine(registry, "champion"), version + "\n");
        var server = Server(registry: registry);
        var leads = Fx.Leads.Take(80).Select((l, i) => ($"D-{i}", new Dictionary<string, string?>(l), false)).ToList();
        await PredictBatch(server.Client(ServingFactory.ScorerKey), leads);
        var logged = await LoggedAsync(80);

        var drift = (await Monitoring(server.Client(ServingFactory.AnalystKey))).GetProperty("drift");
        Assert.Equal(JsonValueKind.Null, drift.GetProperty("fieldsNote").ValueKind);
        var fields = drift.GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(5, fields.Count);
        var bundle = Core.Bundles.ModelBundle.Load(Path.Combine(registry, version));
        var report = Core.Reporting.ReportWriter.TryRead(Path.Combine(registry, version))!;
        var expectedOrder = bundle.Manifest.Importance.OrderByDescending(i => i.AucDrop).Take(5).Select(i => i.Field);
        Assert.Equal(expectedOrder, fields.Select(f => f.GetProperty("field").GetString()));
        // Free text has no training distribution: the report's reason is passed on.
        Assert.All(fields.Where(f => bundle.Schema.Find(f.GetProperty("field").GetString()!)!.Type == Core.Schema.ColumnType.Text),
            f => Assert.Contains("free text", f.GetProperty("note").GetString()));
        var compared = fields.First(f => f.GetProperty("psi").ValueKind == JsonValueKind.Number);
        var first = compared.GetProperty("field").GetString()!;
        var values = logged.Select(p =>
        {
            using var doc = JsonDocument.Parse(p.FeaturesJson);
            var raw = doc.RootElement.TryGetProperty(first, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return bundle.Schema.IsMissing(raw) ? null : raw;
        }).ToArray();
        var expected = Core.Reporting.DataProfiler.PsiAgainst(report.Profile.Fields.Single(f => f.Field == first).Reference!,
            bundle.Schema.Find(first)!.Type, values);
        Assert.NotNull(expected);
        Assert.Equal(expected!.Value, compared.GetProperty("psi").GetDouble(), 12);
        Assert.True(fields.Count(f => f.GetProperty("psi").ValueKind == JsonValueKind.Number) >= 3);
    }
}

[Collection(ServingCollection.Name)]
public sealed class PostgresLoopTests(ModelFixture fx) : LoopContract(fx)
{
    protected override string Provider => "Postgres";
    protected override Task<string> CreateDatabaseAsync() => PostgresTestServer.CreateDatabaseAsync();
    protected override Task DropDatabaseAsync(string connectionString) => PostgresTestServer.DropDatabaseAsync(connectionString);
}
