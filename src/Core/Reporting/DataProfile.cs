using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Reporting;

/// <summary>What the rows behind a report look like: both parts, and per field missingness and drift from training to test.</summary>
/// <param name="LeftOut">Rows of the judged data (for training: of the training data) left out because their label means no outcome yet.</param>
public sealed record DataProfile(PartProfile Train, PartProfile Test, IReadOnlyList<FieldProfile> Fields, LeftOutRows? LeftOut = null);

/// <summary>
/// One field: missing share in each part and the PSI of test against train (null when it does not apply, e.g. free text,
/// the timestamp, or no values). <see cref="Reference"/> keeps the training distribution so a later evaluation can measure drift.
/// </summary>
public sealed record FieldProfile(string Field, string Type, double? MissingTrain, double MissingTest, double? Psi, string? PsiNote, FieldReference? Reference);

/// <summary>
/// The training distribution of a field: for numbers the 10 equal-mass edges of the training values (as Metrics.Psi cuts them)
/// and the training shares per bin; for categories the shares of the most common levels, the rest pooled as "(other)".
/// </summary>
public sealed record FieldReference(double[]? Edges, string[]? Levels, double[] Shares);
