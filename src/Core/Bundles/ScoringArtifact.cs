using System.Text.Json;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Bundles;

/// <summary>
/// scoring.json: the featurization plan, the scorable model and the calibrator, plus check vectors whose raw
/// scores ML.NET computed at training time. Loading re-scores the checks, so a damaged file is caught before it serves.
/// </summary>
public sealed record ScoringArtifact
{
    public required FeaturePlan Plan { get; init; }
    public required ScoringModel Model { get; init; }
    public required Calibrator Calibrator { get; init; }
    public required IReadOnlyList<CheckVector> Checks { get; init; }

    public sealed record CheckVector(float[] X, double Raw);

    public static readonly JsonSerializerOptions Json = new(ModelManifest.Json) { WriteIndented = false };
    /// <summary>For reading (indentation is a writing matter): the manifest's reading options, so both share one metadata cache.</summary>
    public static JsonSerializerOptions ReadJson => ModelManifest.ReadJson;

    public void Verify()
    {
        ArtifactChecks.Check(this);
        if (Plan.Width == 0) throw new InvalidDataException("the featurization plan has no features");
        foreach (var c in Checks)
        {
            if (c.X.Length != Plan.Width) throw new InvalidDataException($"a check vector has {c.X.Length} slots, the plan {Plan.Width}");
            var raw = Model.Raw(c.X);
            if (!(Math.Abs(raw - c.Raw) <= 1e-3 * Math.Max(1, Math.Abs(c.Raw))))
                throw new InvalidDataException($"the model scores a check vector {raw}, training recorded {c.Raw}: the model file is damaged");
        }
    }
}
