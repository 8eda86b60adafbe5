using LeadPropensity.Core.Evaluation;
using Microsoft.ML;

namespace LeadPropensity.Core.Modeling;

/// <summary>A candidate's cross-validated score.</summary>
public sealed record CandidateResult(string Candidate, double OutOfFoldLogLoss, double OutOfFoldAuc, double Seconds);

public sealed record CalibrationChoice(string Method, double PlattLogLoss, double IsotonicLogLoss, string Why);

/// <summary>Permutation importance of one business field on the test set.</summary>
public sealed record FieldImportance(string Field, double AucDrop, double LogLossIncrease);

public sealed record LeakFlag(string Field, double Auc, string Reason);

/// <summary>Everything a training run produced, before it is written as a bundle.</summary>
public sealed class TrainedModel
{
    public required FeaturePlan Plan { get; init; }
    public required ScoringModel Scoring { get; init; }
    public required Calibrator Calibrator { get; init; }
    public required ITransformer MlModel { get; init; }
    public required MLContext Ml { get; init; }
    public required int Seed { get; init; }
    public required Candidate Chosen { get; init; }
    public required IReadOnlyList<CandidateResult> CrossValidation { get; init; }
    public required CalibrationChoice Calibration { get; init; }
    public required MetricSummary Test { get; init; }
    public required double[] TestProbabilities { get; init; }
    public required bool[] TestLabels { get; init; }
    public required IReadOnlyList<FieldImportance> Importance { get; init; }
    public required IReadOnlyList<LeakFlag> Leaks { get; init; }
    public required string SplitMethod { get; init; }
    public required LeadDataset Train { get; init; }
    public required LeadDataset TestSet { get; init; }
    /// <summary>Encoded test vectors with ML.NET's raw scores: the bundle's integrity check.</summary>
    public required IReadOnlyList<(float[] X, double Raw)> Checks { get; init; }

    public double Probability(ReadOnlySpan<float> x) => Calibrator.Probability(Scoring.Raw(x));
}

/// <summary>
/// Featurize → select a trainer by 5-fold CV → calibrate on out-of-fold scores → fit on the whole training part
/// → judge once on the held-out test part. Nothing here knows a lead field: the schema says everything.
/// </summary>
public static class ModelTrainer
{
    /// <param name="testData">An explicit test set (e.g. to compare with other tools on the same split); otherwise split from <paramref name="data"/>.</param>
    public static TrainedModel Train(LeadDataset data, TrainingOptions o, ITrainingProgress? progress = null, LeadDataset? testData = null)
    {
        progress ??= NoProgress.Instance;
        CheckMinimumData(data, o);
        var ml = new MLContext(seed: o.Seed);
        LeadDataset train, test;
        string method;
        if (testData is null)
        {
            (var trainIdx, var testIdx, method) = DataSplit.TrainTest(data.Labels, data.Times, o.TestShare, o.Seed);
            train = data.Subset(trainIdx);
            test = data.Subset(testIdx);
        }
        else
        {
            (train, test, method) = (data, testData, "explicit test file");
            if (!testData.Fields.SequenceEqual(data.Fields)) throw new TrainingException("the test file's schema fields differ from the training file's");
        }
        CheckMinimumData(train, o, "the training part");
        if (test.Count == 0) throw new TrainingException("the test part is empty");

        var plan = FeaturePlan.Fit(data.Schema, train.Values, o.Features);
        var width = plan.Width;
        var xTrain = Encode(plan, train);
        var xTest = Encode(plan, test);
        var yTrain = train.Labels;

        var leaks = LeakGuard.Check(plan, xTrain, yTrain, train, o.LeakAuc);
        if (o.FailOnLeak && leaks.Count > 0)
            throw new TrainingException("likely post-outcome leak (--strict): " + string.Join("; ", leaks.Select(l => $"{l.Field}: {l.Reason}")) +
                                        ". Mark the field \"availableAtScoring\": false in the schema, or drop it.");

        // Model selection by out-of-fold log loss (after a Platt fit on the out-of-fold scores).
        var grid = Candidate.Grid(o.Trainer);
        var folds = DataSplit.Folds(yTrain, o.Folds, o.Seed);
        progress.Stage("cross-validation", grid.Count * o.Folds);
        var results = new List<CandidateResult>();
        double[]? bestOof = null; Candidate? best = null; var bestLoss = double.PositiveInfinity;
        foreach (var c in grid)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var oof = new double[xTrain.Length];
            for (var k = 0; k < o.Folds; k++)
            {
                var tr = Enumerable.Range(0, xTrain.Length).Where(i => folds[i] != k).ToArray();
                var (_, scoring) = CandidateFitter.Fit(ml, c, tr.Select(i => xTrain[i]).ToList(), tr.Select(i => yTrain[i]).ToList(), width, o.Seed);
                for (var i = 0; i < xTrain.Length; i++) if (folds[i] == k) oof[i] = scoring.Raw(xTrain[i]);
                progress.Advance("cross-validation");
            }
            var platt = PlattCalibrator.Fit(oof, yTrain);
            var loss = Metrics.LogLoss(oof.Select(platt.Probability).ToArray(), yTrain.ToArray());
            results.Add(new CandidateResult(c.Describe(), loss, Metrics.RocAuc(oof, yTrain.ToArray()), Math.Round(watch.Elapsed.TotalSeconds, 2)));
            if (loss < bestLoss) { bestLoss = loss; best = c; bestOof = oof; }
        }

        progress.Stage("calibration", 2);
        var calibration = ChooseCalibration(bestOof!, yTrain, folds, o.Folds);
        Calibrator calibrator = calibration.Method == "isotonic" ? IsotonicCalibrator.Fit(bestOof!, yTrain) : PlattCalibrator.Fit(bestOof!, yTrain);
        progress.Advance("calibration");

        var (mlModel, final) = CandidateFitter.Fit(ml, best!, xTrain, yTrain, width, o.Seed);
        progress.Advance("calibration");

        progress.Stage("evaluation", plan.Encoders.Count + 1);
        var checkRows = xTest.Take(32).ToList();
        var mlScores = CandidateFitter.MlNetScores(ml, mlModel, checkRows, width, final);
        for (var i = 0; i < checkRows.Count; i++)
        {
            var mine = final.Raw(checkRows[i]);
            if (Math.Abs(mine - mlScores[i]) > 1e-3 * Math.Max(1, Math.Abs(mlScores[i])))
                throw new InvalidOperationException($"internal check failed: the scorable model gives {mine} where ML.NET gives {mlScores[i]}");
        }
        var pTest = xTest.Select(x => calibrator.Probability(final.Raw(x))).ToArray();
        var yTest = test.Labels.ToArray();
        var summary = Metrics.Summarize(pTest, yTest);
        progress.Advance("evaluation");
        var importance = PermutationImportance(plan, final, calibrator, xTest, yTest, summary, o.Seed, () => progress.Advance("evaluation"));

        return new TrainedModel
        {
            Plan = plan, Scoring = final, Calibrator = calibrator, MlModel = mlModel, Ml = ml, Seed = o.Seed, Chosen = best!, CrossValidation = results,
            Calibration = calibration, Test = summary, TestProbabilities = pTest, TestLabels = yTest, Importance = importance, Leaks = leaks,
            SplitMethod = method, Train = train, TestSet = test,
            Checks = checkRows.Select((x, i) => (x, mlScores[i])).ToList(),
        };
    }

    public static float[][] Encode(FeaturePlan plan, LeadDataset d)
    {
        var x = new float[d.Count][];
        var problems = new List<FieldProblem>();
        for (var i = 0; i < d.Count; i++)
        {
            x[i] = new float[plan.Width];
            problems.Clear();
            if (!plan.Encode(d.Values[i], x[i], problems))
            {
                // A bad value becomes "missing" for training; the row is kept (its other fields are informative).
                var v = (string?[])d.Values[i].Clone();
                foreach (var p in problems) v[Array.IndexOf(d.Fields, p.Field)] = null;
                plan.Encode(v, x[i]);
            }
        }
        return x;
    }

    private static void CheckMinimumData(LeadDataset d, TrainingOptions o, string what = "the data")
    {
        var pos = d.Positives; var neg = d.Count - pos;
        if (pos < o.MinPerClass || neg < o.MinPerClass)
            throw new TrainingException($"{what} has {pos} positive and {neg} negative examples; at least {o.MinPerClass} of each are needed to learn and judge a model.");
    }

    /// <summary>Platt vs isotonic, each fitted on half the folds and judged on the other half (and vice versa).</summary>
    private static CalibrationChoice ChooseCalibration(double[] oof, IReadOnlyList<bool> y, int[] folds, int k)
    {
        double platt = 0, iso = 0;
        foreach (var firstHalf in new[] { true, false })
        {
            var fit = Enumerable.Range(0, oof.Length).Where(i => (folds[i] < k / 2) == firstHalf).ToArray();
            var eval = Enumerable.Range(0, oof.Length).Where(i => (folds[i] < k / 2) != firstHalf).ToArray();
            var rf = fit.Select(i => oof[i]).ToList(); var yf = fit.Select(i => y[i]).ToList();
            var ye = eval.Select(i => y[i]).ToArray();
            var p = PlattCalibrator.Fit(rf, yf); var s = IsotonicCalibrator.Fit(rf, yf);
            platt += Metrics.LogLoss(eval.Select(i => p.Probability(oof[i])).ToArray(), ye) / 2;
            iso += Metrics.LogLoss(eval.Select(i => s.Probability(oof[i])).ToArray(), ye) / 2;
        }
        var method = iso < platt ? "isotonic" : "platt";
        var why = $"cross-fitted log loss on out-of-fold scores: Platt {platt:F5}, isotonic {iso:F5}; {method} is lower";
        return new CalibrationChoice(method, platt, iso, why);
    }

    private static List<FieldImportance> PermutationImportance(FeaturePlan plan, ScoringModel model, Calibrator cal, float[][] x, bool[] y, MetricSummary baseline, int seed, Action tick)
    {
        var offsets = plan.Offsets();
        var rng = new Random(seed + 7);
        var perm = Enumerable.Range(0, x.Length).OrderBy(_ => rng.Next()).ToArray();
        var result = new List<FieldImportance>();
        var buffer = new float[plan.Width];
        var p = new double[x.Length];
        for (var f = 0; f < plan.Encoders.Count; f++)
        {
            for (var i = 0; i < x.Length; i++)
            {
                x[i].CopyTo(buffer, 0);
                Array.Copy(x[perm[i]], offsets[f], buffer, offsets[f], offsets[f + 1] - offsets[f]);
                p[i] = cal.Probability(model.Raw(buffer));
            }
            result.Add(new FieldImportance(plan.Encoders[f].Field, baseline.RocAuc - Metrics.RocAuc(p, y), Metrics.LogLoss(p, y) - baseline.LogLoss));
            tick();
        }
        return result.OrderByDescending(r => r.LogLossIncrease).ToList();
    }
}
