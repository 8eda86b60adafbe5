using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;

namespace LeadPropensity.Core.Scoring;

/// <summary>A lead checked against the served schema and encoded: ready to score, or a list of what is wrong with it.</summary>
public sealed record PreparedLead(
    string?[] Values,
    float[] Features,
    IReadOnlyList<FieldProblem> Problems,
    IReadOnlyList<string> MissingFields,
    IReadOnlyList<string> UnknownFields)
{
    public bool IsValid => Problems.Count == 0;

    /// <summary>Warnings a caller should see: fields scored as missing and fields the model does not use.</summary>
    public IEnumerable<string> Warnings =>
        MissingFields.Select(f => $"'{f}' is missing and was scored as missing")
            .Concat(UnknownFields.Select(f => $"'{f}' is not a field of the served model and was ignored"));

    /// <summary>
    /// Checks raw values by field name (null, "" or a schema missing token = missing) against the bundle's schema.
    /// Field names match exactly first, then ignoring case.
    /// </summary>
    public static PreparedLead From(ModelBundle bundle, IReadOnlyDictionary<string, string?> fields)
    {
        var schema = bundle.Schema;
        var names = bundle.Fields;
        var values = new string?[names.Count];
        var matched = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            string? raw;
            if (!fields.TryGetValue(names[i], out raw))
            {
                var key = fields.Keys.FirstOrDefault(k => string.Equals(k, names[i], StringComparison.OrdinalIgnoreCase));
                raw = key is null ? null : fields[key];
                if (key is not null) matched.Add(key);
            }
            else matched.Add(names[i]);
            values[i] = schema.IsMissing(raw) ? null : raw!.Trim();
            if (values[i] is null) missing.Add(names[i]);
        }
        var known = bundle.KnownColumns;
        var unknown = new List<string>();
        foreach (var k in fields.Keys)
            if (!matched.Contains(k) && !known.Contains(k)) unknown.Add(k);
        var x = new float[bundle.Plan.Width];
        var problems = new List<FieldProblem>();
        bundle.Plan.Encode(values, x, problems);
        return new PreparedLead(values, x, problems, missing, unknown);
    }
}
