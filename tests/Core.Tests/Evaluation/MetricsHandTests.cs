using LeadPropensity.Core.Evaluation;

namespace LeadPropensity.Core.Tests.Evaluation;

/// <summary>Cases small enough to check on paper.</summary>
public class MetricsHandTests
{
    private static readonly bool[] FourLabels = [false, false, true, true];

    [Fact]
    public void PerfectRankingHasAucOne() => Assert.Equal(1.0, Metrics.RocAuc([0.1, 0.2, 0.8, 0.9], FourLabels), 12);

    [Fact]
    public void ReversedRankingHasAucZero() => Assert.Equal(0.0, Metrics.RocAuc([0.9, 0.8, 0.2, 0.1], FourLabels), 12);

    [Fact]
    public void AllTiedScoresHaveAucOneHalf() => Assert.Equal(0.5, Metrics.RocAuc([0.3, 0.3, 0.3, 0.3], FourLabels), 12);

    [Fact]
    public void OneTiedPairAcrossClassesCountsHalf() =>
        // pairs (neg, pos): (0.1,0.5) (0.1,0.9) (0.5,0.5)=half (0.5,0.9) -> 3.5 / 4
        Assert.Equal(0.875, Metrics.RocAuc([0.1, 0.5, 0.5, 0.9], FourLabels), 12);

    [Fact]
    public void RankingMetricsAreNaNWhenTheyAreUndefined()
    {
        Assert.True(double.IsNaN(Metrics.RocAuc([0.1, 0.9], [true, true])));
        Assert.True(double.IsNaN(Metrics.RocAuc([0.1, 0.9], [false, false])));
        Assert.True(double.IsNaN(Metrics.AveragePrecision([0.1, 0.9], [false, false])));
        Assert.Equal(1.0, Metrics.AveragePrecision([0.1, 0.9], [true, true]), 12);
    }

    [Fact]
    public void AveragePrecisionOfTheSklearnDocExample() =>
        // thresholds 0.8 (P 1, R .5), 0.4 (P .5), 0.35 (P 2/3, R 1): .5 * 1 + .5 * 2/3
        Assert.Equal(0.5 + 0.5 * 2.0 / 3.0, Metrics.AveragePrecision([0.1, 0.4, 0.35, 0.8], FourLabels), 12);

    [Fact]
    public void LogLossUsesNaturalLogAndClipsCertainMistakes()
    {
        Assert.Equal(Math.Log(2), Metrics.LogLoss([0.5], [true]), 12);
        Assert.Equal(-Math.Log(1e-15), Metrics.LogLoss([0.0], [true]), 9);
        Assert.Equal(-Math.Log(1e-15), Metrics.LogLoss([1.0], [false]), 2);
    }

    [Fact]
    public void BrierIsTheMeanSquaredError() => Assert.Equal((0.04 + 0.04 + 0.49) / 3, Metrics.Brier([0.2, 0.8, 0.7], [false, true, false]), 12);

    [Fact]
    public void WilsonForNoneAndAllOfTen()
    {
        double z2 = Metrics.Z95 * Metrics.Z95;
        var none = Metrics.Wilson(0, 10);
        Assert.Equal(0.0, none.Low, 12);
        Assert.Equal(z2 / (10 + z2), none.High, 12);   // 0.2775
        var all = Metrics.Wilson(10, 10);
        Assert.Equal(10 / (10 + z2), all.Low, 12);      // 0.7225
        Assert.Equal(1.0, all.High, 12);
        Assert.Equal((0.0, 1.0), Metrics.Wilson(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Wilson(11, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Wilson(1, -1));
    }

    [Fact]
    public void EqualWidthBinsAreHalfOpenWithOneInTheLastBin()
    {
        var bins = Metrics.Reliability([0.0, 0.1, 0.25, 1.0], [false, true, false, true], bins: 4);
        Assert.Equal([2, 1, 0, 1], bins.Select(b => b.Count));   // 0.25 starts bin 1; bin 2 is empty but present
        Assert.Equal([0.0, 0.25, 0.5, 0.75], bins.Select(b => b.Lower));
        Assert.True(double.IsNaN(bins[2].MeanPredicted) && double.IsNaN(bins[2].ObservedRate));
        Assert.Equal((0.0, 1.0), (bins[2].WilsonLow, bins[2].WilsonHigh));
        Assert.Equal(0.05, bins[0].MeanPredicted, 12);
        Assert.Equal(0.5, bins[0].ObservedRate, 12);
    }

    [Fact]
    public void EqualMassBinsKeepTiesTogetherAndDropEmptyBins()
    {
        double[] p = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.5, 0.6, 0.7, 0.8];
        bool[] y = [true, false, false, false, false, false, true, false, true, true];
        var bins = Metrics.Reliability(p, y, bins: 5, BinStrategy.EqualMass);
        // edges 0.2, 0.2, 0.2, 0.2+0.4*0.3=0.32, 0.6+0.2*0.1=0.62, 0.8: the six ties share bin 0, bins 1 and 2 stay empty
        Assert.Equal([6, 2, 2], bins.Select(b => b.Count));
        Assert.Equal([0, 1, 2], bins.Select(b => b.Index));
        Assert.Equal(1.0 / 6, bins[0].ObservedRate, 12);
        Assert.Equal(0.55, bins[1].MeanPredicted, 12);
        Assert.Equal(0.32, bins[1].Lower, 12);
        Assert.Equal(0.62, bins[1].Upper, 12);
    }

    [Fact]
    public void EceWeighsBinGapsAndMceTakesTheLargest()
    {
        // bin 0: mean 0.05, rate 0.5 (gap .45, 2 leads); bin 3: mean 1, rate 1 (gap 0, 1 lead); bin 1: .25 vs 0
        double[] p = [0.0, 0.1, 0.25, 1.0];
        bool[] y = [false, true, false, true];
        Assert.Equal((2 * 0.45 + 0.25) / 4, Metrics.Ece(p, y, bins: 4), 12);
        Assert.Equal(0.45, Metrics.Mce(p, y, bins: 4), 12);
    }

    [Fact]
    public void BandTableOnATinySet()
    {
        double[] p = [0.9, 0.5, 0.41, 0.4, 0.3, 0.15, 0.1, 0.0];
        bool[] y = [true, false, true, true, false, true, false, false];
        BandCutoff[] cutoffs = [new("SQL", 0.4), new("MQL", 0.15), new("Nurture", 0)];

        var rows = Metrics.Bands(p, y, cutoffs);
        Assert.Equal(["SQL", "MQL", "Nurture"], rows.Select(r => r.Name));
        Assert.Equal([4, 2, 2], rows.Select(r => r.Count));
        Assert.Equal([3, 1, 0], rows.Select(r => r.Positives));
        Assert.Equal([0.5, 0.25, 0.25], rows.Select(r => r.Share));
        Assert.Equal([0.75, 0.5, 0.0], rows.Select(r => r.ConversionRate));
        Assert.Equal([0.75, 4.0 / 6, 0.5], rows.Select(r => r.PrecisionAtOrAbove));
        Assert.Equal([0.75, 1.0, 1.0], rows.Select(r => r.RecallAtOrAbove));
        Assert.Equal(Metrics.Wilson(3, 4), (rows[0].WilsonLow, rows[0].WilsonHigh));

        Assert.Equal(
            [new ConfusionAt("SQL", 0.4, 3, 1, 3, 1), new ConfusionAt("MQL", 0.15, 4, 2, 2, 0), new ConfusionAt("Nurture", 0, 4, 4, 0, 0)],
            Metrics.ConfusionAtCutoffs(p, y, cutoffs));
    }

    [Fact]
    public void BandCutoffsMustBeOrderedAndCoverEveryLead()
    {
        double[] p = [0.5];
        bool[] y = [true];
        var unordered = Assert.Throws<ArgumentException>(() => Metrics.Bands(p, y, [new("MQL", 0.15), new("SQL", 0.4), new("Nurture", 0)]));
        Assert.Contains("decreasing", unordered.Message);
        var gap = Assert.Throws<ArgumentException>(() => Metrics.Bands(p, y, [new("SQL", 0.4), new("MQL", 0.15)]));
        Assert.Contains("MQL", gap.Message);
        Assert.Throws<ArgumentException>(() => Metrics.ConfusionAtCutoffs(p, y, []));
    }

    [Fact]
    public void LiftOfFewerThanTenLeadsLeavesOutEmptyDeciles()
    {
        var rows = Metrics.LiftByDecile([0.9, 0.1, 0.5, 0.7], [true, false, false, true]);
        // N = 4: deciles 3, 5, 8 and 10 hold positions 0, 1, 2, 3 of the descending order
        Assert.Equal([3, 5, 8, 10], rows.Select(r => r.Decile));
        Assert.Equal([0.9, 0.7, 0.5, 0.1], rows.Select(r => r.MaxScore));
        Assert.Equal([2.0, 2.0, 0.0, 0.0], rows.Select(r => r.Lift));
        Assert.Equal([0.5, 1.0, 1.0, 1.0], rows.Select(r => r.CumulativeGain));
    }

    [Fact]
    public void PsiIsZeroForTheSameSampleAndRejectsCounts()
    {
        double[] sample = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
        Assert.Equal(0.0, Metrics.Psi(sample, sample, bins: 10), 12);
        Assert.Equal(0.0, Metrics.Psi([0.5, 0.5], [0.5, 0.5]), 12);
        // an empty actual bin counts as 1e-4: (0.5 - 1e-4) ln(0.5 / 1e-4) + (0.5 - 1) ln(1 / 0.5)
        Assert.Equal((0.5 - 1e-4) * Math.Log(0.5 / 1e-4) + 0.5 * Math.Log(2), Metrics.Psi([0.5, 0.5], [0.0, 1.0]), 12);
        Assert.Throws<ArgumentException>(() => Metrics.Psi([50.0, 50.0], [40.0, 60.0]));
        // without bins the two-list call is the shares overload; raw samples fail loudly instead of giving a wrong PSI
        Assert.Contains("bins", Assert.Throws<ArgumentException>(() => Metrics.Psi(sample, sample)).Message);
        Assert.Throws<ArgumentException>(() => Metrics.Psi([0.5, 0.5], [1.0]));
    }

    [Fact]
    public void BadInputIsRejectedWithAClearMessage()
    {
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Metrics.RocAuc([], [])).Message);
        Assert.Contains("length", Assert.Throws<ArgumentException>(() => Metrics.Brier([0.1, 0.2], [true])).Message);
        Assert.Contains("index 2", Assert.Throws<ArgumentException>(() => Metrics.LogLoss([0.1, 0.2, double.NaN], [true, false, true])).Message);
        Assert.Contains("index 1", Assert.Throws<ArgumentException>(() => Metrics.Summarize([0.1, 1.5], [true, false])).Message);
        Assert.Contains("index 0", Assert.Throws<ArgumentException>(() => Metrics.Psi([double.NaN], [0.1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Reliability([0.1], [true], bins: 0));
    }
}
