using System.Text.Json;
using LeadPropensity.Core.Evaluation;
using static LeadPropensity.Core.Tests.Evaluation.MetricFixtures;

namespace LeadPropensity.Core.Tests.Evaluation;

/// <summary>Every metric against the scikit-learn / numpy / scipy values in Fixtures/metric_fixtures.json, to 1e-6.</summary>
public class MetricsReferenceTests
{
    public static TheoryData<string> Cases => CaseNames();

    [Theory, MemberData(nameof(Cases))]
    public void RocAucMatchesSklearn(string name)
    {
        var (c, p, y) = Load(name);
        Close(c.Number("roc_auc"), Metrics.RocAuc(p, y), name);
    }

    [Theory, MemberData(nameof(Cases))]
    public void AveragePrecisionMatchesSklearn(string name)
    {
        var (c, p, y) = Load(name);
        Close(c.Number("average_precision"), Metrics.AveragePrecision(p, y), name);
    }

    [Theory, MemberData(nameof(Cases))]
    public void LogLossMatchesSklearn(string name)
    {
        var (c, p, y) = Load(name);
        Close(c.Number("log_loss"), Metrics.LogLoss(p, y), name);
    }

    [Theory, MemberData(nameof(Cases))]
    public void BrierMatchesSklearn(string name)
    {
        var (c, p, y) = Load(name);
        Close(c.Number("brier"), Metrics.Brier(p, y), name);
    }

    [Theory, MemberData(nameof(Cases))]
    public void MurphyDecompositionMatchesReference(string name)
    {
        var (c, p, y) = Load(name);
        AssertMurphy(c.GetProperty("murphy"), Metrics.Murphy(p, y, c.Int("bins")), name);
    }

    [Theory, MemberData(nameof(Cases))]
    public void EqualWidthReliabilityMatchesReference(string name)
    {
        var (c, p, y) = Load(name);
        var bins = Metrics.Reliability(p, y, c.Int("bins"), BinStrategy.EqualWidth);
        Assert.Equal(c.Int("bins"), bins.Count);
        AssertBins(c.GetProperty("reliability_equal_width"), bins, name);
    }

    [Theory, MemberData(nameof(Cases))]
    public void EqualMassReliabilityMatchesReference(string name)
    {
        var (c, p, y) = Load(name);
        AssertBins(c.GetProperty("reliability_equal_mass"), Metrics.Reliability(p, y, c.Int("bins"), BinStrategy.EqualMass), name);
    }

    [Theory, MemberData(nameof(Cases))]
    public void EceAndMceMatchReference(string name)
    {
        var (c, p, y) = Load(name);
        int b = c.Int("bins");
        Close(c.Number("ece_equal_width"), Metrics.Ece(p, y, b, BinStrategy.EqualWidth), name + " ece width");
        Close(c.Number("ece_equal_mass"), Metrics.Ece(p, y, b, BinStrategy.EqualMass), name + " ece mass");
        Close(c.Number("mce_equal_width"), Metrics.Mce(p, y, b, BinStrategy.EqualWidth), name + " mce width");
        Close(c.Number("mce_equal_mass"), Metrics.Mce(p, y, b, BinStrategy.EqualMass), name + " mce mass");
    }

    [Theory, MemberData(nameof(Cases))]
    public void LiftByDecileMatchesReference(string name)
    {
        var (c, p, y) = Load(name);
        AssertLift(c.GetProperty("lift"), Metrics.LiftByDecile(p, y), name);
    }

    [Theory, MemberData(nameof(Cases))]
    public void SummaryMatchesReference(string name)
    {
        var (c, p, y) = Load(name);
        var s = Metrics.Summarize(p, y, c.Int("bins"));
        Assert.Equal(p.Length, s.Count);
        Assert.Equal(y.Count(v => v), s.Positives);
        Close((double)y.Count(v => v) / p.Length, s.BaseRate, name + " base rate");
        Close(c.Number("roc_auc"), s.RocAuc, name + " auc");
        Close(c.Number("average_precision"), s.AveragePrecision, name + " ap");
        Close(c.Number("log_loss"), s.LogLoss, name + " log loss");
        Close(c.Number("brier"), s.Brier, name + " brier");
        AssertMurphy(c.GetProperty("murphy"), s.Murphy, name);
        Close(c.Number("ece_equal_width"), s.EceEqualWidth, name + " ece width");
        Close(c.Number("ece_equal_mass"), s.EceEqualMass, name + " ece mass");
        Close(c.Number("mce_equal_width"), s.Mce, name + " mce");
        AssertBins(c.GetProperty("reliability_equal_width"), s.Reliability, name);
        AssertLift(c.GetProperty("lift"), s.Lift, name);
    }

    [Fact]
    public void WilsonMatchesScipy()
    {
        var rows = Json.GetProperty("wilson").EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        foreach (var r in rows)
        {
            var (low, high) = Metrics.Wilson(r.Int("successes"), r.Int("n"));
            string what = $"wilson {r.Int("successes")}/{r.Int("n")}";
            Close(r.Number("low"), low, what + " low");
            Close(r.Number("high"), high, what + " high");
        }
    }

    [Fact]
    public void PsiMatchesReference()
    {
        var rows = Json.GetProperty("psi").EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        foreach (var r in rows)
            Close(r.Number("psi"), Metrics.Psi(r.Doubles("expected"), r.Doubles("actual"), r.Int("bins")), "psi " + r.GetProperty("name").GetString());
    }

    [Fact]
    public void PsiOfSharesMatchesReference()
    {
        var rows = Json.GetProperty("psi_shares").EnumerateArray().ToList();
        Assert.NotEmpty(rows);
        foreach (var r in rows)
            Close(r.Number("psi"), Metrics.Psi(r.Doubles("expected"), r.Doubles("actual")), "psi shares");
    }

    [Fact]
    public void BandsAndConfusionMatchReference()
    {
        var b = Json.GetProperty("bands");
        var p = b.Doubles("p");
        var y = b.Labels();
        var cutoffs = b.GetProperty("cutoffs").EnumerateArray()
            .Select(c => new BandCutoff(c.GetProperty("name").GetString()!, c.Number("min_probability"))).ToList();

        var rows = Metrics.Bands(p, y, cutoffs);
        var expected = b.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(expected.Count, rows.Count);
        foreach (var (e, a) in expected.Zip(rows))
        {
            Assert.Equal(e.GetProperty("name").GetString(), a.Name);
            Assert.Equal(e.Int("count"), a.Count);
            Assert.Equal(e.Int("positives"), a.Positives);
            Close(e.Number("share"), a.Share, a.Name + " share");
            Close(e.Number("conversion_rate"), a.ConversionRate, a.Name + " rate");
            Close(e.Number("wilson_low"), a.WilsonLow, a.Name + " wilson low");
            Close(e.Number("wilson_high"), a.WilsonHigh, a.Name + " wilson high");
            Close(e.Number("precision_at_or_above"), a.PrecisionAtOrAbove, a.Name + " precision");
            Close(e.Number("recall_at_or_above"), a.RecallAtOrAbove, a.Name + " recall");
        }

        var confusion = Metrics.ConfusionAtCutoffs(p, y, cutoffs);
        var expectedConfusion = b.GetProperty("confusion").EnumerateArray().ToList();
        Assert.Equal(expectedConfusion.Count, confusion.Count);
        foreach (var (e, a) in expectedConfusion.Zip(confusion))
            Assert.Equal(
                new ConfusionAt(e.GetProperty("band").GetString()!, e.Number("cutoff"), e.Int("tp"), e.Int("fp"), e.Int("tn"), e.Int("fn")),
                a);
    }

    private static (JsonElement Case, double[] P, bool[] Y) Load(string name)
    {
        var c = Case(name);
        return (c, c.Doubles("p"), c.Labels());
    }

    private static void AssertMurphy(JsonElement e, BrierDecomposition m, string name)
    {
        Close(e.Number("brier"), m.Brier, name + " murphy brier");
        Close(e.Number("reliability"), m.Reliability, name + " murphy reliability");
        Close(e.Number("resolution"), m.Resolution, name + " murphy resolution");
        Close(e.Number("uncertainty"), m.Uncertainty, name + " murphy uncertainty");
    }

    private static void AssertBins(JsonElement expected, IReadOnlyList<ReliabilityBin> actual, string name)
    {
        var rows = expected.EnumerateArray().ToList();
        Assert.Equal(rows.Count, actual.Count);
        foreach (var (e, a) in rows.Zip(actual))
        {
            string what = $"{name} bin {a.Index}";
            Assert.Equal(e.Int("index"), a.Index);
            Assert.Equal(e.Int("count"), a.Count);
            Close(e.Number("lower"), a.Lower, what + " lower");
            Close(e.Number("upper"), a.Upper, what + " upper");
            Close(e.Number("mean_predicted"), a.MeanPredicted, what + " mean");
            Close(e.Number("observed_rate"), a.ObservedRate, what + " rate");
            Close(e.Number("wilson_low"), a.WilsonLow, what + " wilson low");
            Close(e.Number("wilson_high"), a.WilsonHigh, what + " wilson high");
        }
    }

    private static void AssertLift(JsonElement expected, IReadOnlyList<LiftRow> actual, string name)
    {
        var rows = expected.EnumerateArray().ToList();
        Assert.Equal(rows.Count, actual.Count);
        foreach (var (e, a) in rows.Zip(actual))
        {
            string what = $"{name} decile {a.Decile}";
            Assert.Equal(e.Int("decile"), a.Decile);
            Assert.Equal(e.Int("count"), a.Count);
            Assert.Equal(e.Int("positives"), a.Positives);
            Close(e.Number("rate"), a.Rate, what + " rate");
            Close(e.Number("lift"), a.Lift, what + " lift");
            Close(e.Number("cumulative_gain"), a.CumulativeGain, what + " gain");
            Close(e.Number("min_score"), a.MinScore, what + " min");
            Close(e.Number("max_score"), a.MaxScore, what + " max");
        }
    }
}
