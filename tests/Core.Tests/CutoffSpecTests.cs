using System.Text.Json;
using LeadPropensity.Core.Bands;

namespace LeadPropensity.Core.Tests;

public class CutoffSpecTests
{
    [Theory]
    [InlineData(0.1, 0.3, null, null, null)]
    [InlineData(null, null, 50.0, 90.0, null)]
    [InlineData(0.1, null, 50.0, 90.0, "give either probabilities (mql, sql) or percentiles (mqlPercentile, sqlPercentile), not both")]
    [InlineData(null, null, 50.0, null, "give both 'mqlPercentile' and 'sqlPercentile'")]
    [InlineData(0.1, null, null, null, "give both 'mql' and 'sql' probabilities, or both 'mqlPercentile' and 'sqlPercentile'")]
    [InlineData(null, null, null, null, "give both 'mql' and 'sql' probabilities, or both 'mqlPercentile' and 'sqlPercentile'")]
    [InlineData(0.3, 0.1, null, null, "the MQL cutoff (0.3) must be below the SQL cutoff (0.1)")]
    [InlineData(null, null, 0.0, 90.0, "'mqlPercentile' must lie strictly between 0 and 100 (got 0)")]
    [InlineData(null, null, 50.0, 100.0, "'sqlPercentile' must lie strictly between 0 and 100 (got 100)")]
    [InlineData(null, null, 90.0, 90.0, "'mqlPercentile' (90) must be below 'sqlPercentile' (90)")]
    [InlineData(null, null, 95.0, 90.0, "'mqlPercentile' (95) must be below 'sqlPercentile' (90)")]
    public void Validation(double? mql, double? sql, double? mqlP, double? sqlP, string? message)
    {
        Assert.Equal(message, CutoffSpec.Problem(mql, sql, mqlP, sqlP));
        if (message is null) Assert.NotNull(new CutoffSpec(mql, sql, mqlP, sqlP));
        else Assert.Equal(message, Assert.Throws<BandException>(() => new CutoffSpec(mql, sql, mqlP, sqlP)).Message);
    }

    [Fact]
    public void KindFollowsTheFormGiven()
    {
        Assert.Equal(CutoffKind.Probability, CutoffSpec.Probabilities(0.1, 0.3).Kind);
        Assert.Equal(CutoffKind.Percentile, CutoffSpec.Percentiles(50, 90).Kind);
    }

    [Fact]
    public void AbsoluteCutoffsIgnoreTheDistribution()
    {
        var c = CutoffSpec.Probabilities(0.1, 0.3, new BandNames(Sql: "Hot")).Resolve([]);
        Assert.Equal((0.1, 0.3, "Hot"), (c.Mql, c.Sql, c.Names.Sql));
        Assert.Equal(c, CutoffSpec.Probabilities(0.1, 0.3, new BandNames(Sql: "Hot")).Resolve([0.9, 0.95]));
    }

    [Fact]
    public void PercentilesBecomeQuantilesOfTheHeldOutScores()
    {
        var scores = Enumerable.Range(0, 101).Select(i => i / 100.0).Reverse().ToArray(); // 0.00 … 1.00, unsorted
        var c = CutoffSpec.Percentiles(70, 90).Resolve(scores);
        Assert.Equal(0.70, c.Mql, 12);
        Assert.Equal(0.90, c.Sql, 12);
        var between = CutoffSpec.Percentiles(25, 75).Resolve([0.1, 0.2, 0.3, 0.4, 0.5]); // interpolated order statistics
        Assert.Equal(0.2, between.Mql, 12);
        Assert.Equal(0.4, between.Sql, 12);
        Assert.Equal(0.15, CutoffSpec.Percentiles(12.5, 50).Resolve([0.1, 0.2, 0.3, 0.4, 0.5]).Mql, 12);
    }

    [Fact]
    public void TopTenPercentStaysTopTenPercentAcrossModels()
    {
        var spec = CutoffSpec.Percentiles(70, 90);
        var rng = new Random(11);
        // A timid model scoring around 0.1 and a confident one spread towards the extremes.
        var timid = Enumerable.Range(0, 5000).Select(_ => 0.05 + 0.1 * rng.NextDouble() * rng.NextDouble()).ToArray();
        var confident = Enumerable.Range(0, 5000).Select(_ => Math.Pow(rng.NextDouble(), 3)).ToArray();
        var a = spec.Resolve(timid);
        var b = spec.Resolve(confident);
        Assert.True(Math.Abs(a.Sql - b.Sql) > 0.05, $"{a.Sql} vs {b.Sql}: the two models should need different cutoffs");
        foreach (var (scores, cutoffs) in new[] { (timid, a), (confident, b) })
        {
            var bands = scores.Select(s => cutoffs.Assign(s, false)).ToArray();
            Assert.InRange(bands.Count(x => x == "SQL") / (double)bands.Length, 0.099, 0.101);
            Assert.InRange(bands.Count(x => x == "MQL") / (double)bands.Length, 0.199, 0.201);
            Assert.InRange(bands.Count(x => x == "Nurture") / (double)bands.Length, 0.699, 0.701);
        }
    }

    [Fact]
    public void TiesKeepMqlBelowSql()
    {
        var scores = Enumerable.Repeat(0.2, 90).Concat(Enumerable.Repeat(0.6, 10)).ToArray();
        var c = CutoffSpec.Percentiles(50, 80).Resolve(scores);
        Assert.Equal(0.2, c.Sql);
        Assert.True(c.Mql < c.Sql);
        Assert.Equal(0.2, c.Mql, 9);
        Assert.Equal("SQL", c.Assign(0.2, false));
        Assert.Equal("Nurture", c.Assign(0.19, false));
    }

    [Fact]
    public void ExtremeScoresStillResolveToValidCutoffs()
    {
        var zeros = CutoffSpec.Percentiles(50, 90).Resolve([0, 0, 0, 0]);
        Assert.True(0 < zeros.Mql && zeros.Mql < zeros.Sql && zeros.Sql < 1);
        var ones = CutoffSpec.Percentiles(50, 90).Resolve([1, 1, 1]);
        Assert.True(0 < ones.Mql && ones.Mql < ones.Sql && ones.Sql < 1);
        Assert.Equal("SQL", ones.Assign(1, false));
    }

    [Fact]
    public void PercentilesNeedProbabilitiesToResolveAgainst()
    {
        Assert.Equal("percentile cutoffs need held-out scores to resolve against, and there are none",
            Assert.Throws<BandException>(() => CutoffSpec.Percentiles(50, 90).Resolve([])).Message);
        Assert.Equal("held-out score 1.2 is not a probability in [0, 1]",
            Assert.Throws<BandException>(() => CutoffSpec.Percentiles(50, 90).Resolve([0.1, 1.2])).Message);
    }

    [Fact]
    public void RoundTripsThroughJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var json = JsonSerializer.Serialize(CutoffSpec.Percentiles(70, 90), options);
        Assert.Contains("\"kind\":\"Percentile\"", json);
        using (var doc = JsonDocument.Parse(json))
            Assert.Equal(["mqlPercentile", "sqlPercentile", "names", "kind"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        var back = JsonSerializer.Deserialize<CutoffSpec>("""{ "mqlPercentile": 70, "sqlPercentile": 90 }""", options)!;
        Assert.Equal((CutoffKind.Percentile, 70.0, 90.0, "SQL"), (back.Kind, back.MqlPercentile!.Value, back.SqlPercentile!.Value, back.Names.Sql));
        var abs = JsonSerializer.Deserialize<CutoffSpec>("""{ "mql": 0.1, "sql": 0.3, "names": { "sql": "Hot" } }""", options)!;
        Assert.Equal((CutoffKind.Probability, 0.1, 0.3, "Hot", "MQL"), (abs.Kind, abs.Mql!.Value, abs.Sql!.Value, abs.Names.Sql, abs.Names.Mql));
        Assert.Throws<BandException>(() => JsonSerializer.Deserialize<CutoffSpec>("""{ "mql": 0.3, "sql": 0.1 }""", options));
    }
}
