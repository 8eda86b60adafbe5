using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace LeadPropensity.Core.Scoring;

/// <summary>
/// A reusable dictionary view over one row of values in a fixed field order, so the rules can read a streamed CSV
/// row without a dictionary being built per row. Not thread-safe: one per stream.
/// </summary>
public sealed class FieldRow(IReadOnlyList<string> fields) : IReadOnlyDictionary<string, string?>
{
    private readonly Dictionary<string, int> _index = fields.Select((f, i) => (f, i)).ToDictionary(p => p.f, p => p.i, StringComparer.Ordinal);
    private IReadOnlyList<string?> _values = new string?[fields.Count];

    public FieldRow Set(IReadOnlyList<string?> values)
    {
        _values = values;
        return this;
    }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string? value)
    {
        if (_index.TryGetValue(key, out var i)) { value = _values[i]; return true; }
        value = null;
        return false;
    }

    public string? this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);
    public IEnumerable<string> Keys => _index.Keys;
    public IEnumerable<string?> Values => _index.Values.Select(i => _values[i]);
    public int Count => _index.Count;
    public bool ContainsKey(string key) => _index.ContainsKey(key);

    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() =>
        _index.Select(p => new KeyValuePair<string, string?>(p.Key, _values[p.Value])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
