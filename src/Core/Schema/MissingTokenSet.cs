namespace LeadPropensity.Core.Schema;

/// <summary>
/// A schema's missing tokens, matched as <see cref="LeadSchema.IsMissing"/> matches them (trimmed, ignoring case) but
/// without comparing a value against tokens of other lengths: scoring checks every field of every lead, and most values
/// ("7", "direct", "yes") have a length no token has.
/// </summary>
public sealed class MissingTokenSet
{
    private readonly string[] _tokens;
    /// <summary>Bit n is set when some token is n characters long (n &lt; 64).</summary>
    private readonly ulong _lengths;
    private readonly bool _anyLong;

    public MissingTokenSet(IEnumerable<string> tokens)
    {
        _tokens = [.. tokens];
        foreach (var t in _tokens)
            if (t.Length < 64) _lengths |= 1UL << t.Length;
            else _anyLong = true;
    }

    /// <summary>True for null and for a value that is one of the tokens once trimmed.</summary>
    public bool IsMissing(string? raw)
    {
        if (raw is null) return true;
        var t = raw.AsSpan().Trim();
        if (t.Length < 64 ? (_lengths & (1UL << t.Length)) == 0 : !_anyLong) return false;
        foreach (var token in _tokens)
            if (t.Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
