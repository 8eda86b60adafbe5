using Prometheus;

namespace LeadPropensity.Serving.Monitoring;

/// <summary>Prometheus metrics of the scoring itself (HTTP request counts and latency come from prometheus-net's middleware).</summary>
public sealed class ServingMetrics
{
    private static readonly Counter Predictions = Metrics.CreateCounter(
        "leadpropensity_predictions_total", "Leads scored, by band and by source (model or rules).", "band", "source");
    private static readonly Gauge ModelInfo = Metrics.CreateGauge(
        "leadpropensity_model_info", "1 for the model version being served (version=\"none\" when the rules answer).", "version");

    public ServingMetrics() => ModelInfo.WithLabels("none").Set(1);

    // Bands and sources are few: their labelled counters are looked up once, not on every prediction.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Band, string Source), Counter.Child> _scored = new();

    public void Scored(string band, string source) =>
        _scored.GetOrAdd((band, source), static k => Predictions.WithLabels(k.Band, k.Source)).Inc();

    public void ModelServed(string version, string? old)
    {
        ModelInfo.RemoveLabelled(old ?? "none");
        ModelInfo.WithLabels(version).Set(1);
    }
}
