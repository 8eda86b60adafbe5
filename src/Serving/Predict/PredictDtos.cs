using LeadPropensity.Core.Explanations;
using LeadPropensity.Core.Scoring;

namespace LeadPropensity.Serving.Predict;

/// <summary>
/// A lead to score. Feature values: a number (JSON number or numeric string), a boolean (true/false, 1/0 or the
/// schema's words such as yes/no), text, or null/"" for missing.
/// </summary>
public sealed record PredictRequest(string? LeadId, Dictionary<string, object?> Features);

/// <summary>
/// A scored lead. <c>probability</c> is calibrated (null when the rules answered: rule points are not a probability);
/// <c>reasons</c> are the top fields raising and lowering the score (model) or the matched rules (rules).
/// </summary>
public sealed record PredictResponse(
    string? LeadId, double? Probability, int Score, string Band, string Source, string? ModelVersion,
    IReadOnlyList<Reason> Reasons, IReadOnlyList<string> Warnings)
{
    public static PredictResponse From(string? leadId, ScoredLead s) =>
        new(leadId, s.Probability is { } p ? Math.Round(p, 6) : null, s.Score, s.Band, s.Source, s.ModelVersion, s.Reasons, s.Warnings);
}
