using System.Globalization;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Scoring;

/// <summary>One field a CRM should send: its type, an example value and, for categories, the values the model knows.</summary>
public sealed record FieldGuideEntry(string Name, string Type, string Example, IReadOnlyList<string>? KnownValues, double? Importance);

/// <summary>Describes what a bundle expects at scoring time, from its featurization plan (the fields it really uses).</summary>
public static class FieldGuide
{
    public static IReadOnlyList<FieldGuideEntry> For(ModelBundle bundle)
    {
        var importance = bundle.Manifest.Importance.ToDictionary(i => i.Field, i => i.LogLossIncrease, StringComparer.Ordinal);
        return bundle.Plan.Encoders.Select(e => new FieldGuideEntry(
            e.Field, e.TypeName, Example(e), e is CategoricalEncoder c ? c.Levels : null,
            importance.TryGetValue(e.Field, out var v) ? Math.Round(v, 5) : null)).ToList();
    }

    private static string Example(FieldEncoder e) => e switch
    {
        NumericEncoder n => n.Median.ToString("0.###", CultureInfo.InvariantCulture),
        BooleanEncoder b => b.TrueValues is { Count: > 0 } t ? t[0] : "yes",
        CategoricalEncoder c => c.Levels.Count > 0 ? c.Levels[0] : "some value",
        TextEncoder t => t.Vocabulary.Count > 0 ? t.Vocabulary[0] : "some text",
        DatetimeEncoder => "2025-06-30T09:15:00Z",
        _ => "",
    };
}
