using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Tests.Modeling;

/// <summary>
/// The scoring hot path (trees over one or two features read from tables, the others flattened and walked; one pass
/// for score and contributions) against a plain walk of the trees as ML.NET hands them over: the same raw score (to the
/// bit for the walk alone, to 1e-12 with tables, which add the same numbers in another order) and the same per-slot
/// contributions (to 1e-12).
/// </summary>
public class ScoringModelTests
{
    private const int Width = 12;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FlattenedTreesScoreAndAttributeExactlyLikeTheTreesThemselves(int seed)
    {
        var rng = new Random(seed);
        var model = RandomEnsemble(rng, trees: 40);
        var walkedOnly = new TreeEnsembleModel { Trees = model.Trees, Bias = model.Bias, UseTables = false };
        for (var n = 0; n < 200; n++)
        {
            var x = RandomRow(rng);
            var expectedSlots = new double[Width];
            var expectedRaw = ReferenceWalk(model, x, expectedSlots);
            Assert.Equal(expectedRaw, walkedOnly.Raw(x));
            Assert.Equal(expectedRaw, model.Raw(x), 1e-12);

            var slots = new double[Width];
            Assert.Equal(model.Raw(x), model.RawAndContributions(x, slots));
            // The oracle averages leaves in another order, so the last bits of a subtree mean may differ.
            for (var j = 0; j < Width; j++) Assert.Equal(expectedSlots[j], slots[j], 1e-12);
            Assert.Equal(expectedRaw - model.Baseline, slots.Sum(), 9);
        }
        // Both paths are exercised: some trees (one or two features) are read from tables, the others walked.
        Assert.InRange(model.Tables.TreeCount, 1, 39);
    }

    [Fact]
    public void BlendsAndLinearModelsGiveTheirRawScoreFromTheExplainingPassToo()
    {
        var rng = new Random(7);
        var linear = new LinearModel
        {
            Weights = [.. Enumerable.Range(0, Width).Select(_ => (float)(rng.NextDouble() * 2 - 1))],
            Means = [.. Enumerable.Range(0, Width).Select(_ => (float)rng.NextDouble())],
            Scales = [.. Enumerable.Range(0, Width).Select(_ => (float)(0.5 + rng.NextDouble()))],
            Bias = -1.25,
        };
        var blend = new BlendModel { Parts = [linear, RandomEnsemble(rng, trees: 25)], Weights = [0.7, 0.3] };
        foreach (var model in new ScoringModel[] { linear, blend })
            for (var n = 0; n < 100; n++)
            {
                var x = RandomRow(rng);
                // Four running sums: the plain sum of the same terms, to rounding.
                var plain = linear.Bias;
                for (var i = 0; i < Width; i++) plain += linear.Weights[i] * ((x[i] - linear.Means[i]) / linear.Scales[i]);
                Assert.Equal(plain, linear.Raw(x), 1e-12);
                var slots = new double[Width];
                Assert.Equal(model.Raw(x), model.RawAndContributions(x, slots));
                Assert.Equal(model.Raw(x) - model.Baseline, slots.Sum(), 9);
            }
    }

    /// <summary>
    /// Small trees over one or two features (as the shipped model's are) all go into tables: values at a threshold, just
    /// either side of it, far out and NaN (which goes right at every split) land in the right cell, and the contributions
    /// are the trees' own.
    /// </summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void TreesOverOneOrTwoFeaturesAreReadFromTablesWithTheWalksScoresAndContributions(int seed)
    {
        var rng = new Random(seed);
        var thresholds = new[] { -1.5f, 0f, 1e-35f, 0.5f, 2f, 7.5f };
        TreeEnsembleModel.Tree Small()
        {
            // Three leaves: a root split and one split under it, on the root's feature or another of three features.
            var (a, b) = (rng.Next(3), rng.Next(3));
            var (ta, tb) = (thresholds[rng.Next(thresholds.Length)], thresholds[rng.Next(thresholds.Length)]);
            double[] leaves = [rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5];
            return rng.Next(2) == 0
                ? new TreeEnsembleModel.Tree([1, ~0], [~2, ~1], [a, b], [ta, tb], leaves, 0.5 + rng.NextDouble())
                : new TreeEnsembleModel.Tree([~0, ~1], [1, ~2], [a, b], [ta, tb], leaves, 0.5 + rng.NextDouble());
        }
        var model = new TreeEnsembleModel { Bias = 0.25, Trees = [.. Enumerable.Range(0, 300).Select(_ => Small())] };
        var walkedOnly = new TreeEnsembleModel { Trees = model.Trees, Bias = model.Bias, UseTables = false };
        float[] probes = [.. thresholds, .. thresholds.Select(t => MathF.BitIncrement(t)), .. thresholds.Select(t => MathF.BitDecrement(t)), -100f, 100f, float.NaN];
        foreach (var xa in probes)
            foreach (var xb in probes)
            {
                var x = new float[Width];
                (x[0], x[1], x[2]) = (xa, xb, probes[rng.Next(probes.Length)]);
                var expectedSlots = new double[Width];
                var expectedRaw = ReferenceWalk(model, x, expectedSlots);
                Assert.Equal(expectedRaw, walkedOnly.Raw(x));
                var slots = new double[Width];
                Assert.Equal(expectedRaw, model.RawAndContributions(x, slots), 1e-12);
                Assert.Equal(model.Raw(x), model.RawAndContributions(x, new double[Width]));
                for (var j = 0; j < Width; j++) Assert.Equal(expectedSlots[j], slots[j], 1e-12);
            }
        Assert.Equal(300, model.Tables.TreeCount);
        Assert.InRange(model.Tables.TableCount, 3, 6);
    }

    [Fact]
    public void APairWithTooManyThresholdsForATableIsWalked()
    {
        // 40 thresholds on each feature: 41 × 41 cells, over the cap; a third tree over another pair fits.
        var steps = Enumerable.Range(0, 40).Select(i => (float)i).ToArray();
        TreeEnsembleModel.Tree Tree(int a, int b, float t) => new([1, ~0], [~2, ~1], [a, b], [t, t], [0.1 * t, -0.2, 0.3], 1);
        var model = new TreeEnsembleModel { Trees = [.. steps.Select(t => Tree(0, 1, t)), Tree(2, 3, 1f)] };
        Assert.True((steps.Length + 1) * (steps.Length + 1) > TreeTables.MaxCells);
        Assert.Equal(1, model.Tables.TreeCount);
        var x = new float[Width];
        (x[0], x[1], x[2], x[3]) = (12.5f, 3f, 2f, 0f);
        Assert.Equal(ReferenceWalk(model, x, new double[Width]), model.Raw(x), 1e-12);
    }

    /// <summary>The walk reads without bounds checks, so trees that would lead it outside its arrays are refused when built (as a bundle is loaded).</summary>
    [Theory]
    [InlineData(new[] { 1 }, new[] { ~1 }, 0, "child 1")]      // internal child outside the tree
    [InlineData(new[] { 0 }, new[] { ~1 }, 0, "child 0")]      // a node as its own child: a cycle
    [InlineData(new[] { ~0 }, new[] { ~2 }, 0, "child -3")]    // a leaf the tree does not have
    [InlineData(new[] { ~0 }, new[] { ~1 }, -1, "feature -1")]
    [InlineData(new[] { ~0, ~1 }, new[] { ~1 }, 0, "binary tree")]
    public void MalformedTreesAreRejectedBeforeScoring(int[] left, int[] right, int feature, string named)
    {
        var e = Assert.Throws<InvalidDataException>(() => new TreeEnsembleModel { Trees = [new TreeEnsembleModel.Tree(left, right, [feature], [1f], [0.1, 0.2], 1)] });
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void VectorsShorterThanTheFeaturesTheTreesReadAreRejected()
    {
        var model = new TreeEnsembleModel { Trees = [new TreeEnsembleModel.Tree([~0], [~1], [Width - 1], [1f], [0.1, 0.2], 1)] };
        Assert.Throws<ArgumentException>(() => model.Raw(new float[Width - 1]));
        Assert.Throws<ArgumentException>(() => model.RawAndContributions(new float[Width], new double[Width - 1]));
        Assert.Equal(0.2, model.Raw(Enumerable.Repeat(5f, Width).ToArray()));
    }

    /// <summary>Saabas attribution walked straight on the arrays, with subtree means computed here: the oracle.</summary>
    private static double ReferenceWalk(TreeEnsembleModel m, float[] x, double[] slots)
    {
        var s = m.Bias;
        foreach (var t in m.Trees)
        {
            if (t.Left.Length == 0) { s += t.Weight * t.Leaf[0]; continue; }
            double Mean(int node) => node < 0 ? t.Leaf[~node] : Leaves(node).Average();
            IEnumerable<double> Leaves(int node) => node < 0 ? [t.Leaf[~node]] : Leaves(t.Left[node]).Concat(Leaves(t.Right[node]));
            var at = 0;
            while (at >= 0)
            {
                var f = t.Feature[at];
                var next = x[f] <= t.Threshold[at] ? t.Left[at] : t.Right[at];
                slots[f] += t.Weight * (Mean(next) - Mean(at));
                at = next;
            }
            s += t.Weight * t.Leaf[~at];
        }
        return s;
    }

    private static float[] RandomRow(Random rng) =>
        [.. Enumerable.Range(0, Width).Select(_ => rng.Next(10) switch { 0 => float.NaN, < 4 => 0f, _ => (float)Math.Round(rng.NextDouble() * 10, 1) })];

    private static TreeEnsembleModel RandomEnsemble(Random rng, int trees) => new()
    {
        Bias = rng.NextDouble() - 0.5,
        Trees = [.. Enumerable.Range(0, trees).Select(_ => RandomTree(rng, leaves: 1 + rng.Next(9)))],
    };

    /// <summary>A random binary tree in ML.NET's layout: internal nodes 0..n-2, leaf i referenced as ~i.</summary>
    private static TreeEnsembleModel.Tree RandomTree(Random rng, int leaves)
    {
        var weight = 0.5 + rng.NextDouble();
        var leafValues = Enumerable.Range(0, leaves).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        if (leaves == 1) return new TreeEnsembleModel.Tree([], [], [], [], leafValues, weight);
        var (left, right, feature, threshold) = (new List<int>(), new List<int>(), new List<int>(), new List<float>());
        var nextLeaf = 0;
        int Build(int count)
        {
            if (count == 1) return ~nextLeaf++;
            var id = left.Count;
            left.Add(0); right.Add(0); feature.Add(rng.Next(Width)); threshold.Add((float)Math.Round(rng.NextDouble() * 10, 1));
            var leftCount = 1 + rng.Next(count - 1);
            left[id] = Build(leftCount);
            right[id] = Build(count - leftCount);
            return id;
        }
        Build(leaves);
        return new TreeEnsembleModel.Tree([.. left], [.. right], [.. feature], [.. threshold], leafValues, weight);
    }
}
