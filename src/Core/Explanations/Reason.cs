namespace LeadPropensity.Core.Explanations;

/// <summary>
/// Why a lead scored as it did, per business field, in one shape for the model and the rules:
/// <c>effect</c> is the field's contribution (probability points for the model, rule points for the rules).
/// </summary>
public sealed record Reason(string Field, string? Value, double Effect, string Text);
