using LeadPropensity.Core.Evaluation;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Tests.Modeling;

public class CalibrationTests
{
    private static (double[] Raw, bool[] Y) Synthetic(int n, Func<double, double> truth, int seed)
    {
        var rng = new Random(seed);
        var raw = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 8 - 4).ToArray();
        var y = raw.Select(r => rng.NextDouble() < truth(r)).ToArray();
        return (raw, y);
    }

    [Fact]
    public void PlattRecoversALogisticLink()
    {
        var (raw, y) = Synthetic(20000, r => 1 / (1 + Math.Exp(-(1.5 * r - 2))), 1);
        var p = PlattCalibrator.Fit(raw, y);
        Assert.InRange(p.A, 1.35, 1.65);
        Assert.InRange(p.B, -2.2, -1.8);
    }

    [Fact]
    public void PlattConvergesOnHugeRawScores()
    {
        var (raw, y) = Synthetic(5000, r => r > 0 ? 0.9 : 0.05, 2);
        var scaled = raw.Select(r => r * 50).ToArray();
        var p = PlattCalibrator.Fit(scaled, y);
        var loss = Metrics.LogLoss(scaled.Select(p.Probability).ToArray(), y);
        Assert.True(loss < 0.45, $"log loss {loss}");
    }

    [Fact]
    public void IsotonicIsMonotoneAndFitsAStepShape()
    {
        var (raw, y) = Synthetic(20000, r => r > 1 ? 0.6 : 0.1, 3);
        var iso = IsotonicCalibrator.Fit(raw, y);
        var grid = Enumerable.Range(-40, 81).Select(i => i / 10.0).Select(iso.Probability).ToArray();
        for (var i = 1; i < grid.Length; i++) Assert.True(grid[i] >= grid[i - 1] - 1e-12);
        Assert.InRange(iso.Probability(-2), 0.07, 0.13);
        Assert.InRange(iso.Probability(3), 0.55, 0.65);
        Assert.True(iso.Probability(-100) > 0 && iso.Probability(100) < 1);
    }

    [Fact]
    public void IsotonicBeatsPlattOnAStepAndPlattBeatsNothing()
    {
        var (raw, y) = Synthetic(20000, r => r > 1 ? 0.6 : 0.1, 4);
        var (raw2, y2) = Synthetic(20000, r => r > 1 ? 0.6 : 0.1, 5);
        var iso = IsotonicCalibrator.Fit(raw, y);
        var platt = PlattCalibrator.Fit(raw, y);
        var isoLoss = Metrics.LogLoss(raw2.Select(iso.Probability).ToArray(), y2);
        var plattLoss = Metrics.LogLoss(raw2.Select(platt.Probability).ToArray(), y2);
        Assert.True(isoLoss < plattLoss, $"isotonic {isoLoss} vs platt {plattLoss}");
    }
}
