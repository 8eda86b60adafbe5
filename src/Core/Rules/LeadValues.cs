using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Rules;

/// <summary>A lead's raw values seen through a rule set's missing tokens; comparisons shared by every operator.</summary>
/// <param name="missingTokens">Already trimmed.</param>
internal sealed class LeadValues(IReadOnlyDictionary<string, string?> lead, string[] missingTokens)
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
            if (string.Equals(t, token, StringComparison.OrdinalIgnoreCase)) return null;
        return t;
    }

    /// <summary>
    /// Loose equality as people write rules: the same text ignoring case, the same number ("10" = "10.0"),
    /// or the same boolean ("yes" = true = "1").
    /// </summary>
    public static bool Same(string value, string operand) => Same(value, Operand.Of(operand));

    internal static bool Same(string value, Operand operand)
    {
        if (string.Equals(value, operand.Text, StringComparison.OrdinalIgnoreCase)) return true;
        if (operand.Number is { } b && ValueParsing.TryNumber(value, out var a)) return a == b;
        return operand.Boolean is { } y && Boolean(value) is { } x && x == y;
    }

    /// <summary>An operand of a rule, with the number and the boolean it reads as worked out once (null when it reads as none).</summary>
    internal readonly record struct Operand(string Text, double? Number, bool? Boolean)
    {
        public static Operand Of(string text) =>
            new(text, ValueParsing.TryNumber(text, out var n) ? n : null, LeadValues.Boolean(text));
    }

    public static bool? Boolean(string raw)
    {
        foreach (var w in ColumnSpec.DefaultTrue) if (string.Equals(w, raw, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var w in ColumnSpec.DefaultFalse) if (string.Equals(w, raw, StringComparison.OrdinalIgnoreCase)) return false;
        return null;
    }
}
