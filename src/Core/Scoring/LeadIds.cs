namespace LeadPropensity.Core.Scoring;

/// <summary>
/// What a lead id may be, wherever one arrives (a scored lead, an outcome): the prediction log and the outcomes are
/// joined by it, so an id one route takes and another refuses would leave a prediction that no outcome can reach.
/// </summary>
public static class LeadIds
{
    public const int MaxLength = 256;

    /// <summary>Why <paramref name="id"/> cannot be a lead id, or null when it can.</summary>
    public static string? Problem(string id)
    {
        if (id.Length > MaxLength) return $"longer than {MaxLength} characters ({id.Length})";
        // Control characters (NUL above all: PostgreSQL refuses it in text) would break the log, exports and logs.
        for (var i = 0; i < id.Length; i++)
            if (char.IsControl(id[i])) return $"holds a control character (U+{(int)id[i]:X4} at position {i})";
        return null;
    }
}
