namespace LeadPropensity.Core.Schema;

/// <summary>
/// A schema's missing tokens, as <see cref="LeadSchema.IsMissing"/> matches them: trimmed, ignoring case, and without
/// comparing a value against tokens of other lengths (every field of every lead is checked, in training and in scoring,
/// and most values, such as "7", "direct" or "yes", have a length no token has). Equal when the tokens are.
/// </summary>
public sealed class MissingTokenSet : IEquatable<MissingTokenSet>
{
    private readonly string[] _tokens;
    /// <summary>Bit n is set when some token is n characters long (n &lt; 64).</summary>
    private readonly ulong _lengths;
    private readonly bool _anyLong;

    public MissingTokenSet(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
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

    public bool Equals(MissingTokenSet? other) => other is not null && _tokens.AsSpan().SequenceEqual(other._tokens);
    public override bool Equals(object? obj) => Equals(obj as MissingTokenSet);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var t in _tokens) h.Add(t, StringComparer.Ordinal);
        return h.ToHashCode();
    }
}
