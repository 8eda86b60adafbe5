using LeadPropensity.Core.Evaluation;

namespace LeadPropensity.Core.Tests.Reporting;

public sealed class PromotionGateTests
{
    private static MetricSummary S(double auc, double ece, double logLoss) =>
        new(100, 10, 0.1, auc, 0.5, logLoss, 0.1, new BrierDecomposition(0.1, 0, 0, 0.09), ece, ece, ece, [], []);

    private static readonly GateThresholds Defaults = new();

    [Fact]
    public void DefaultsAreTheDocumentedOnes() => Assert.Equal((0.005, 0.01, 0.01), (Defaults.MaxAucDrop, Defaults.MaxEceRise, Defaults.MaxLogLossRise));

    [Theory]
    [InlineData(0.795, true)]   // a drop exactly at the limit passes (0.800 - 0.795 is 0.005000000000000004 in doubles)
    [InlineData(0.7949, false)]
    [InlineData(0.9, true)]
    public void AucDropAtTheLimitPassesAndBeyondFails(double challengerAuc, bool passes)
    {
        var v = PromotionGate.Judge(S(0.800, 0.02, 0.30), S(challengerAuc, 0.02, 0.30), Defaults);
        Assert.Equal(passes, v.Passed);
        Assert.Equal(passes, v.Checks.Single(c => c.Metric == "roc-auc").Passed);
    }

    [Theory]
    [InlineData(0.03, true)]
    [InlineData(0.0301, false)]
    [InlineData(0.0, true)]
    public void EceRiseAtTheLimitPassesAndBeyondFails(double challengerEce, bool passes)
    {
        var v = PromotionGate.Judge(S(0.8, 0.02, 0.30), S(0.8, challengerEce, 0.30), Defaults);
        Assert.Equal(passes, v.Passed);
        Assert.Equal(passes, v.Checks.Single(c => c.Metric == "ece").Passed);
    }

    [Theory]
    [InlineData(0.31, true)]
    [InlineData(0.3101, false)]
    public void LogLossRiseAtTheLimitPassesAndBeyondFails(double challengerLogLoss, bool passes)
    {
        var v = PromotionGate.Judge(S(0.8, 0.02, 0.30), S(0.8, 0.02, challengerLogLoss), Defaults);
        Assert.Equal(passes, v.Passed);
        var check = v.Checks.Single(c => c.Metric == "log-loss");
        Assert.Equal(passes, check.Passed);
        Assert.Equal(challengerLogLoss - 0.30, check.Change, 12);
    }

    [Fact]
    public void OneFailingGateFailsTheVerdictAndAllGatesAreReported()
    {
        var v = PromotionGate.Judge(S(0.8, 0.02, 0.30), S(0.85, 0.05, 0.29), Defaults);
        Assert.False(v.Passed);
        Assert.Equal(["roc-auc", "ece", "log-loss"], v.Checks.Select(c => c.Metric));
        Assert.Equal([true, false, true], v.Checks.Select(c => c.Passed));
    }

    [Fact]
    public void AnUndefinedMetricFails()
    {
        Assert.False(PromotionGate.Judge(S(0.8, 0.02, 0.3), S(double.NaN, 0.02, 0.3), Defaults).Passed);
        Assert.False(PromotionGate.Judge(S(double.NaN, 0.02, 0.3), S(0.8, 0.02, 0.3), Defaults).Passed);
    }

    [Fact]
    public void StricterThresholdsAreHonoured()
    {
        var tight = new GateThresholds(MaxAucDrop: 0, MaxEceRise: 0, MaxLogLossRise: 0);
        Assert.True(PromotionGate.Judge(S(0.8, 0.02, 0.3), S(0.8, 0.02, 0.3), tight).Passed);
        Assert.False(PromotionGate.Judge(S(0.8, 0.02, 0.3), S(0.799, 0.02, 0.3), tight).Passed);
    }
}
