using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Tests.Modeling;

public class LeakGuardTests
{
    [Fact]
    public void AFieldCarryingMostOfTheModelIsFlaggedForReview()
    {
        var flag = LeakGuard.Dominant([new("duration", 0.1, 0.23), new("month", 0.02, 0.05), new("age", 0.01, 0.01)]);
        Assert.NotNull(flag);
        Assert.Equal("duration", flag.Field);
        Assert.Contains("4.6×", flag.Reason);
        Assert.Contains("month", flag.Reason);
    }

    [Theory]
    [InlineData(0.027, 0.024)]   // the sample: several fields matter about equally
    [InlineData(0.04, 0.001)]    // lopsided but too small to matter
    [InlineData(0.14, 0.05)]     // large, but under three times the next
    public void OrdinaryImportanceIsNotFlagged(double first, double second)
    {
        Assert.Null(LeakGuard.Dominant([new("a", 0, first), new("b", 0, second)]));
    }
}
