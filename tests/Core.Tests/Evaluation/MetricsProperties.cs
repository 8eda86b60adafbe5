using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Core.Evaluation;

namespace LeadPropensity.Core.Tests.Evaluation;

/// <summary>Laws every correct implementation obeys, on random scored sets.</summary>
public class MetricsProperties
{
    /// <summary>Probabilities on a 1/1000 grid (so ties and exact 0 and 1 are common) with random outcomes.</summary>
    private static Arbitrary<(double[] P, bool[] Y)> ScoredSets() =>
        Gen.Zip(Gen.Choose(0, 1000).Select(k => k / 1000.0), Gen.Elements(true, false))
            .NonEmptyListOf()
            .Select(rows => (rows.Select(r => r.Item1).ToArray(), rows.Select(r => r.Item2).ToArray()))
            .ToArbitrary();

    [Property]
    public Property AucIsUnchangedByStrictlyIncreasingTransforms() =>
        Prop.ForAll(ScoredSets(), set =>
        {
            double auc = Metrics.RocAuc(set.P, set.Y);
            double cubed = Metrics.RocAuc(set.P.Select(v => v * v * v).ToArray(), set.Y);
            double rooted = Metrics.RocAuc(set.P.Select(Math.Sqrt).ToArray(), set.Y);
            return Same(auc, cubed) && Same(auc, rooted);
        });

    [Property]
    public Property AucOfNegatedScoresIsOneMinusAuc() =>
        Prop.ForAll(ScoredSets(), set =>
        {
            double auc = Metrics.RocAuc(set.P, set.Y);
            double flipped = Metrics.RocAuc(set.P.Select(v => 1 - v).ToArray(), set.Y);
            return Same(1 - auc, flipped);
        });

    [Property]
    public Property CalibrationErrorsLieInTheUnitIntervalAndEceNeverExceedsMce() =>
        Prop.ForAll(ScoredSets(), set =>
            Enum.GetValues<BinStrategy>().All(s =>
            {
                double ece = Metrics.Ece(set.P, set.Y, 10, s), mce = Metrics.Mce(set.P, set.Y, 10, s);
                return ece >= 0 && ece <= 1 && mce <= 1 && ece <= mce + 1e-12;
            }));

    [Property]
    public Property ReliabilityBinsAccountForEveryLead() =>
        Prop.ForAll(ScoredSets(), set =>
            Metrics.Reliability(set.P, set.Y, 10, BinStrategy.EqualWidth).Sum(b => b.Count) == set.P.Length
            && Metrics.Reliability(set.P, set.Y, 10, BinStrategy.EqualMass).Sum(b => b.Count) == set.P.Length
            && Metrics.LiftByDecile(set.P, set.Y).Sum(r => r.Count) == set.P.Length);

    /// <summary>With predictions only at bin centres, each bin holds one prediction value and Murphy's identity is exact.</summary>
    [Property]
    public Property MurphyDecompositionIsExactWhenEachBinHoldsOnePredictionValue() =>
        Prop.ForAll(
            Gen.Zip(Gen.Choose(0, 9), Gen.Elements(true, false)).NonEmptyListOf().ToArbitrary(),
            rows =>
            {
                var p = rows.Select(r => (r.Item1 + 0.5) / 10).ToArray();
                var y = rows.Select(r => r.Item2).ToArray();
                var m = Metrics.Murphy(p, y, bins: 10);
                return Math.Abs(m.Brier - (m.Reliability - m.Resolution + m.Uncertainty)) < 1e-12;
            });

    private static bool Same(double a, double b) => (double.IsNaN(a) && double.IsNaN(b)) || Math.Abs(a - b) < 1e-12;
}
