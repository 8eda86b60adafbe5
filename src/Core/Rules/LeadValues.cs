using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Rules;

/// <summary>A lead's raw values seen through a rule set's missing tokens; comparisons shared by every operator.</summary>
internal sealed class LeadValues(IReadOnlyDictionary<string, string?> lead, IReadOnlyList<string> missingTokens)
{
    public string? Raw(string field) => lead.TryGetValue(field, out var v) ? v : null;

    /// <summary>The trimmed value, or null when the field is absent, blank or one of the missing tokens.</summary>
    public string? Present(string field)
    {
        var raw = Raw(field);
        if (raw is null) return null;
        var t = raw.Trim();
        if (t.Length == 0) return null;
        foreach (var token in missingTokens)
            if (string.Equals(t, token.Trim(), StringComparison.OrdinalIgnoreCase)) return null;
        return t;
    }

    /// <summary>
    /// Loose equality as people write rules: the same text ignoring case, the same number ("10" = "10.0"),
    /// or the same boolean ("yes" = true = "1").
    /// </summary>
    public static bool Same(string value, string operand)
    {
        if (string.Equals(value, operand, StringComparison.OrdinalIgnoreCase)) return true;
        if (ValueParsing.TryNumber(value, out var a) && ValueParsing.TryNumber(operand, out var b)) return a == b;
        return Boolean(value) is { } x && Boolean(operand) is { } y && x == y;
    }

    public static bool? Boolean(string raw)
    {
        foreach (var w in ColumnSpec.DefaultTrue) if (string.Equals(w, raw, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var w in ColumnSpec.DefaultFalse) if (string.Equals(w, raw, StringComparison.OrdinalIgnoreCase)) return false;
        return null;
    }
}
