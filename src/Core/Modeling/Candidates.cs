using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace LeadPropensity.Core.Modeling;

public enum TrainerKind { FastTree, LightGbm, Logistic }

/// <summary>One trainer with its hyper-parameters: a point of the model-selection grid.</summary>
public sealed record Candidate(TrainerKind Kind, int Trees = 0, int Leaves = 0, double LearningRate = 0, int MinLeaf = 0, double L2 = 0)
{
    public string Describe() => Kind == TrainerKind.Logistic
        ? $"logistic(l2={L2})"
        : $"{Kind.ToString().ToLowerInvariant()}(trees={Trees}, leaves={Leaves}, lr={LearningRate}, minLeaf={MinLeaf})";

    public Dictionary<string, double> HyperParameters() => Kind == TrainerKind.Logistic
        ? new() { ["l2"] = L2 }
        : new() { ["trees"] = Trees, ["leaves"] = Leaves, ["learningRate"] = LearningRate, ["minExamplesPerLeaf"] = MinLeaf };

    /// <summary>The small grid searched by cross-validation: a few sensible points per trainer.</summary>
    public static IReadOnlyList<Candidate> Grid(TrainerKind? only) =>
    [
        .. new[]
        {
            new Candidate(TrainerKind.FastTree, 300, 8, 0.05, 80),
            new Candidate(TrainerKind.LightGbm, 300, 8, 0.05, 80),
            new Candidate(TrainerKind.LightGbm, 800, 3, 0.05, 50),
            // Larger trees, few examples per leaf (like HistGradientBoosting's defaults); the tree-count prefixes stop it early.
            new Candidate(TrainerKind.LightGbm, 200, 31, 0.05, 20),
            new Candidate(TrainerKind.Logistic, L2: 40),
            new Candidate(TrainerKind.Logistic, L2: 300),
        }.Where(c => only is null || c.Kind == only),
    ];
}

/// <summary>Fits ML.NET trainers on encoded feature vectors and reads the result out as a <see cref="ScoringModel"/>.</summary>
public static class CandidateFitter
{
    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    public static IDataView ToDataView(MLContext ml, IReadOnlyList<float[]> x, IReadOnlyList<bool> y, int width)
    {
        var sd = SchemaDefinition.Create(typeof(Row));
        sd[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var rows = x.Select((f, i) => new Row { Features = f, Label = y[i] }).ToList();
        return ml.Data.LoadFromEnumerable(rows, sd);
    }

    /// <summary>The thread counts the product fits tree candidates with (when <see cref="Fit"/> is given no <c>threads</c>).</summary>
    public const int FastTreeThreads = 2, LightGbmThreads = 1;

    /// <summary>Fits the candidate; returns the ML.NET model (for model.zip) and its directly-scorable form.</summary>
    /// <param name="threads">
    /// Overrides the tree trainers' thread count (benchmarks only); null keeps the product's settings,
    /// <see cref="FastTreeThreads"/> and <see cref="LightGbmThreads"/>. Logistic regression always uses one thread.
    /// </param>
    public static (ITransformer Model, ScoringModel Scoring) Fit(MLContext ml, Candidate c, IReadOnlyList<float[]> x, IReadOnlyList<bool> y, int width, int seed, int? threads = null)
    {
        if (c.Kind == TrainerKind.Logistic) return FitLogistic(ml, c, x, y, width);
        var data = ToDataView(ml, x, y, width);
        if (c.Kind == TrainerKind.FastTree)
        {
            var t = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = c.Trees, NumberOfLeaves = c.Leaves, LearningRate = c.LearningRate, MinimumExampleCountPerLeaf = c.MinLeaf,
                Seed = seed, FeatureFractionPerSplit = 1, NumberOfThreads = threads ?? FastTreeThreads,
            });
            var model = t.Fit(data);
            return (model, FromEnsemble(model.Model.SubModel.TrainedTreeEnsemble));
        }
        var l = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            NumberOfIterations = c.Trees, NumberOfLeaves = c.Leaves, LearningRate = c.LearningRate, MinimumExampleCountPerLeaf = c.MinLeaf,
            // One thread: LightGBM's OpenMP workers spin when cores are shared, which made training many times slower here.
            Seed = seed, NumberOfThreads = threads ?? LightGbmThreads, Verbose = false, Silent = true,
        });
        var lm = l.Fit(data);
        return (lm, FromEnsemble(lm.Model.SubModel.TrainedTreeEnsemble));
    }

    internal static TreeEnsembleModel FromEnsemble(RegressionTreeEnsemble e) => new()
    {
        Bias = e.Bias,
        Trees = e.Trees.Select((t, i) => new TreeEnsembleModel.Tree(
            [.. t.LeftChild], [.. t.RightChild], [.. t.NumericalSplitFeatureIndexes], [.. t.NumericalSplitThresholds], [.. t.LeafValues],
            e.TreeWeights[i])).ToList(),
    };

    private static (ITransformer, ScoringModel) FitLogistic(MLContext ml, Candidate c, IReadOnlyList<float[]> x, IReadOnlyList<bool> y, int width)
    {
        // Standardize here (not with an ML.NET normalizer) so the scorable form and the contributions are exact.
        var means = new float[width]; var scales = new float[width];
        for (var j = 0; j < width; j++)
        {
            double s = 0, ss = 0;
            foreach (var r in x) { s += r[j]; ss += (double)r[j] * r[j]; }
            var m = s / x.Count;
            var sd = Math.Sqrt(Math.Max(ss / x.Count - m * m, 0));
            means[j] = (float)m; scales[j] = sd < 1e-9 ? 1 : (float)sd;
        }
        var z = x.Select(r => r.Select((v, j) => (v - means[j]) / scales[j]).ToArray()).ToList();
        var data = ToDataView(ml, z, y, width);
        var t = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            L2Regularization = (float)c.L2, L1Regularization = 0, NumberOfThreads = 1,
        });
        var model = t.Fit(data);
        var p = model.Model.SubModel;
        return (model, new LinearModel { Weights = [.. p.Weights], Bias = p.Bias, Means = means, Scales = scales });
    }

    /// <summary>ML.NET's own raw scores, used to prove the scorable form agrees with model.zip.</summary>
    public static double[] MlNetScores(MLContext ml, ITransformer model, IReadOnlyList<float[]> x, int width, ScoringModel scoring)
    {
        var input = scoring is LinearModel lin
            ? x.Select(r => r.Select((v, j) => (v - lin.Means[j]) / lin.Scales[j]).ToArray()).ToList()
            : x;
        var data = ToDataView(ml, input, new bool[x.Count], width);
        return model.Transform(data).GetColumn<float>("Score").Select(s => (double)s).ToArray();
    }
}

/// <summary>What training chose: one candidate, or a weighted blend of a linear and a tree candidate.</summary>
public sealed record ModelChoice(IReadOnlyList<Candidate> Parts, IReadOnlyList<double> Weights)
{
    public static ModelChoice Single(Candidate c) => new([c], [1.0]);

    public bool IsBlend => Parts.Count > 1;

    public string Name => IsBlend ? "blend" : Parts[0].Kind.ToString().ToLowerInvariant();

    public string Describe() => IsBlend
        ? "blend(" + string.Join(" + ", Parts.Select((p, i) => $"{Weights[i]:0.##}×{p.Describe()}")) + ")"
        : Parts[0].Describe();

    public Dictionary<string, double> HyperParameters()
    {
        if (!IsBlend) return Parts[0].HyperParameters();
        var all = new Dictionary<string, double>();
        for (var i = 0; i < Parts.Count; i++)
        {
            all[$"part{i}.weight"] = Weights[i];
            foreach (var (k, v) in Parts[i].HyperParameters()) all[$"part{i}.{Parts[i].Kind.ToString().ToLowerInvariant()}.{k}"] = v;
        }
        return all;
    }
}
