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
    /// <summary>The fitted ML.NET model of each part of <see cref="Chosen"/> (one unless it is a blend).</summary>
    public required IReadOnlyList<ITransformer> MlModels { get; init; }
    public required MLContext Ml { get; init; }
    public required int Seed { get; init; }
    public required ModelChoice Chosen { get; init; }
    public required IReadOnlyList<CandidateResult> CrossValidation { get; init; }
    public required CalibrationChoice Calibration { get; init; }
    public required MetricSummary Test { get; init; }
    public required double[] TestProbabilities { get; init; }
    public required bool[] TestLabels { get; init; }
    public required IReadOnlyList<FieldImportance> Importance { get; init; }
    public required IReadOnlyList<LeakFlag> Leaks { get; init; }
    /// <summary>Values that could not be read as their column's type ("line N: field: problem"); each was used as missing.</summary>
    public IReadOnlyList<string> UnreadableValues { get; init; } = [];
    public required string SplitMethod { get; init; }
    public required LeadDataset Train { get; init; }
    public required LeadDataset TestSet { get; init; }
    /// <summary>Rows of the data (and of an explicit test file) left out because their label means no outcome yet.</summary>
    public LeftOutRows? LeftOut { get; init; }
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
        var unreadable = new List<(long Line, string Field, string Problem)>();
        var xTrain = Encode(plan, train, unreadable);
        var xTest = Encode(plan, test, unreadable);
        if (o.FailOnUnreadable && unreadable.Count > 0)
            throw new TrainingException($"{unreadable.Count} values cannot be read as their column's type (--strict): " +
                                        string.Join("; ", unreadable.OrderBy(u => u.Line).Take(5).Select(u => $"line {u.Line}: {u.Field}: {u.Problem}")) +
                                        (unreadable.Count > 5 ? "; …" : "") + ". Without --strict they are read as missing.");
        var yTrain = train.Labels;
        var yTrainArray = yTrain.ToArray();

        var leaks = LeakGuard.Check(plan, xTrain, yTrain, train, o.LeakAuc);
        if (o.FailOnLeak && leaks.Count > 0)
            throw new TrainingException("likely post-outcome leak (--strict): " + string.Join("; ", leaks.Select(l => $"{l.Field}: {l.Reason}")) +
                                        ". Mark the field \"availableAtScoring\": false in the schema, or drop it.");

        // Model selection by out-of-fold log loss (after a Platt fit on the out-of-fold scores).
        var grid = Candidate.Grid(o.Trainer);
        var folds = DataSplit.Folds(yTrain, o.Folds, o.Seed);
        progress.Stage("cross-validation", grid.Count * o.Folds);
        var results = new List<CandidateResult>();
        var oofs = new List<(Candidate C, double[] Oof, double Loss)>();
        foreach (var c in grid)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            // Tree candidates are also judged at fewer trees (prefixes of the same boosted models): early stopping by CV.
            var counts = c.Kind == TrainerKind.Logistic ? [0] : TreeCounts(c.Trees);
            var oof = counts.Select(_ => new double[xTrain.Length]).ToArray();
            var prefix = new double[counts.Length];
            for (var k = 0; k < o.Folds; k++)
            {
                var tr = Enumerable.Range(0, xTrain.Length).Where(i => folds[i] != k).ToArray();
                var (_, scoring) = CandidateFitter.Fit(ml, c, tr.Select(i => xTrain[i]).ToList(), tr.Select(i => yTrain[i]).ToList(), width, o.Seed);
                for (var i = 0; i < xTrain.Length; i++)
                {
                    if (folds[i] != k) continue;
                    if (scoring is TreeEnsembleModel trees)
                    {
                        trees.RawPrefixes(xTrain[i], counts, prefix);
                        for (var j = 0; j < counts.Length; j++) oof[j][i] = prefix[j];
                    }
                    else oof[0][i] = scoring.Raw(xTrain[i]);
                }
                progress.Advance("cross-validation");
            }
            for (var j = 0; j < counts.Length; j++)
            {
                var variant = c.Kind == TrainerKind.Logistic ? c : c with { Trees = counts[j] };
                var platt = PlattCalibrator.Fit(oof[j], yTrain);
                var loss = Metrics.LogLoss(oof[j].Select(platt.Probability).ToArray(), yTrainArray);
                results.Add(new CandidateResult(variant.Describe(), loss, Metrics.RocAuc(oof[j], yTrainArray),
                    j == counts.Length - 1 ? Math.Round(watch.Elapsed.TotalSeconds, 2) : 0));
                oofs.Add((variant, oof[j], loss));
            }
        }
        var (best, bestOof) = ChooseModel(oofs, yTrain, results);

        progress.Stage("calibration", 2);
        var calibration = ChooseCalibration(bestOof!, yTrain, folds, o.Folds);
        Calibrator calibrator = calibration.Method == "isotonic" ? IsotonicCalibrator.Fit(bestOof!, yTrain) : PlattCalibrator.Fit(bestOof!, yTrain);
        progress.Advance("calibration");

        var fitted = best.Parts.Select(c => CandidateFitter.Fit(ml, c, xTrain, yTrain, width, o.Seed)).ToList();
        var mlModels = fitted.Select(f => f.Model).ToList();
        ScoringModel final = best.IsBlend
            ? new BlendModel { Parts = fitted.Select(f => f.Scoring).ToList(), Weights = [.. best.Weights] }
            : fitted[0].Scoring;
        progress.Advance("calibration");

        progress.Stage("evaluation", plan.Encoders.Count + 1);
        var checkRows = xTest.Take(32).ToList();
        var mlScores = new double[checkRows.Count];
        for (var part = 0; part < fitted.Count; part++)
        {
            var scores = CandidateFitter.MlNetScores(ml, fitted[part].Model, checkRows, width, fitted[part].Scoring);
            for (var i = 0; i < scores.Length; i++) mlScores[i] += best.Weights[part] * scores[i];
        }
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
        if (LeakGuard.Dominant(importance) is { } dominant) leaks.Add(dominant);

        return new TrainedModel
        {
            Plan = plan, Scoring = final, Calibrator = calibrator, MlModels = mlModels, Ml = ml, Seed = o.Seed, Chosen = best, CrossValidation = results,
            Calibration = calibration, Test = summary, TestProbabilities = pTest, TestLabels = yTest, Importance = importance, Leaks = leaks,
            UnreadableValues = [.. unreadable.OrderBy(u => u.Line).Select(u => $"line {u.Line}: {u.Field}: {u.Problem}")],
            SplitMethod = method, Train = train, TestSet = test, LeftOut = LeftOutRows.Combine(data.LeftOut, testData?.LeftOut),
            Checks = checkRows.Select((x, i) => (x, mlScores[i])).ToList(),
        };
    }

    /// <param name="unreadable">When given, receives each value that could not be read and was used as missing.</param>
    public static float[][] Encode(FeaturePlan plan, LeadDataset d, List<(long Line, string Field, string Problem)>? unreadable = null)
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
                foreach (var p in problems)
                {
                    v[Array.IndexOf(d.Fields, p.Field)] = null;
                    unreadable?.Add((d.Lines[i], p.Field, p.Message));
                }
                plan.Encode(v, x[i]);
            }
        }
        return x;
    }

    /// <summary>
    /// The candidate with the lowest out-of-fold log loss, unless a blend of the best linear candidate with a tree
    /// candidate (weights tried on the same out-of-fold scores) is lower still.
    /// </summary>
    private static (ModelChoice, double[]) ChooseModel(List<(Candidate C, double[] Oof, double Loss)> oofs, IReadOnlyList<bool> y, List<CandidateResult> results)
    {
        var best = oofs.MinBy(o => o.Loss);
        var choice = ModelChoice.Single(best.C);
        var bestOof = best.Oof;
        var bestLoss = best.Loss;
        var linear = oofs.Where(o => o.C.Kind == TrainerKind.Logistic).OrderBy(o => o.Loss).FirstOrDefault();
        if (linear.Oof is null) return (choice, bestOof);
        var yArr = y.ToArray();
        foreach (var tree in oofs.Where(o => o.C.Kind != TrainerKind.Logistic))
        {
            // The linear weight in steps of 0.1; only the best weight per tree variant is recorded.
            (double Loss, double W, double[] Blend)? bestHere = null;
            for (var step = 1; step <= 9; step++)
            {
                var w = step / 10.0;
                var blend = linear.Oof.Select((v, i) => w * v + (1 - w) * tree.Oof[i]).ToArray();
                var platt = PlattCalibrator.Fit(blend, y);
                var loss = Metrics.LogLoss(blend.Select(platt.Probability).ToArray(), yArr);
                if (bestHere is null || loss < bestHere.Value.Loss) bestHere = (loss, w, blend);
            }
            var (l, bw, b) = bestHere!.Value;
            var c = new ModelChoice([linear.C, tree.C], [bw, 1 - bw]);
            results.Add(new CandidateResult(c.Describe(), l, Metrics.RocAuc(b, yArr), 0));
            if (l < bestLoss) { bestLoss = l; choice = c; bestOof = b; }
        }
        return (choice, bestOof);
    }

    /// <summary>The tree counts a boosted candidate is judged at: a few prefixes up to its full size.</summary>
    private static int[] TreeCounts(int trees) =>
        new[] { 25, 50, 75, 100, 150, 200, 300, 400, 600, 800 }.Where(n => n < trees).Append(trees).ToArray();

    private static void CheckMinimumData(LeadDataset d, TrainingOptions o, string what = "the data")
    {
        var pos = d.Positives; var neg = d.Count - pos;
        if (pos < o.MinPerClass || neg < o.MinPerClass)
        {
            // When rows were skipped, why is likely the answer (every row ragged, say, from a trailing separator).
            var skipped = d.SkippedRows.Count == 0 ? ""
                : $" {d.SkippedRows.Count} rows were skipped as unreadable, for example: {string.Join("; ", d.SkippedRows.Take(3))}";
            throw new TrainingException($"{what} has {pos} positive and {neg} negative examples; at least {o.MinPerClass} of each are needed to learn and judge a model.{skipped}");
        }
    }

    /// <summary>
    /// Platt vs isotonic, cross-fitted over the CV folds: each fitted on the out-of-fold scores of all folds but one
    /// and judged on that one, pooled. (Fitting on (k−1)/k of the scores, not half, judges each method close to the
    /// amount of data the shipped calibrator is fitted on; halves penalize the more flexible isotonic unduly.)
    /// </summary>
    internal static CalibrationChoice ChooseCalibration(double[] oof, IReadOnlyList<bool> y, int[] folds, int k)
    {
        var pPlatt = new double[oof.Length];
        var pIso = new double[oof.Length];
        for (var f = 0; f < k; f++)
        {
            var fit = Enumerable.Range(0, oof.Length).Where(i => folds[i] != f).ToArray();
            var rf = fit.Select(i => oof[i]).ToList(); var yf = fit.Select(i => y[i]).ToList();
            var p = PlattCalibrator.Fit(rf, yf); var s = IsotonicCalibrator.Fit(rf, yf);
            for (var i = 0; i < oof.Length; i++)
            {
                if (folds[i] != f) continue;
                pPlatt[i] = p.Probability(oof[i]);
                pIso[i] = s.Probability(oof[i]);
            }
        }
        var ya = y.ToArray();
        double platt = Metrics.LogLoss(pPlatt, ya), iso = Metrics.LogLoss(pIso, ya);
        // The standard error of the paired, per-row log-loss difference: how far apart the two really are.
        var diff = new double[oof.Length];
        for (var i = 0; i < oof.Length; i++) diff[i] = Metrics.LogLoss(pIso[i], ya[i]) - Metrics.LogLoss(pPlatt[i], ya[i]);
        var mean = diff.Average();
        var se = Math.Sqrt(diff.Sum(d => (d - mean) * (d - mean)) / (diff.Length - 1) / diff.Length);
        double ecePlatt = Metrics.Ece(pPlatt, ya), eceIso = Metrics.Ece(pIso, ya);
        // Log loss decides (issue 3); the standard error and the ECE are recorded so a close call is visible.
        var method = iso < platt ? "isotonic" : "platt";
        var why = $"{k}-fold cross-fitted on out-of-fold scores: log loss Platt {platt:F5}, isotonic {iso:F5} (difference {iso - platt:+0.00000;-0.00000}, " +
                  $"standard error {se:F5}); ECE Platt {ecePlatt:F4}, isotonic {eceIso:F4}; {method} has the lower log loss";
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
