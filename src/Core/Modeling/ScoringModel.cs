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
        var s = Bias;
        // A plain array loop: the hot path of every prediction (an interface enumerator here cost measurably).
        var trees = _trees;
        for (var k = 0; k < trees.Length; k++)
        {
            var t = trees[k];
            var left = t.Left;
            if (left.Length == 0) { s += t.Weight * t.Leaf[0]; continue; }
            var (right, feature, threshold) = (t.Right, t.Feature, t.Threshold);
            var node = 0;
            while (node >= 0) node = x[feature[node]] <= threshold[node] ? left[node] : right[node];
            s += t.Weight * t.Leaf[~node];
        }
        return s;
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

    public override void Contributions(ReadOnlySpan<float> x, Span<double> slots)
    {
        foreach (var t in _trees)
        {
            if (t.Left.Length == 0) continue;
            var means = Means(t);
            var node = 0;
            var value = means[0];
            while (node >= 0)
            {
                var f = t.Feature[node];
                node = x[f] <= t.Threshold[node] ? t.Left[node] : t.Right[node];
                var next = node >= 0 ? means[node] : t.Leaf[~node];
                slots[f] += t.Weight * (next - value);
                value = next;
            }
        }
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

    public override void Contributions(ReadOnlySpan<float> x, Span<double> slots)
    {
        for (var i = 0; i < Weights.Length; i++) slots[i] += Weights[i] * ((x[i] - Means[i]) / Scales[i]);
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

    public override void Contributions(ReadOnlySpan<float> x, Span<double> slots)
    {
        var rented = System.Buffers.ArrayPool<double>.Shared.Rent(slots.Length);
        try
        {
            var part = rented.AsSpan(0, slots.Length);
            for (var i = 0; i < Parts.Count; i++)
            {
                part.Clear();
                Parts[i].Contributions(x, part);
                for (var j = 0; j < slots.Length; j++) slots[j] += Weights[i] * part[j];
            }
        }
        finally { System.Buffers.ArrayPool<double>.Shared.Return(rented); }
    }
}
