using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeadPropensity.Core.Modeling;

/// <summary>
/// The trees of an ensemble that split on at most two features, folded into lookup tables. Trees over the same one or
/// two features add up to one piecewise-constant function of those features: a table with a cell per pair of intervals
/// between the thresholds they use, holding the trees' summed (weighted) leaf value and each feature's summed path
/// contribution for any lead in that cell. A lead is scored by placing each feature among its thresholds once and
/// reading one cell per table, instead of walking every tree (an ensemble of small trees has many trees per pair).
/// Trees over more features, or whose table would be too large, are left to the walk.
/// </summary>
internal sealed class TreeTables
{
    /// <summary>Most cells one table may have; a pair whose thresholds would need more is walked instead.</summary>
    public const int MaxCells = 1024;

    /// <summary>How many features are binned.</summary>
    private readonly int _binned;
    /// <summary>
    /// Every binned feature's thresholds, feature after feature (each ascending and distinct), with the vector index
    /// they are compared with and the bin they count into: a lead's bins are counted in one flat pass.
    /// </summary>
    private readonly float[] _thresholds;
    private readonly int[] _thresholdFeature, _thresholdBin;
    private readonly Table[] _tables;
    /// <summary>Per table and side, a row of <see cref="Table"/> offsets indexed by the feature's bin (see <see cref="Table"/>).</summary>
    private readonly int[] _map;
    private readonly Cell[] _cells;

    /// <summary>
    /// A table over features A and B (B = A for a one-feature table, with no B contribution). The cell of a lead is
    /// <c>Cells + _map[MapA + binA] + _map[MapB + binB]</c>, where a feature's bin is how many of all its thresholds it
    /// lies above (NaN above all, as it goes right at every split).
    /// </summary>
    private readonly record struct Table(int SlotA, int SlotB, int BinA, int BinB, int MapA, int MapB, int Cells);

    /// <summary>One cell: the trees' summed weighted leaf value and the path contributions to A and to B.</summary>
    private readonly record struct Cell(double Value, double A, double B);

    /// <summary>How many trees were folded into tables.</summary>
    public int TreeCount { get; }
    public int TableCount => _tables.Length;

    private TreeTables(int[] features, float[][] thresholds, Table[] tables, int[] map, Cell[] cells, int treeCount)
    {
        _binned = features.Length;
        _thresholds = [.. thresholds.SelectMany(t => t)];
        _thresholdFeature = [.. thresholds.SelectMany((t, i) => t.Select(_ => features[i]))];
        _thresholdBin = [.. thresholds.SelectMany((t, i) => t.Select(_ => i))];
        (_tables, _map, _cells, TreeCount) = (tables, map, cells, treeCount);
    }

    public static readonly TreeTables Empty = new([], [], [], [], [], 0);

    /// <summary>
    /// Folds the trees that fit into tables. <paramref name="walked"/> gets the indices of the others, in order.
    /// <paramref name="means"/> gives each tree's unweighted subtree means, from which path contributions are taken.
    /// </summary>
    public static TreeTables Build(IReadOnlyList<TreeEnsembleModel.Tree> trees, Func<TreeEnsembleModel.Tree, double[]> means, List<int> walked)
    {
        // Trees grouped by the features they split on (one or two), in tree order; a tree with no split (a constant) is
        // walked, which costs one add.
        var groups = new Dictionary<(int A, int B), List<int>>();
        var order = new List<(int A, int B)>();
        for (var k = 0; k < trees.Count; k++)
        {
            var features = trees[k].Feature.Distinct().Order().ToArray();
            if (features.Length is 0 or > 2) { walked.Add(k); continue; }
            var key = (features[0], features[^1]);
            if (!groups.TryGetValue(key, out var list)) { groups[key] = list = []; order.Add(key); }
            list.Add(k);
        }

        // Thresholds per feature over the tables kept; a pair whose cells would exceed the cap is walked.
        var local = new Dictionary<(int A, int B), (float[] A, float[] B)>();
        foreach (var key in order)
        {
            float[] Used(int feature) => [.. groups[key].SelectMany(k => trees[k].Feature.Zip(trees[k].Threshold))
                .Where(p => p.First == feature).Select(p => p.Second).Distinct().Order()];
            var (a, b) = (Used(key.A), key.B == key.A ? [] : Used(key.B));
            if ((a.Length + 1L) * (b.Length + 1L) > MaxCells) walked.AddRange(groups[key]);
            else local[key] = (a, b);
        }
        walked.Sort();
        if (local.Count == 0) return Empty;

        var binned = local.Keys.SelectMany(k => new[] { k.A, k.B }).Distinct().Order().ToArray();
        var binOf = binned.Select((f, i) => (f, i)).ToDictionary(p => p.f, p => p.i);
        var all = binned.Select(f => local.Where(l => l.Key.A == f).SelectMany(l => l.Value.A)
            .Concat(local.Where(l => l.Key.B == f && l.Key.B != l.Key.A).SelectMany(l => l.Value.B)).Distinct().Order().ToArray()).ToArray();

        var tables = new List<Table>();
        var map = new List<int>();
        var cells = new List<Cell>();
        var treeCount = 0;
        foreach (var key in order.Where(local.ContainsKey))
        {
            var (a, b) = local[key];
            var (ia, ib) = (binOf[key.A], binOf[key.B]);
            var stride = b.Length + 1;
            // A feature's bin among all its thresholds → its bin among this table's (those it lies above), pre-multiplied.
            var mapA = map.Count;
            for (var bin = 0; bin <= all[ia].Length; bin++) map.Add(stride * LocalBin(all[ia], bin, a));
            var mapB = map.Count;
            for (var bin = 0; bin <= all[ib].Length; bin++) map.Add(key.B == key.A ? 0 : LocalBin(all[ib], bin, b));
            tables.Add(new Table(key.A, key.B, ia, ib, mapA, mapB, cells.Count));
            for (var i = 0; i <= a.Length; i++)
                for (var j = 0; j < stride; j++)
                    cells.Add(CellOf(trees, groups[key], means, key.A, Inside(a, i), key.B, Inside(b, j)));
            treeCount += groups[key].Count;
        }
        return new TreeTables(binned, all, [.. tables], [.. map], [.. cells], treeCount);
    }

    /// <summary>How many of <paramref name="mine"/> lie at or below the <paramref name="bin"/>-th of <paramref name="all"/> (a lead in that bin is above them).</summary>
    private static int LocalBin(float[] all, int bin, float[] mine) => bin == 0 ? 0 : mine.Count(t => t <= all[bin - 1]);

    /// <summary>A value in interval <paramref name="bin"/> of ascending thresholds: at or below the first, between two, or NaN (above all).</summary>
    private static float Inside(float[] thresholds, int bin) => bin < thresholds.Length ? thresholds[bin] : float.NaN;

    /// <summary>The trees' summed weighted leaf value and path contributions to the two features, for a lead at (xa, xb).</summary>
    private static Cell CellOf(IReadOnlyList<TreeEnsembleModel.Tree> trees, List<int> group, Func<TreeEnsembleModel.Tree, double[]> means,
        int fa, float xa, int fb, float xb)
    {
        double value = 0, ca = 0, cb = 0;
        foreach (var k in group)
        {
            var t = trees[k];
            var m = means(t);
            double Mean(int node) => node >= 0 ? m[node] : t.Leaf[~node];
            var node = 0;
            while (node >= 0)
            {
                var f = t.Feature[node];
                var next = (f == fa ? xa : xb) <= t.Threshold[node] ? t.Left[node] : t.Right[node];
                var delta = t.Weight * (Mean(next) - m[node]);
                if (f == fa) ca += delta; else cb += delta;
                node = next;
            }
            value += t.Weight * t.Leaf[~node];
        }
        return new Cell(value, ca, cb);
    }

    /// <summary>Adds every table's cell for <paramref name="x"/> to <paramref name="s"/>, and its contributions through <paramref name="sink"/>.</summary>
    public double Add<TSink>(ReadOnlySpan<float> x, double s, ref TSink sink) where TSink : TreeEnsembleModel.IContributionSink, allows ref struct
    {
        if (_tables.Length == 0) return s;
        // Every index was checked when the tables were built, and x against the largest feature by the caller.
        Span<int> bins = _binned <= 512 ? stackalloc int[_binned] : new int[_binned];
        bins.Clear();
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var bin = ref MemoryMarshal.GetReference(bins);
        ref var feature = ref MemoryMarshal.GetArrayDataReference(_thresholdFeature);
        ref var binOf = ref MemoryMarshal.GetArrayDataReference(_thresholdBin);
        ref var thresholds = ref MemoryMarshal.GetArrayDataReference(_thresholds);
        // One flat pass, without a branch per feature: a feature's bin is how many of its thresholds it lies above.
        for (var t = 0; t < _thresholds.Length; t++)
            Unsafe.Add(ref bin, Unsafe.Add(ref binOf, t)) += TreeEnsembleModel.GoesRight(Unsafe.Add(ref xs, Unsafe.Add(ref feature, t)), Unsafe.Add(ref thresholds, t));
        ref var map = ref MemoryMarshal.GetArrayDataReference(_map);
        ref var cells = ref MemoryMarshal.GetArrayDataReference(_cells);
        // Two running sums, so that each add need not wait for the one before (they are added in a fixed order).
        double even = 0, odd = 0;
        var tables = _tables.AsSpan();
        for (var k = 0; k < tables.Length; k++)
        {
            ref readonly var table = ref tables[k];
            ref readonly var cell = ref Unsafe.Add(ref cells, table.Cells + Unsafe.Add(ref map, table.MapA + Unsafe.Add(ref bin, table.BinA))
                                                                     + Unsafe.Add(ref map, table.MapB + Unsafe.Add(ref bin, table.BinB)));
            if ((k & 1) == 0) even += cell.Value;
            else odd += cell.Value;
            sink.Add(table.SlotA, cell.A);
            sink.Add(table.SlotB, cell.B);
        }
        return s + (even + odd);
    }
}
