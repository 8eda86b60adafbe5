using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Core.Bundles;

namespace LeadPropensity.Core.Tests.Modeling;

/// <summary>
/// A model reason's text gives its effect in probability points to one decimal. It is written from the effect in
/// thousandths rather than by formatting a double, so it must read as "F1" formatting reads, half away from zero; the two
/// may differ only for an effect within a rounding error of a tie (a hundredth of a point ending in 5).
/// </summary>
public class ReasonTextProperties
{
    private static string Formatted(string field, string shown, double effect) => effect >= 0
        ? string.Create(CultureInfo.InvariantCulture, $"{field} = {shown} raises the likelihood by {effect * 100:F1} points")
        : string.Create(CultureInfo.InvariantCulture, $"{field} = {shown} lowers the likelihood by {-effect * 100:F1} points");

    private static bool NearTie(double effect)
    {
        var x = Math.Abs(effect) * 1000;
        return Math.Abs(x - Math.Floor(x) - 0.5) < 1e-6;
    }

    private static Arbitrary<double> Effects() =>
        Gen.OneOf(
                Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 1e6),              // the whole range, six decimals
                Gen.Choose(-1000, 1000).Select(i => i / 1000.0),                    // exact tenths of a point
                Gen.Choose(-10_000, 10_000).Select(i => i / 10_000.0),              // as the answer's rounded effect
                Gen.Choose(0, 1_000_000).Select(i => Math.BitIncrement(i / 1e6)))   // just off a round value
            .ToArbitrary();

    [Property(MaxTest = 2000, Arbitrary = [typeof(ReasonTextProperties)])]
    public bool ReadsAsTheEffectFormattedToOneDecimal(double effect) =>
        NearTie(effect) || ModelBundle.ReasonText("job_title", "VP Marketing", effect) == Formatted("job_title", "VP Marketing", effect);

    public static Arbitrary<double> Double() => Effects();

    [Theory]
    [InlineData(0.0607, "budget_confirmed = yes raises the likelihood by 6.1 points")]
    [InlineData(-0.0981, "budget_confirmed = yes lowers the likelihood by 9.8 points")]
    [InlineData(0.00004, "budget_confirmed = yes raises the likelihood by 0.0 points")]
    [InlineData(-0.00004, "budget_confirmed = yes lowers the likelihood by 0.0 points")]
    [InlineData(0.99996, "budget_confirmed = yes raises the likelihood by 100.0 points")]
    [InlineData(0.12345, "budget_confirmed = yes raises the likelihood by 12.3 points")]
    [InlineData(0.0125, "budget_confirmed = yes raises the likelihood by 1.3 points")]
    public void KnownEffects(double effect, string expected) =>
        Assert.Equal(expected, ModelBundle.ReasonText("budget_confirmed", "yes", effect));

    [Fact]
    public void AMissingValueAndANonFiniteEffectStillReadAsText()
    {
        Assert.Equal("industry = (missing) lowers the likelihood by 2.0 points", ModelBundle.ReasonFor("industry", null, -0.02).Text);
        Assert.StartsWith("industry = x raises the likelihood by", ModelBundle.ReasonText("industry", "x", double.PositiveInfinity));
        Assert.DoesNotContain('\0', ModelBundle.ReasonText("industry", "x", double.NaN));
    }
}
