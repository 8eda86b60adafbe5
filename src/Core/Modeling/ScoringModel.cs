using System.Text.Json.Serialization;

namespace LeadPropensity.Core.Modeling;

/// <summary>
/// The fitted model in a form that scores a feature vector directly and attributes the raw score to slots.
/// It is read out of the ML.NET model in model.zip (the source of truth) and checked against ML.NET's own scores.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(TreeEnsembleModel), "trees")]
[JsonDerivedType(typeof(LinearModel), "linear")]
[JsonDerivedType(typeof(BlendModel), "blend")]
public abstract class ScoringModel
{
    /// <summary>The raw (uncalibrated) score, a log-odds-like margin.</summary>
    public abstract double Raw(ReadOnlySpan<float> x);

    /// <summary>Adds each slot's share of (raw score − <see cref="Baseline"/>) to <paramref name="slots"/>.</summary>
    public abstract void Contributions(ReadOnlySpan<float> x, Span<double> slots);

    /// <summary>The raw score of a "typical" lead that the contributions are measured from.</summary>
    public abstract double Baseline { get; }

    /// <summary>
    /// <see cref="Contributions"/> and <see cref="Raw"/> in one pass over the model (an explained prediction walks each
    /// tree once, not twice); returns exactly what <see cref="Raw"/> returns.
    /// </summary>
    public virtual double RawAndContributions(ReadOnlySpan<float> x, Span<double> slots)
    {
        Contributions(x, slots);
        return Raw(x);
    }
}

/// <summary>Boosted regression trees (FastTree or LightGBM); attribution by path (Saabas) with subtree means.</summary>
public sealed class TreeEnsembleModel : ScoringModel
{
    public sealed record Tree(int[] Left, int[] Right, int[] Feature, float[] Threshold, double[] Leaf, double Weight)
    {
        [JsonIgnore] internal double[]? NodeMean { get; set; }
    }

    public required IReadOnlyList<Tree> Trees { get => _trees; init => _trees = [.. value]; }
    public double Bias { get; init; }
    private readonly Tree[] _trees = [];
    private double? _baseline;

    public override double Baseline => _baseline ??= Bias + Trees.Sum(t => t.Weight * Means(t)[0]);

    public override double Raw(ReadOnlySpan<float> x)
    {
        var (nodes, roots, leaves) = Compiled;
        var s = Bias;
        for (var k = 0; k < roots.Length; k++)
        {
            var node = roots[k];
            while (node >= 0)
            {
                ref readonly var n = ref nodes[node];
                node = x[n.Feature] <= n.Threshold ? n.Left : n.Right;
            }
            s += leaves[~node];
        }
        return s;
    }

    /// <summary>
    /// Every tree's internal nodes in one array of small structs (one cache line holds a node's split, children and both
    /// path contributions), leaves pre-multiplied by the tree weight: the scoring hot path. Built once from
    /// <see cref="Trees"/>; gives the same bits as walking the trees themselves.
    /// </summary>
    private (FlatNode[] Nodes, int[] Roots, double[] Leaves) Compiled => _compiled ??= Compile();
    private (FlatNode[] Nodes, int[] Roots, double[] Leaves)? _compiled;

    private readonly struct FlatNode(int feature, float threshold, int left, int right, double deltaLeft, double deltaRight)
    {
        public readonly int Feature = feature, Left = left, Right = right;
        public readonly float Threshold = threshold;
        /// <summary>What taking that branch adds to the split feature's contribution (weight × change of subtree mean).</summary>
        public readonly double DeltaLeft = deltaLeft, DeltaRight = deltaRight;
    }

    private (FlatNode[], int[], double[]) Compile()
    {
        var nodes = new List<FlatNode>();
        var leaves = new List<double>();
        var roots = new int[_trees.Length];
        for (var k = 0; k < _trees.Length; k++)
        {
            var t = _trees[k];
            var (nodeBase, leafBase) = (nodes.Count, leaves.Count);
            foreach (var v in t.Leaf) leaves.Add(t.Weight * v);
            if (t.Left.Length == 0) { roots[k] = ~leafBase; continue; }
            var means = Means(t);
            int Global(int child) => child >= 0 ? nodeBase + child : ~(leafBase + ~child);
            double Mean(int child) => child >= 0 ? means[child] : t.Leaf[~child];
            for (var i = 0; i < t.Left.Length; i++)
                nodes.Add(new FlatNode(t.Feature[i], t.Threshold[i], Global(t.Left[i]), Global(t.Right[i]),
                    t.Weight * (Mean(t.Left[i]) - means[i]), t.Weight * (Mean(t.Right[i]) - means[i])));
            roots[k] = nodeBase;
        }
        return ([.. nodes], roots, [.. leaves]);
    }

    /// <summary>The raw score using only the first <c>counts[i]</c> trees, for each i (counts ascending): early stopping without refitting.</summary>
    public void RawPrefixes(ReadOnlySpan<float> x, IReadOnlyList<int> counts, Span<double> result)
    {
        var s = Bias;
        var next = 0;
        for (var k = 0; k < Trees.Count && next < counts.Count; k++)
        {
            var t = Trees[k];
            var node = 0;
            if (t.Left.Length == 0) s += t.Weight * t.Leaf[0];
            else
            {
                while (node >= 0) node = x[t.Feature[node]] <= t.Threshold[node] ? t.Left[node] : t.Right[node];
                s += t.Weight * t.Leaf[~node];
            }
            while (next < counts.Count && counts[next] == k + 1) result[next++] = s;
        }
        while (next < counts.Count) result[next++] = s;
    }

    public override void Contributions(ReadOnlySpan<float> x, Span<double> slots) => RawAndContributions(x, slots);

    /// <summary>Each tree walked once: the leaf adds to the raw score (in <see cref="Raw"/>'s order), each step on the path to its slot.</summary>
    public override double RawAndContributions(ReadOnlySpan<float> x, Span<double> slots)
    {
        var (nodes, roots, leaves) = Compiled;
        var s = Bias;
        for (var k = 0; k < roots.Length; k++)
        {
            var node = roots[k];
            while (node >= 0)
            {
                ref readonly var n = ref nodes[node];
                if (x[n.Feature] <= n.Threshold) { slots[n.Feature] += n.DeltaLeft; node = n.Left; }
                else { slots[n.Feature] += n.DeltaRight; node = n.Right; }
            }
            s += leaves[~node];
        }
        return s;
    }

    /// <summary>Unweighted mean of the leaves under each internal node (the tree keeps no training counts).</summary>
    private static double[] Means(Tree t)
    {
        if (t.NodeMean is { } m) return m;
        if (t.Left.Length == 0) return t.NodeMean = [t.Leaf[0]];
        var means = new double[t.Left.Length];
        (double Sum, int N) Walk(int node)
        {
            if (node < 0) return (t.Leaf[~node], 1);
            var (ls, ln) = Walk(t.Left[node]);
            var (rs, rn) = Walk(t.Right[node]);
            means[node] = (ls + rs) / (ln + rn);
            return (ls + rs, ln + rn);
        }
        Walk(0);
        return t.NodeMean = means;
    }
}

/// <summary>Logistic regression on standardized features: raw = bias + Σ w·(x − mean)/scale.</summary>
public sealed class LinearModel : ScoringModel
{
    public required float[] Weights { get; init; }
    public required float[] Means { get; init; }
    public required float[] Scales { get; init; }
    public double Bias { get; init; }

    public override double Baseline => Bias;

    public override double Raw(ReadOnlySpan<float> x)
    {
        var s = Bias;
        for (var i = 0; i < Weights.Length; i++) s += Weights[i] * ((x[i] - Means[i]) / Scales[i]);
        return s;
    }

    public override void Contributions(ReadOnlySpan<float> x, Span<double> slots) => RawAndContributions(x, slots);

    public override double RawAndContributions(ReadOnlySpan<float> x, Span<double> slots)
    {
        var s = Bias;
        for (var i = 0; i < Weights.Length; i++)
        {
            // The same float expression as Raw, so both give the same bits.
            var term = Weights[i] * ((x[i] - Means[i]) / Scales[i]);
            s += term;
            slots[i] += term;
        }
        return s;
    }
}

/// <summary>A weighted sum of raw scores (e.g. a logistic baseline and boosted trees); contributions add up the same way.</summary>
public sealed class BlendModel : ScoringModel
{
    public required IReadOnlyList<ScoringModel> Parts { get; init; }
    public required double[] Weights { get; init; }

    public override double Baseline => Parts.Select((p, i) => Weights[i] * p.Baseline).Sum();

    public override double Raw(ReadOnlySpan<float> x)
    {
        var s = 0.0;
        for (var i = 0; i < Parts.Count; i++) s += Weights[i] * Parts[i].Raw(x);
        return s;
    }

    public override void Contributions(ReadOnlySpan<float> x, Span<double> slots) => RawAndContributions(x, slots);

    public override double RawAndContributions(ReadOnlySpan<float> x, Span<double> slots)
    {
        var s = 0.0;
        var rented = System.Buffers.ArrayPool<double>.Shared.Rent(slots.Length);
        try
        {
            var part = rented.AsSpan(0, slots.Length);
            for (var i = 0; i < Parts.Count; i++)
            {
                part.Clear();
                s += Weights[i] * Parts[i].RawAndContributions(x, part);
                for (var j = 0; j < slots.Length; j++) slots[j] += Weights[i] * part[j];
            }
        }
        finally { System.Buffers.ArrayPool<double>.Shared.Return(rented); }
        return s;
    }
}
