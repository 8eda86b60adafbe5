using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Core.Bundles;

namespace LeadPropensity.Core.Tests.Modeling;

/// <summary>
/// An answer's reasons are the fields of the k largest rises and the k largest falls. <see cref="ModelBundle.Strongest"/>
/// picks them in one pass; it must pick what sorting every field by its effect would: largest first, equal effects in
/// field order, zero effects never.
/// </summary>
public class StrongestEffectsProperties
{
    private static int[] BySorting(double[] effects, int k, bool up) =>
    [
        .. effects.Select((e, f) => (e, f))
            .Where(p => up ? p.e > 0 || double.IsNaN(p.e) : p.e < 0)
            .OrderByDescending(p => double.IsNaN(p.e) ? double.PositiveInfinity : Math.Abs(p.e))   // stable: ties keep field order
            .Take(k).Select(p => p.f),
    ];

    private static (int[] Up, int[] Down) OnePass(double[] effects, int k)
    {
        var (up, down) = (new int[k], new int[k]);
        var (nUp, nDown) = ModelBundle.Strongest(effects, k, up, down);
        return (up[..nUp], down[..nDown]);
    }

    // Few distinct values (rounded effects tie often), zeros, and now and then a NaN or an infinity.
    private static Gen<double> Effect() =>
        Gen.Frequency(
            (6, Gen.Choose(-6, 6).Select(i => i / 100.0)),
            (3, Gen.Choose(-100_000, 100_000).Select(i => i / 10_000.0)),
            (1, Gen.Elements(double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0)));

    public static Arbitrary<(double[] Effects, int K)> Cases() =>
        Gen.Zip(Gen.Choose(0, 40).SelectMany(n => Effect().ArrayOf(n)), Gen.Choose(1, 8)).ToArbitrary();

    [Property(MaxTest = 3000, Arbitrary = [typeof(StrongestEffectsProperties)])]
    public void PicksWhatSortingEveryFieldPicks((double[] Effects, int K) c)
    {
        var (up, down) = OnePass(c.Effects, c.K);
        Assert.Equal(BySorting(c.Effects, c.K, up: true), up);
        Assert.Equal(BySorting(c.Effects, c.K, up: false), down);
    }

    [Fact]
    public void KnownPicks()
    {
        double[] effects = [0.02, -0.05, 0.0, 0.05, 0.02, -0.01, 0.02, -0.05, -0.0, 0.01];
        var (up, down) = OnePass(effects, 3);
        Assert.Equal([3, 0, 4], up);      // 0.05, then the first two 0.02 in field order (field 6 misses out)
        Assert.Equal([1, 7, 5], down);    // -0.05 twice in field order, then -0.01; the zeros are neither
        var (one, none) = OnePass([0.0, double.NaN, 0.3], 1);
        Assert.Equal([1], one);           // a NaN is kept where the caller's finite check will see it
        Assert.Empty(none);
    }
}
