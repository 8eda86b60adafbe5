using LeadPropensity.Core.State;

namespace LeadPropensity.Core.Tests.State;

// The prediction log, outcomes and the joins over them.
public abstract partial class StateStoreContract
{
    protected static PredictionRecord Prediction(string lead, DateTime at, double p = 0.3, string? model = "v1", string? features = null) =>
        new(lead, at, model, model is null ? "rules" : "model", p, (int)Math.Round(p * 100), p >= 0.5 ? "SQL" : "MQL",
            features ?? $$"""{"visits":{{(int)(p * 10)}},"source":"web \"form\"","city":"Zürich","flag":true,"gone":null}""");

    [Fact]
    public async Task PredictionBatchesAreStoredAndQueriedByTimeRange()
    {
        var batch = Enumerable.Range(0, 60).Select(i => Prediction($"L-{i}", T0.AddHours(i), i / 60.0, i % 3 == 0 ? null : $"v{i % 2}")).ToList();
        await Store.AppendPredictionsAsync(batch);

        Assert.Equal(batch, await Store.GetPredictionsAsync());
        Assert.Equal(batch.Skip(10).Take(10), await Store.GetPredictionsAsync(T0.AddHours(10), T0.AddHours(20)));
        Assert.Equal(batch.Skip(50), await Store.GetPredictionsAsync(from: T0.AddHours(50)));
        Assert.Equal(batch.Take(5), await Store.GetPredictionsAsync(to: T0.AddHours(5)));
        var streamed = new List<PredictionRecord>();
        await foreach (var p in Store.StreamPredictionsAsync(T0.AddHours(10), T0.AddHours(20))) streamed.Add(p);
        Assert.Equal(batch.Skip(10).Take(10), streamed);
    }

    // The service's prediction log hands its features over as UTF-8 JSON; a store keeps them as the same text.
    private static PredictionRecord AsUtf8(PredictionRecord p) =>
        new(p.LeadId, p.At, p.ModelVersion, p.Source, p.Probability, p.Score, p.Band, System.Text.Encoding.UTF8.GetBytes(p.FeaturesJson));

    [Fact]
    public async Task PredictionsGivenAsUtf8AreStoredAsTheSameText()
    {
        var text = Enumerable.Range(0, 6).Select(i => Prediction($"L-{i}", T0.AddHours(i), i / 6.0)).ToList();
        // Mixed in one batch: every other record made from UTF-8 bytes.
        var mixed = text.Select((p, i) => i % 2 == 0 ? AsUtf8(p) : p).ToList();
        Assert.True(mixed[0].TryGetFeaturesUtf8(out _));
        Assert.False(mixed[1].TryGetFeaturesUtf8(out _));
        // New text given with "with" replaces the bytes the record was made from.
        text[2] = text[2] with { FeaturesJson = text[2].FeaturesJson.Replace("Zürich", "Bern") };
        mixed[2] = mixed[2] with { FeaturesJson = text[2].FeaturesJson };
        Assert.False(mixed[2].TryGetFeaturesUtf8(out _));
        await Store.AppendPredictionsAsync(mixed);

        var back = await Store.GetPredictionsAsync();
        Assert.Equal(text, back);
        Assert.Contains("Zürich", back[0].FeaturesJson);
        Assert.Contains("Bern", back[2].FeaturesJson);
        Assert.Equal(text[0].GetHashCode(), mixed[0].GetHashCode());
    }

    [Fact]
    public async Task FeaturesTheLogWroteAreStoredAsJsonStringsWithEveryColumnOfTheirRow()
    {
        KeyValuePair<string, string?>[] features = [new("city", "Zürich"), new("visits", "7"), new("title", null), new("note", "say \"hi\"")];
        // One batch whose rows change model version and band, with a lead id outside ASCII: each column is bound per row.
        var rows = new[] { ("L-é", "v1", "MQL"), ("L-2", "v2", "SQL"), ("L-3", "v1", "MQL") }
            .Select((r, i) => new PredictionRecord(r.Item1, T0.AddMinutes(i).AddTicks(1230), r.Item2, "model", 0.25 * (i + 1), 25 * (i + 1), r.Item3,
                LoggedFeatures.Write(features)))
            .ToList();
        Assert.True(rows[0].FeaturesWritten);
        // Text given with "with" is the caller's again, and is checked like any other.
        Assert.False((rows[0] with { FeaturesJson = "{}" }).FeaturesWritten);
        await Store.AppendPredictionsAsync(rows);

        var back = await Store.GetPredictionsAsync();
        Assert.Equal(rows.Select(r => (r.LeadId, r.At, r.ModelVersion, r.Band, r.Score, r.Probability)),
            back.Select(r => (r.LeadId, r.At, r.ModelVersion, r.Band, r.Score, r.Probability)));
        foreach (var r in back)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(r.FeaturesJson);
            var o = doc.RootElement;
            Assert.Equal(["city", "visits", "title", "note"], o.EnumerateObject().Select(p => p.Name));
            Assert.Equal("Zürich", o.GetProperty("city").GetString());
            Assert.Equal("7", o.GetProperty("visits").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, o.GetProperty("title").ValueKind);
            Assert.Equal("say \"hi\"", o.GetProperty("note").GetString());
        }
    }

    protected static PredictionRecord Logged(string lead, DateTime at, params (string Name, string? Value)[] features) =>
        new(lead, at, "v1", "model", 0.4, 40, "MQL", LoggedFeatures.Write(features.Select(f => new KeyValuePair<string, string?>(f.Name, f.Value))));

    [Fact]
    public async Task TheLogsFeaturesAreStoredAsValuesWithEachListOfNamesKeptOnceAndReadBackWhole()
    {
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        // Two lists of names (the second the first in another order), non-ASCII, quotes and a null; a row given as text.
        var rows = new[]
        {
            Logged("L-1", at, ("city", "Zürich"), ("note", "say \"hi\""), ("title", null)),
            Logged("L-2", at.AddMinutes(1), ("city", "Bern"), ("note", "ok"), ("title", "CTO")),
            Logged("L-3", at.AddMinutes(2), ("title", "VP"), ("city", "Genève"), ("note", "")),
            Prediction("L-4", at.AddMinutes(3)),
            Logged("L-5", at.AddMinutes(4), ("city", "Basel"), ("note", "x"), ("title", "CEO")),
        };
        await Store.AppendPredictionsAsync(rows);

        Assert.Equal("2", await SqlAsync("SELECT COUNT(*) FROM feature_keys"));
        Assert.Equal(rows[0].Logged!.Names.Json, await SqlAsync($"SELECT names_json FROM feature_keys WHERE id = {rows[0].Logged!.Names.Id}"));
        // Per row, only the values (or, for the row given as text, the object as it was given).
        Assert.Equal("""["Bern","ok","CTO"]""", await SqlAsync("SELECT CAST(features_json AS TEXT) FROM predictions WHERE lead_id = 'L-2'"));
        Assert.Equal("1 1", await SqlAsync(
            "SELECT (SELECT COUNT(*) FROM predictions WHERE features_keys IS NULL) || ' ' || (SELECT COUNT(*) FROM predictions WHERE features_keys IS NULL AND CAST(features_json AS TEXT) = (SELECT CAST(features_json AS TEXT) FROM predictions WHERE lead_id = 'L-4'))"));
        Assert.Equal(rows[3].FeaturesJson, await SqlAsync("SELECT CAST(features_json AS TEXT) FROM predictions WHERE lead_id = 'L-4'"));

        // Read back, each is the whole object again, names in the order sent: the log and the next training set alike.
        var back = await Store.GetPredictionsAsync();
        Assert.Equal(rows, back);
        Assert.Equal("""{"city":"Z\u00FCrich","note":"say \u0022hi\u0022","title":null}""", back[0].FeaturesJson);
        Assert.Equal(["title", "city", "note"], System.Text.Json.JsonDocument.Parse(back[2].FeaturesJson).RootElement.EnumerateObject().Select(p => p.Name));
        await Store.UpsertOutcomesAsync([new OutcomeRecord("L-3", true, at.AddDays(1)), new OutcomeRecord("L-4", false, at.AddDays(1))]);
        var exported = new List<TrainingRow>();
        await foreach (var r in Store.ExportTrainingRowsAsync()) exported.Add(r);
        Assert.Equal([rows[2].FeaturesJson, rows[3].FeaturesJson], exported.Select(r => r.FeaturesJson));
    }

    [Fact]
    public async Task AListWhoseIdHoldsOtherNamesIsNotUsedAndItsRowsKeepTheirWholeObject()
    {
        // A hash collision, made by hand: the id of ["a","b"] already names another list.
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var row = Logged("L-1", at, ("a", "1"), ("b", null));
        await SqlAsync($"""INSERT INTO feature_keys (id, names_json) VALUES ({row.Logged!.Names.Id}, '["other"]')""");
        await Store.AppendPredictionsAsync([row, Logged("L-2", at, ("a", "3"), ("b", "4"))]);

        Assert.Equal("2", await SqlAsync("SELECT COUNT(*) FROM predictions WHERE features_keys IS NULL AND CAST(features_json AS TEXT) LIKE '{%'"));
        Assert.Equal(["""{"a":"1","b":null}""", """{"a":"3","b":"4"}"""], (await Store.GetPredictionsAsync()).Select(p => p.FeaturesJson));
    }

    [Fact]
    public async Task LeadsSentWithManyDifferentListsOfNamesAreEachStoredWithTheirOwn()
    {
        // A CRM that leaves out empty fields: each lead without a different one, one list of names per lead.
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        string[] fields = [.. Enumerable.Range(0, 12).Select(i => $"f{i}")];
        PredictionRecord Without(int skip, int n) =>
            Logged($"L-{n}", at.AddSeconds(n), [.. fields.Where((_, i) => i != skip).Select(f => (f, (string?)$"{f}-{n}"))]);
        var first = Enumerable.Range(0, 12).Select(i => Without(i, i)).Concat([Without(0, 12), Without(1, 13)]).ToList();
        await Store.AppendPredictionsAsync(first);
        Assert.Equal("12", await SqlAsync("SELECT COUNT(*) FROM feature_keys"));

        // The next batch: known lists and one new one (all twelve fields).
        var all = Logged("L-all", at.AddMinutes(1), [.. fields.Select(f => (f, (string?)"x"))]);
        await Store.AppendPredictionsAsync([Without(5, 14), all]);
        Assert.Equal("13", await SqlAsync("SELECT COUNT(*) FROM feature_keys"));
        Assert.Equal("0", await SqlAsync("SELECT COUNT(*) FROM predictions WHERE features_keys IS NULL"));
        Assert.Equal([.. first, Without(5, 14), all], await Store.GetPredictionsAsync());
    }

    [Fact]
    public async Task ReplicasLoggingTheSameNewListOfNamesAtOnceAllSucceed()
    {
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var replicas = Enumerable.Range(0, 4).Select(_ => Open()).ToList();
        await Task.WhenAll(replicas.Select((r, i) => Task.Run(() => r.AppendPredictionsAsync(
            [.. Enumerable.Range(0, 20).Select(j => Logged($"L-{i}-{j}", at.AddSeconds(j), ("first", $"{i}"), ("second", $"{j}")))]))));

        Assert.Equal("1", await SqlAsync("SELECT COUNT(*) FROM feature_keys"));
        var back = await Store.GetPredictionsAsync();
        Assert.Equal(80, back.Count);
        Assert.All(back, p => Assert.Equal($$"""{"first":"{{p.LeadId[2]}}","second":"{{p.LeadId[4..]}}"}""", p.FeaturesJson));
    }

    [Fact]
    public async Task AStoreFromBeforeTheListsOfNamesIsUpgradedAndReadsItsOldRowsAsBefore()
    {
        // A log as the version before left it: whole objects in features_json, no feature_keys, that migration not run.
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var old = Prediction("L-old", at);
        await Store.AppendPredictionsAsync([old]);
        var names = ((SqlStateStore)Store).Migrations.Single(m => m.Description == "feature names kept once per list").Version;
        await SqlAsync($"DROP TABLE feature_keys; ALTER TABLE predictions DROP COLUMN features_keys; DELETE FROM schema_migrations WHERE version = {names}");

        var store = Open();
        Assert.Equal(1, await store.MigrateAsync());
        var logged = Logged("L-new", at.AddMinutes(1), ("city", "Zürich"), ("visits", "7"));
        await store.AppendPredictionsAsync([logged]);
        Assert.Equal([old, logged], await store.GetPredictionsAsync());
        Assert.Equal("""{"city":"Z\u00FCrich","visits":"7"}""", (await store.GetPredictionsAsync())[1].FeaturesJson);
        Assert.Equal("1", await SqlAsync("SELECT COUNT(*) FROM predictions WHERE features_keys IS NOT NULL"));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (byte)'[', (byte)'1', (byte)']' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'1' })]
    [InlineData(new byte[] { (byte)'{', 0xFF, (byte)'}' })] // not UTF-8
    public async Task Utf8FeaturesThatAreNotAJsonObjectAreRefusedWithTheWholeBatch(byte[] features)
    {
        var ok = AsUtf8(Prediction("L-ok", T0));
        var bad = new PredictionRecord("L-bad", T0, "v1", "model", 0.3, 30, "MQL", features);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendPredictionsAsync([ok, bad]));
        Assert.Contains("L-bad", e.Message);
        Assert.Empty(await Store.GetPredictionsAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"visits\": 3")]
    [InlineData("{\"visits\": 3} trailing")]
    public async Task ABatchWithFeaturesThatAreNotAJsonObjectIsRefusedWhole(string features)
    {
        var batch = new[] { Prediction("L-ok", T0), Prediction("L-bad", T0.AddMinutes(1), features: features), Prediction("L-ok2", T0.AddMinutes(2)) };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendPredictionsAsync(batch));
        Assert.Contains("L-bad", e.Message);
        Assert.Empty(await Store.GetPredictionsAsync());
    }

    [Fact]
    public async Task RetentionDeletesOnlyPredictionsMadeBeforeTheCutoffInChunks()
    {
        // More than one delete chunk before the cutoff, a few after it, outcomes untouched.
        var old = Enumerable.Range(0, SqlStateStore.DeleteChunk + 7).Select(i => Prediction($"O-{i}", T0.AddSeconds(i))).ToList();
        var cutoff = T0.AddDays(1);
        var kept = Enumerable.Range(0, 5).Select(i => Prediction($"K-{i}", cutoff.AddSeconds(i))).ToList();
        await Store.AppendPredictionsAsync([.. old, .. kept]);
        await Store.UpsertOutcomesAsync([new OutcomeRecord("O-0", true, T0.AddDays(2))]);

        Assert.Equal(old.Count, await Store.DeletePredictionsBeforeAsync(cutoff));

        Assert.Equal(kept, await Store.GetPredictionsAsync());
        Assert.Equal(0, await Store.DeletePredictionsBeforeAsync(cutoff));
        Assert.Equal(1, await Store.CountUnscoredOutcomesAsync()); // the outcome stays; its prediction is gone
    }

    [Fact]
    public async Task TimesComeBackAsUtcToTheMicrosecond()
    {
        var local = new DateTime(2025, 3, 1, 10, 0, 0, DateTimeKind.Unspecified).AddTicks(1234567);
        await Store.AppendPredictionsAsync([Prediction("L-1", local)]);
        var back = Assert.Single(await Store.GetPredictionsAsync()).At;
        Assert.Equal(DateTimeKind.Utc, back.Kind);
        Assert.Equal(local.AddTicks(-7).Ticks, back.Ticks);
    }

    [Fact]
    public async Task APredictionWhoseFeaturesAreNotAJsonObjectIsRefusedWithTheWholeBatch()
    {
        var bad = Prediction("L-2", T0, features: "[1, 2]");
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendPredictionsAsync([Prediction("L-1", T0), bad]));
        Assert.Empty(await Store.GetPredictionsAsync());
    }

    [Fact]
    public async Task OutcomeUpsertsAreIdempotentAndTheLatestOutcomeWins()
    {
        await Store.AppendPredictionsAsync(new[] { "A", "B", "D", "E" }.Select(l => Prediction(l, T0)).ToList());
        var day1 = T0.AddDays(1);
        OutcomeRecord[] first = [new("A", false, day1), new("B", true, day1), new("C", true, day1)];
        Assert.Equal(new OutcomeUpsertResult(3, 0, 0, 1), await Store.UpsertOutcomesAsync(first));
        Assert.Equal(new OutcomeUpsertResult(0, 0, 3, 1), await Store.UpsertOutcomesAsync(first));

        // Older news changes nothing; newer news wins; of equal times the later arrival wins.
        Assert.Equal(new OutcomeUpsertResult(0, 0, 1, 0), await Store.UpsertOutcomesAsync([new("A", true, T0.AddHours(1))]));
        Assert.Equal(new OutcomeUpsertResult(0, 1, 0, 0), await Store.UpsertOutcomesAsync([new("A", true, day1.AddDays(1))]));
        Assert.Equal(new OutcomeUpsertResult(0, 1, 0, 0), await Store.UpsertOutcomesAsync([new("B", false, day1)]));
        // Within one batch: the latest time, then the later entry.
        await Store.UpsertOutcomesAsync([new("D", true, day1), new("D", false, day1), new("E", false, day1.AddHours(2)), new("E", true, day1)]);

        var won = (await Store.GetScoredOutcomesAsync()).ToDictionary(o => o.LeadId, o => (o.Won, o.OutcomeAt));
        Assert.Equal((true, day1.AddDays(1)), won["A"]);
        Assert.Equal((false, day1), won["B"]);
        Assert.Equal((false, day1), won["D"]);
        Assert.Equal((false, day1.AddHours(2)), won["E"]);
        Assert.False(won.ContainsKey("C"));
    }

    [Fact]
    public async Task OutcomesForLeadsNeverScoredAreCounted()
    {
        await Store.AppendPredictionsAsync([Prediction("A", T0)]);
        await Store.UpsertOutcomesAsync([new("A", true, T0), new("X", false, T0), new("Y", true, T0)]);
        Assert.Equal(2, await Store.CountUnscoredOutcomesAsync());
        await Store.AppendPredictionsAsync([Prediction("X", T0)]);
        Assert.Equal(1, await Store.CountUnscoredOutcomesAsync());
    }

    [Fact]
    public async Task ScoredOutcomesPairEachOutcomeWithTheLeadsLatestPrediction()
    {
        await Store.AppendPredictionsAsync([Prediction("A", T0, 0.2, "v1"), Prediction("A", T0.AddHours(2), 0.8, "v2")]);
        await Store.AppendPredictionsAsync([Prediction("A", T0.AddHours(1), 0.5, "v3")]); // logged later, but made earlier
        await Store.AppendPredictionsAsync([Prediction("B", T0, 0.1, null), Prediction("B", T0, 0.4, "v2")]); // same time: later arrival
        await Store.AppendPredictionsAsync([Prediction("C", T0, 0.9)]); // no outcome yet
        await Store.UpsertOutcomesAsync([new("A", true, T0.AddDays(5)), new("B", false, T0.AddDays(6)), new("Z", true, T0)]);

        var scored = await Store.GetScoredOutcomesAsync();
        Assert.Equal(
            [
                new ScoredOutcome("A", T0.AddHours(2), "v2", "model", 0.8, 80, "SQL", true, T0.AddDays(5)),
                new ScoredOutcome("B", T0, "v2", "model", 0.4, 40, "MQL", false, T0.AddDays(6)),
            ], scored);
        Assert.Equal(["A"], (await Store.GetScoredOutcomesAsync(from: T0.AddHours(1))).Select(o => o.LeadId));
        Assert.Equal(["B"], (await Store.GetScoredOutcomesAsync(to: T0.AddHours(1))).Select(o => o.LeadId));
    }

    [Fact]
    public async Task ExportJoinsEachLeadsLatestFeaturesWithItsOutcome()
    {
        await Store.AppendPredictionsAsync(
        [
            Prediction("A", T0, features: """{"visits":1}"""), Prediction("A", T0.AddDays(1), features: """{"visits":7,"country":"DE"}"""),
            Prediction("B", T0.AddDays(2), features: """{"visits":3}"""), Prediction("C", T0, features: """{"visits":9}"""),
        ]);
        await Store.UpsertOutcomesAsync([new("A", true, T0.AddDays(9)), new("B", false, T0.AddDays(9)), new("Q", true, T0)]);

        var rows = new List<TrainingRow>();
        await foreach (var r in Store.ExportTrainingRowsAsync()) rows.Add(r);
        Assert.Equal(
            [
                new TrainingRow("A", T0.AddDays(1), """{"visits":7,"country":"DE"}""", true, T0.AddDays(9)),
                new TrainingRow("B", T0.AddDays(2), """{"visits":3}""", false, T0.AddDays(9)),
            ], rows);
        var recent = new List<string>();
        await foreach (var r in Store.ExportTrainingRowsAsync(T0.AddDays(2))) recent.Add(r.LeadId);
        Assert.Equal(["B"], recent);
    }

    [Fact]
    public async Task ConcurrentAppendsFromSeveralWritersAreAllKept()
    {
        const int writers = 6, batches = 10, size = 40;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? Store : Open(); // some share an instance, some act as other replicas
            for (var b = 0; b < batches; b++)
                await store.AppendPredictionsAsync(
                    Enumerable.Range(0, size).Select(i => Prediction($"W{w}-{b}-{i}", T0.AddSeconds(w * 1000 + b * size + i))).ToList());
        })));
        var all = await Store.GetPredictionsAsync();
        Assert.Equal(writers * batches * size, all.Count);
        Assert.Equal(all.Count, all.Select(p => p.LeadId).Distinct().Count());
    }

    [Fact]
    public async Task ALargeBatchIsWrittenQuickly()
    {
        var batch = Enumerable.Range(0, 20_000).Select(i => Prediction($"L-{i}", T0.AddSeconds(i), i % 100 / 100.0)).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Store.AppendPredictionsAsync(batch);
        // Generous for two shared cores: row-at-a-time autocommit would take minutes here.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"20,000 predictions took {watch.Elapsed}");
        var count = 0;
        await foreach (var _ in Store.StreamPredictionsAsync()) count++;
        Assert.Equal(batch.Count, count);
    }
}
