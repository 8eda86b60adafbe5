using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Models;
using LeadPropensity.Serving.Monitoring;

namespace LeadPropensity.Serving.Predict;

/// <summary>The HTTP side's one door to scoring: takes a snapshot of the served model, scores, counts the result.</summary>
public sealed class LeadScoringService(ModelHolder holder, LeadScorer scorer, IBandCutoffsProvider cutoffs, ServingMetrics metrics)
{
    public LeadScorer Scorer => scorer;
    public ModelHolder Models => holder;
    public IBandCutoffsProvider Cutoffs => cutoffs;
    public ServingMetrics Metrics => metrics;

    /// <summary>
    /// Scores with one model snapshot, so a swap in the middle of a batch cannot mix two models. The answer is counted in
    /// the metrics unless <paramref name="count"/> is false (a JSON batch counts its answers once it is sure to send them).
    /// </summary>
    public LeadAssessment Assess(ServedModel? served, IReadOnlyDictionary<string, string?> fields, ScoringEngine engine, bool count = true)
    {
        var a = scorer.Assess(served?.Bundle, served is null ? null : cutoffs.For(served.Bundle), fields, engine);
        if (count && a.Result is { } r) metrics.Scored(r.Band, r.Source);
        return a;
    }
}
