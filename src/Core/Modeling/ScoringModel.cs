using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    public void Contributions(ReadOnlySpan<float> x, Span<double> slots) => RawAndContributions(x, slots);

    /// <summary>The raw score of a "typical" lead that the contributions are measured from.</summary>
    public abstract double Baseline { get; }

    /// <summary>
    /// <see cref="Raw"/> and the contributions in one pass over the model (an explained prediction walks each tree
    /// once, not twice): adds <paramref name="scale"/> × each slot's contribution to <paramref name="slots"/> (a blend
    /// passes its weight, so its parts need no buffer of their own) and returns exactly what <see cref="Raw"/> returns.
    /// </summary>
    public abstract double RawAndContributions(ReadOnlySpan<float> x, Span<double> slots, double scale = 1);
}

/// <summary>Boosted regression trees (FastTree or LightGBM); attribution by path (Saabas) with subtree means.</summary>
public sealed class TreeEnsembleModel : ScoringModel
{
    public sealed record Tree(int[] Left, int[] Right, int[] Feature, float[] Threshold, double[] Leaf, double Weight)
    {
        [JsonIgnore] internal double[]? NodeMean { get; set; }
    }

    public required IReadOnlyList<Tree> Trees { get => _trees; init => _trees = Checked(value); }
    public double Bias { get; init; }
    private readonly Tree[] _trees = [];
    private double? _baseline;

    public override double Baseline => _baseline ??= Bias + Trees.Sum(t => t.Weight * Means(t)[0]);

    /// <summary>
    /// Trees as a bundle may hold them, checked before anything walks them (a walk reads without bounds checks, and
    /// subtree means recurse): only children inside their tree, internal children after their parent (so no cycles),
    /// arrays of matching lengths and non-negative features.
    /// </summary>
    private static Tree[] Checked(IReadOnlyList<Tree> trees)
    {
        for (var k = 0; k < trees.Count; k++)
        {
            var t = trees[k];
            var internals = t.Left.Length;
            if (t.Right.Length != internals || t.Feature.Length != internals || t.Threshold.Length != internals || t.Leaf.Length != internals + 1)
                throw new InvalidDataException($"tree {k}: {internals} left, {t.Right.Length} right, {t.Feature.Length} features, " +
                                               $"{t.Threshold.Length} thresholds and {t.Leaf.Length} leaves do not make a binary tree");
            for (var i = 0; i < internals; i++)
            {
                foreach (var child in (ReadOnlySpan<int>)[t.Left[i], t.Right[i]])
                    if (child >= 0 ? child <= i || child >= internals : ~child >= t.Leaf.Length)
                        throw new InvalidDataException($"tree {k}: node {i} has child {child}, outside the tree or before its parent");
                if (t.Feature[i] < 0) throw new InvalidDataException($"tree {k}: node {i} splits on feature {t.Feature[i]}");
            }
        }
        return [.. trees];
    }

    public override double Raw(ReadOnlySpan<float> x)
    {
        var none = new NoContributions();
        return Walk(x, ref none);
    }

    /// <summary>
    /// The trees over one or two features are read from their <see cref="TreeTables"/>; the others are walked, four in
    /// lockstep without branches: four independent chains of loads keep the CPU busy where one tree's walk would wait on
    /// each load, and no split can be mispredicted. A tree that reached its leaf stays there. Each contribution goes to
    /// <paramref name="sink"/> (a struct, so the scoring-only walk compiles without it).
    /// </summary>
    private double Walk<TSink>(ReadOnlySpan<float> x, ref TSink sink) where TSink : IContributionSink, allows ref struct
    {
        var f = Compiled;
        // Every index below is checked once here or when the trees were compiled, so the walk reads without bounds checks.
        if (x.Length <= f.MaxFeature) throw new ArgumentException($"the trees read feature {f.MaxFeature}; the vector has {x.Length}", nameof(x));
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(f.Nodes);
        ref var xs = ref MemoryMarshal.GetReference(x);
        var (roots, value) = (f.Roots, f.Value);
        var s = f.Tables.Add(x, Bias, ref sink);
        var k = 0;
        for (; k + Lanes <= roots.Length; k += Lanes)
        {
            int a = roots[k], b = roots[k + 1], c = roots[k + 2], d = roots[k + 3];
            for (var step = f.GroupDepth[k / Lanes]; step > 0; step--)
            {
                ref readonly var na = ref Unsafe.Add(ref nodes, a);
                ref readonly var nb = ref Unsafe.Add(ref nodes, b);
                ref readonly var nc = ref Unsafe.Add(ref nodes, c);
                ref readonly var nd = ref Unsafe.Add(ref nodes, d);
                int ga = GoesRight(Unsafe.Add(ref xs, na.Feature), na.Threshold), gb = GoesRight(Unsafe.Add(ref xs, nb.Feature), nb.Threshold),
                    gc = GoesRight(Unsafe.Add(ref xs, nc.Feature), nc.Threshold), gd = GoesRight(Unsafe.Add(ref xs, nd.Feature), nd.Threshold);
                sink.Step(na, ga);
                sink.Step(nb, gb);
                sink.Step(nc, gc);
                sink.Step(nd, gd);
                (a, b, c, d) = (na.ChildAt(ga), nb.ChildAt(gb), nc.ChildAt(gc), nd.ChildAt(gd));
            }
            // Added in tree order, as ML.NET does (after the tables, which sum the other trees in another order).
            s += value[a]; s += value[b]; s += value[c]; s += value[d];
        }
        for (; k < roots.Length; k++)
        {
            var a = roots[k];
            for (var step = f.Depth[k]; step > 0; step--)
            {
                ref readonly var na = ref Unsafe.Add(ref nodes, a);
                var ga = GoesRight(Unsafe.Add(ref xs, na.Feature), na.Threshold);
                sink.Step(na, ga);
                a = na.ChildAt(ga);
            }
            s += value[a];
        }
        return s;
    }

    /// <summary>Where a walk's contributions go: a step of a walked tree, or a table cell's contribution to a feature.</summary>
    internal interface IContributionSink
    {
        void Step(in FlatNode node, int side);
        void Add(int slot, double contribution);
    }

    private readonly struct NoContributions : IContributionSink
    {
        public void Step(in FlatNode node, int side) { }
        public void Add(int slot, double contribution) { }
    }

    /// <summary>Adds scale × each contribution to its feature's slot.</summary>
    private readonly ref struct SlotContributions(Span<double> slots, double scale) : IContributionSink
    {
        private readonly Span<double> _slots = slots;
        // The slots were checked against the largest feature index before the walk.
        public void Step(in FlatNode node, int side) =>
            Unsafe.Add(ref MemoryMarshal.GetReference(_slots), node.Feature) += scale * node.DeltaAt(side);
        public void Add(int slot, double contribution) =>
            Unsafe.Add(ref MemoryMarshal.GetReference(_slots), slot) += scale * contribution;
    }

    private const int Lanes = 4;

    /// <summary>
    /// Every tree's nodes, leaves included, in one array of small structs (a node's split, children and both path
    /// contributions in half a cache line); a leaf is a node whose children are itself. Leaves carry their value already
    /// multiplied by the tree weight. Built once from <see cref="Trees"/>, after the trees that fit in
    /// <see cref="TreeTables"/> have gone there.
    /// </summary>
    private FlatTrees Compiled => _compiled ??= Compile();
    internal TreeTables Tables => Compiled.Tables;
    private FlatTrees? _compiled;

    private sealed record FlatTrees(FlatNode[] Nodes, int[] Roots, double[] Value, int[] Depth, int[] GroupDepth, int MaxFeature, TreeTables Tables);

    internal readonly struct FlatNode(int feature, float threshold, int left, int right, double deltaLeft, double deltaRight)
    {
        public readonly int Feature = feature;
        public readonly float Threshold = threshold;
        /// <summary>Left then right child, indexed by <see cref="GoesRight"/>.</summary>
        public readonly Pair<int> Child = new(left, right);
        /// <summary>What taking each branch adds to the split feature's contribution (weight × change of subtree mean).</summary>
        public readonly Pair<double> Delta = new(deltaLeft, deltaRight);

        /// <summary>The child on <paramref name="side"/> (0 or 1, as <see cref="GoesRight"/> gives it), read without a bounds check.</summary>
        public int ChildAt(int side) => Unsafe.Add(ref Unsafe.As<Pair<int>, int>(ref Unsafe.AsRef(in Child)), side);
        public double DeltaAt(int side) => Unsafe.Add(ref Unsafe.As<Pair<double>, double>(ref Unsafe.AsRef(in Delta)), side);
    }

    [System.Runtime.CompilerServices.InlineArray(2)]
    internal struct Pair<T> where T : struct
    {
        private T _first;
        public Pair(T left, T right) { this[0] = left; this[1] = right; }
    }

    /// <summary>0 to go left, 1 to go right, without a branch. Only <c>x &lt;= threshold</c> goes left (NaN goes right), as in ML.NET.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static int GoesRight(float x, float threshold) => System.Runtime.CompilerServices.Unsafe.BitCast<bool, byte>(!(x <= threshold));

    /// <summary>False walks every tree (no <see cref="TreeTables"/>): the plain walk that tests hold the tables to.</summary>
    [JsonIgnore] internal bool UseTables { get; init; } = true;

    private FlatTrees Compile()
    {
        var walked = new List<int>();
        var tables = UseTables ? TreeTables.Build(_trees, Means, walked) : TreeTables.Empty;
        if (!UseTables) walked.AddRange(Enumerable.Range(0, _trees.Length));
        var nodes = new List<FlatNode>();
        var value = new List<double>();
        var roots = new int[walked.Count];
        var depth = new int[walked.Count];
        var maxFeature = _trees.SelectMany(t => t.Feature).DefaultIfEmpty(0).Max();
        for (var k = 0; k < walked.Count; k++)
        {
            var t = _trees[walked[k]];
            var means = Means(t);
            var internals = t.Left.Length;
            var nodeBase = nodes.Count;
            // Internal node i is nodeBase + i, leaf j is nodeBase + internals + j.
            int Global(int child) => child >= 0 ? nodeBase + child : nodeBase + internals + ~child;
            double Mean(int child) => child >= 0 ? means[child] : t.Leaf[~child];
            for (var i = 0; i < internals; i++)
            {
                nodes.Add(new FlatNode(t.Feature[i], t.Threshold[i], Global(t.Left[i]), Global(t.Right[i]),
                    t.Weight * (Mean(t.Left[i]) - means[i]), t.Weight * (Mean(t.Right[i]) - means[i])));
                value.Add(0);
            }
            for (var j = 0; j < t.Leaf.Length; j++)
            {
                var self = nodes.Count;
                // Every x (NaN too) leads from a leaf back to itself, adding nothing to any contribution.
                nodes.Add(new FlatNode(0, float.PositiveInfinity, self, self, 0, 0));
                value.Add(t.Weight * t.Leaf[j]);
            }
            roots[k] = nodeBase;
            int Depth(int node) => node < 0 ? 0 : 1 + Math.Max(Depth(t.Left[node]), Depth(t.Right[node]));
            depth[k] = internals == 0 ? 0 : Depth(0);
        }
        var groups = new int[walked.Count / Lanes];
        for (var g = 0; g < groups.Length; g++) groups[g] = depth.Skip(g * Lanes).Take(Lanes).Max();
        return new FlatTrees([.. nodes], roots, [.. value], depth, groups, maxFeature, tables);
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

    /// <summary>Like <see cref="Raw"/> (four trees in lockstep), adding each step's path contribution to its split feature's slot.</summary>
    public override double RawAndContributions(ReadOnlySpan<float> x, Span<double> slots, double scale = 1)
    {
        if (slots.Length <= Compiled.MaxFeature) throw new ArgumentException($"the trees read feature {Compiled.MaxFeature}; there are {slots.Length} slots", nameof(slots));
        var sink = new SlotContributions(slots, scale);
        return Walk(x, ref sink);
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

    public override double Raw(ReadOnlySpan<float> x) => RawAndContributions(x, default, 0, contributions: false);

    public override double RawAndContributions(ReadOnlySpan<float> x, Span<double> slots, double scale = 1) =>
        RawAndContributions(x, slots, scale, contributions: true);

    /// <summary>
    /// Each slot's term <c>w·(x − mean)/scale</c> (in single precision, as ML.NET computes it) added up in double
    /// precision in four running sums, in a fixed order, so scoring with and without contributions gives the same bits.
    /// </summary>
    private double RawAndContributions(ReadOnlySpan<float> x, Span<double> slots, double scale, bool contributions)
    {
        ReadOnlySpan<float> w = Weights, m = Means, sc = Scales;
        var n = w.Length;
        if (x.Length < n || m.Length < n || sc.Length < n) throw new ArgumentException($"the model reads {n} features; the vector has {x.Length}", nameof(x));
        if (contributions && slots.Length < n) throw new ArgumentException($"the model has {n} slots; there are {slots.Length}", nameof(slots));
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var i = 0;
        for (; i + 4 <= n; i += 4)
        {
            float t0 = w[i] * ((x[i] - m[i]) / sc[i]), t1 = w[i + 1] * ((x[i + 1] - m[i + 1]) / sc[i + 1]),
                  t2 = w[i + 2] * ((x[i + 2] - m[i + 2]) / sc[i + 2]), t3 = w[i + 3] * ((x[i + 3] - m[i + 3]) / sc[i + 3]);
            (s0, s1, s2, s3) = (s0 + t0, s1 + t1, s2 + t2, s3 + t3);
            if (contributions)
            {
                slots[i] += scale * t0;
                slots[i + 1] += scale * t1;
                slots[i + 2] += scale * t2;
                slots[i + 3] += scale * t3;
            }
        }
        for (; i < n; i++)
        {
            var t = w[i] * ((x[i] - m[i]) / sc[i]);
            s0 += t;
            if (contributions) slots[i] += scale * t;
        }
        return Bias + ((s0 + s1) + (s2 + s3));
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

    public override double RawAndContributions(ReadOnlySpan<float> x, Span<double> slots, double scale = 1)
    {
        var s = 0.0;
        for (var i = 0; i < Parts.Count; i++) s += Weights[i] * Parts[i].RawAndContributions(x, slots, scale * Weights[i]);
        return s;
    }
}
