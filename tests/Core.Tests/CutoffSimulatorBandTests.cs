using LeadPropensity.Core.Bands;
using LeadPropensity.Core.Evaluation;

namespace LeadPropensity.Core.Tests;

/// <summary>The cutoff simulator on ten leads whose every number can be checked by hand.</summary>
public class CutoffSimulatorBandTests
{
    // Scores highest first; 4 of 10 converted (at 0.9, 0.8, 0.6 and 0.3).
    private static readonly double[] P = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
    private static readonly bool[] Y = [true, true, false, true, false, false, true, false, false, false];

    [Fact]
    public void BandsCountLeadsAndConversionsAtOrAboveEachCutoff()
    {
        var s = CutoffSimulator.Simulate(P, Y, new BandCutoffs(0.35, 0.65));
        Assert.Equal((10, 4, 0.4), (s.Leads, s.Conversions, s.BaseRate));
        Assert.Equal(["SQL", "MQL", "Nurture"], s.Bands.Select(b => b.Name));
        Assert.Equal([3, 3, 4], s.Bands.Select(b => b.Leads));
        Assert.Equal([2, 1, 1], s.Bands.Select(b => b.Conversions));
        Assert.Equal([300.0, 300.0, 400.0], s.Bands.Select(b => b.LeadsPer1000));
        Assert.Equal([0.3, 0.3, 0.4], s.Bands.Select(b => b.Share));
        Assert.Equal(2.0 / 3, s.Bands[0].ConversionRate, 12);
        Assert.Equal(0.25, s.Bands[2].ConversionRate, 12);
        // Wilson 95% for 2 of 3: centre (2/3 + 1.92/3) / (1 + 3.84/3), by hand 0.2077 .. 0.9385.
        Assert.Equal(0.2077, s.Bands[0].WilsonLow, 4);
        Assert.Equal(0.9385, s.Bands[0].WilsonHigh, 4);
        Assert.Equal([0.65, 0.35, 0.0], s.Bands.Select(b => b.MinProbability));
    }

    [Fact]
    public void PrecisionAndRecallOfSqlAndOfMqlOrBetter()
    {
        var s = CutoffSimulator.Simulate(P, Y, new BandCutoffs(0.35, 0.65));
        Assert.Equal((3, 2, 1, 2), (s.Sql.Leads, s.Sql.TruePositives, s.Sql.FalsePositives, s.Sql.FalseNegatives));
        Assert.Equal(2.0 / 3, s.Sql.Precision, 12);
        Assert.Equal(0.5, s.Sql.Recall, 12);
        Assert.Equal((6, 3), (s.MqlOrBetter.Leads, s.MqlOrBetter.TruePositives));
        Assert.Equal(0.5, s.MqlOrBetter.Precision, 12);
        Assert.Equal(0.75, s.MqlOrBetter.Recall, 12);
        Assert.Equal(600, s.MqlOrBetter.LeadsPer1000, 9);
    }

    [Fact]
    public void BandsUseTheCutoffsNamesAndAnEmptyBandHasNoRate()
    {
        var s = CutoffSimulator.Simulate(P, Y, new BandCutoffs(0.92, 0.95, new BandNames(Sql: "Hot", Mql: "Warm", Nurture: "Cold")));
        Assert.Equal(["Hot", "Warm", "Cold"], s.Bands.Select(b => b.Name));
        Assert.Equal(0, s.Bands[0].Leads);
        Assert.True(double.IsNaN(s.Bands[0].ConversionRate));
        Assert.True(double.IsNaN(s.Sql.Precision));
        Assert.Equal(0, s.Sql.Recall);
    }

    [Theory]
    // Precision going down the scores: 1/1, 2/2, 2/3, 3/4, 3/5, 3/6, 4/7, 4/8, 4/9, 4/10.
    [InlineData(0.75, 0.6, 4, 0.75)] // 0.7 fails (2/3) but 0.6 is back at 3/4: the lowest cutoff, not the first failure
    [InlineData(1.0, 0.8, 2, 0.5)]
    [InlineData(0.4, 0.05, 10, 1.0)]
    [InlineData(0.41, 0.1, 9, 1.0)]
    public void ForPrecisionFindsTheLowestCutoffReachingTheTarget(double target, double cutoff, int leads, double recall)
    {
        var t = CutoffSimulator.ForPrecision(P, Y, target);
        Assert.NotNull(t.Quality);
        Assert.Equal(cutoff, t.Quality.Cutoff);
        Assert.Equal(leads, t.Quality.Leads);
        Assert.Equal(recall, t.Quality.Recall, 12);
        Assert.True(t.Quality.Precision >= target);
        Assert.Equal(1.0, t.BestPrecision);
    }

    [Fact]
    public void ForPrecisionSaysWhenNoCutoffReachesTheTarget()
    {
        bool[] y = [false, true, false, false, true, false, false, false, false, false];
        var t = CutoffSimulator.ForPrecision(P, y, 0.9);
        Assert.Null(t.Quality);
        Assert.Equal(0.5, t.BestPrecision, 12); // 1 of the top 2
    }

    [Fact]
    public void ForPrecisionTreatsTiedScoresAsOneCutoff()
    {
        // The two 0.8s go together: 1/1 at 0.9, then 2/3 at 0.8.
        var t = CutoffSimulator.ForPrecision([0.9, 0.8, 0.8, 0.1], [true, true, false, false], 0.6);
        Assert.Equal((0.8, 3), (t.Quality!.Cutoff, t.Quality.Leads));
    }

    [Fact]
    public void ForTopPercentUsesThePercentileCutoffsResolveUses()
    {
        // 70th percentile of the ten scores: 0.6 + 0.3 * (0.7 - 0.6) = 0.63; three leads score at or above it.
        var q = CutoffSimulator.ForTopPercent(P, Y, 30);
        Assert.Equal(0.63, q.Cutoff, 12);
        Assert.Equal((3, 0.3), (q.Leads, q.Share));
        Assert.Equal(CutoffSpec.Percentiles(50, 70).Resolve(P).Sql, q.Cutoff);
        Assert.Equal(2.0 / 3, q.Precision, 12);
    }

    [Fact]
    public void SimulationEqualsMetricsOnARandomSet()
    {
        var rng = new Random(5);
        var p = Enumerable.Range(0, 500).Select(_ => Math.Round(rng.NextDouble(), 2)).ToArray();
        var y = p.Select(x => rng.NextDouble() < x).ToArray();
        var s = CutoffSimulator.Simulate(p, y, new BandCutoffs(0.3, 0.7));
        var rows = Metrics.Bands(p, y, [new BandCutoff("SQL", 0.7), new BandCutoff("MQL", 0.3), new BandCutoff("Nurture", 0)]);
        Assert.Equal(rows.Select(r => (r.Count, r.Positives, r.WilsonLow, r.WilsonHigh)), s.Bands.Select(b => (b.Leads, b.Conversions, b.WilsonLow, b.WilsonHigh)));
        Assert.Equal(rows[0].PrecisionAtOrAbove, s.Sql.Precision);
        Assert.Equal(rows[1].RecallAtOrAbove, s.MqlOrBetter.Recall);

        // The precision search against brute force over every distinct score.
        var t = CutoffSimulator.ForPrecision(p, y, 0.8);
        var lowerPrecisions = p.Distinct().Where(c => c < t.Quality!.Cutoff)
            .Select(c => Metrics.ConfusionAtCutoffs(p, y, [new BandCutoff("x", c)])[0])
            .Select(c => (double)c.TruePositives / (c.TruePositives + c.FalsePositives));
        Assert.All(lowerPrecisions, pr => Assert.True(pr < 0.8));
        Assert.True(t.Quality!.Precision >= 0.8);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CutoffSimulator.ForPrecision(P, Y, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CutoffSimulator.ForPrecision(P, Y, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => CutoffSimulator.ForTopPercent(P, Y, 100));
        Assert.Throws<ArgumentException>(() => CutoffSimulator.ForPrecision(P, Y[..5], 0.5));
        Assert.Throws<ArgumentException>(() => CutoffSimulator.Simulate([], [], new BandCutoffs(0.1, 0.2)));
    }
}

/// <summary>Which field a bad cutoff spec is blamed on, so a 400 can name it.</summary>
public class CutoffSpecFieldBandTests
{
    [Theory]
    [InlineData(0.1, null, 50.0, 90.0, "cutoffs")]
    [InlineData(null, null, null, null, "cutoffs")]
    [InlineData(0.1, null, null, null, "sql")]
    [InlineData(null, 0.3, null, null, "mql")]
    [InlineData(null, null, 50.0, null, "sqlPercentile")]
    [InlineData(null, null, null, 90.0, "mqlPercentile")]
    [InlineData(1.2, 0.3, null, null, "mql")]
    [InlineData(0.1, 1.0, null, null, "sql")]
    [InlineData(0.3, 0.1, null, null, "mql")]
    [InlineData(null, null, 0.0, 90.0, "mqlPercentile")]
    [InlineData(null, null, 50.0, 100.0, "sqlPercentile")]
    [InlineData(null, null, 95.0, 90.0, "mqlPercentile")]
    public void FieldProblemNamesTheField(double? mql, double? sql, double? mqlP, double? sqlP, string field)
    {
        var problem = CutoffSpec.FieldProblem(mql, sql, mqlP, sqlP);
        Assert.Equal(field, problem?.Field);
        Assert.Equal(CutoffSpec.Problem(mql, sql, mqlP, sqlP), problem?.Message);
    }

    [Fact]
    public void FieldProblemIsNullForAGoodSpecAndNamesBadNames()
    {
        Assert.Null(CutoffSpec.FieldProblem(0.1, 0.3, null, null));
        Assert.Equal("names", CutoffSpec.FieldProblem(0.1, 0.3, null, null, new BandNames(Sql: "A", Mql: "a"))?.Field);
    }

    [Fact]
    public void ScoreAtPercentileInterpolates()
    {
        Assert.Equal(0.25, CutoffSpec.ScoreAtPercentile([0.4, 0.1, 0.2, 0.3], 50), 12);
        Assert.Throws<BandException>(() => CutoffSpec.ScoreAtPercentile([], 50));
        Assert.Throws<BandException>(() => CutoffSpec.ScoreAtPercentile([0.1], 101));
    }
}
