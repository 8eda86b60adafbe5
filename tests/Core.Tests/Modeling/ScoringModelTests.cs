using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Tests.Modeling;

/// <summary>
/// The scoring hot path (flattened trees, one pass for score and contributions) against a plain walk of the trees as
/// ML.NET hands them over: the same raw score to the bit and the same per-slot contributions (to 1e-12).
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
        for (var n = 0; n < 200; n++)
        {
            var x = RandomRow(rng);
            var expectedSlots = new double[Width];
            var expectedRaw = ReferenceWalk(model, x, expectedSlots);
            Assert.Equal(expectedRaw, model.Raw(x));

            var slots = new double[Width];
            Assert.Equal(expectedRaw, model.RawAndContributions(x, slots));
            // The oracle averages leaves in another order, so the last bits of a subtree mean may differ.
            for (var j = 0; j < Width; j++) Assert.Equal(expectedSlots[j], slots[j], 1e-12);
            Assert.Equal(expectedRaw - model.Baseline, slots.Sum(), 9);
        }
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
                var slots = new double[Width];
                Assert.Equal(model.Raw(x), model.RawAndContributions(x, slots));
                Assert.Equal(model.Raw(x) - model.Baseline, slots.Sum(), 9);
            }
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
        [.. Enumerable.Range(0, Width).Select(_ => rng.Next(4) == 0 ? 0f : (float)Math.Round(rng.NextDouble() * 10, 1))];

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
