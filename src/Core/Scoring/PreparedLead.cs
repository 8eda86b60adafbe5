using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Schema;

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

    /// <summary>Adds the warnings a caller should see: fields scored as missing and fields the model does not use.</summary>
    public void AddWarnings(List<string> to)
    {
        for (var i = 0; i < MissingFields.Count; i++) to.Add(MissingText.Of(MissingFields[i]));
        for (var i = 0; i < UnknownFields.Count; i++) to.Add(UnknownText.Of(UnknownFields[i]));
    }

    // The same few field names come back on call after call (a CRM sends the same extra fields every time), so each
    // warning is made once; a cap keeps callers who send ever-new names from growing the caches without end.
    private static readonly WarningTexts MissingText = new(f => $"'{f}' is missing and was scored as missing");
    private static readonly WarningTexts UnknownText = new(f => $"'{f}' is not a field of the served model and was ignored");

    private sealed class WarningTexts(Func<string, string> format)
    {
        private const int Cap = 4096;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _texts = new(StringComparer.Ordinal);

        public string Of(string field)
        {
            if (_texts.TryGetValue(field, out var text)) return text;
            text = format(field);
            if (_texts.Count < Cap) _texts.TryAdd(field, text);
            return text;
        }
    }

    /// <summary>
    /// Checks raw values by field name (null, "" or a schema missing token = missing) against the bundle's schema.
    /// Field names match exactly first, then ignoring case. The features are encoded into <paramref name="features"/>
    /// when given (exactly the plan's width: a caller's scratch buffer, reused once this lead is scored), else a new array.
    /// </summary>
    public static PreparedLead From(ModelBundle bundle, IReadOnlyDictionary<string, string?> fields, float[]? features = null)
    {
        if (features is not null && features.Length != bundle.Plan.Width)
            throw new ArgumentException($"the buffer has {features.Length} slots, the plan {bundle.Plan.Width}", nameof(features));
        var schema = bundle.Schema;
        var names = bundle.Fields;
        var values = new string?[names.Count];
        List<string>? missing = null;
        List<FieldProblem>? twice = null;
        IReadOnlyList<string>? unknown;
        // The JSON routes hand over a Dictionary, its keys in the order sent: a CRM sends the same keys in the same order
        // lead after lead, so where they are the thread's last layout the values are taken by position, with no lookups.
        var dictionary = fields as Dictionary<string, string?>;
        if (dictionary is not null && KeyLayout.Matching(bundle, dictionary) is { } layout)
        {
            var sent = layout.Values;
            for (var i = 0; i < values.Length; i++)
            {
                var raw = sent[layout.Index[i]];
                values[i] = Present(schema, raw);
                if (values[i] is null) (missing ??= []).Add(names[i]);
            }
            sent.AsSpan().Clear();
            unknown = layout.Unknown;
        }
        else
        {
            var exact = 0;
            // The key a field's value came from when it was not sent under its own name (matched ignoring case).
            string?[]? sentAs = null;
            for (var i = 0; i < names.Count; i++)
            {
                string? raw;
                var found = dictionary is not null ? dictionary.TryGetValue(names[i], out raw) : fields.TryGetValue(names[i], out raw);
                if (found) exact++;
                else
                {
                    foreach (var (k, v) in fields)
                        if (string.Equals(k, names[i], StringComparison.OrdinalIgnoreCase)) { raw = v; (sentAs ??= new string?[names.Count])[i] = k; break; }
                }
                values[i] = Present(schema, raw);
                if (values[i] is null) (missing ??= []).Add(names[i]);
            }
            unknown = Unknown(bundle, fields, dictionary, exact, out var variants);
            if (variants is not null) twice = SentTwice(bundle, fields, values, sentAs, variants);
            // Every model field sent under its own name (and no other spelling of one): this layout is the one to look
            // for next time. A lead with two spellings of a field is always looked up, so their values are always compared.
            if (dictionary is not null && exact == names.Count && variants is null) KeyLayout.Remember(bundle, dictionary, unknown);
        }
        var x = features ?? new float[bundle.Plan.Width];
        if (features is not null) x.AsSpan().Clear();
        var problems = twice ?? new List<FieldProblem>();
        bundle.Plan.Encode(values, x, problems);
        return new PreparedLead(values, x, problems, missing ?? (IReadOnlyList<string>)[], unknown);
    }

    /// <summary>A raw value as a field holds it: null when missing (absent, blank or a missing token), else trimmed.</summary>
    private static string? Present(LeadSchema schema, string? raw) => schema.IsMissing(raw) ? null : raw!.Trim();

    // Every model field is a schema column, so "unknown" is simply "not a schema column" (ignoring case); when every key
    // sent was a model field matched exactly (the usual CRM call) there is nothing to look for. A key that names a model
    // field in other case (not its exact spelling) comes back in `variants`: it may be a second spelling of a field.
    private static IReadOnlyList<string> Unknown(ModelBundle bundle, IReadOnlyDictionary<string, string?> fields, Dictionary<string, string?>? dictionary,
        int exact, out List<string>? variants)
    {
        variants = null;
        if (exact >= fields.Count) return [];
        List<string>? unknown = null;
        var (exactly, known) = (bundle.KnownColumnsExact, bundle.KnownColumns);
        if (dictionary is not null)
        {
            // The dictionary's own key enumerator: no boxed enumerator and no interface call per key.
            foreach (var k in dictionary.Keys) Sort(k, ref unknown, ref variants);
        }
        else
            foreach (var k in fields.Keys) Sort(k, ref unknown, ref variants);
        return unknown is null ? [] : unknown.ToArray();

        void Sort(string k, ref List<string>? unknown, ref List<string>? variants)
        {
            if (exactly.Contains(k)) return;
            if (!known.Contains(k)) (unknown ??= []).Add(k);
            else if (bundle.FieldIndexIgnoringCase.ContainsKey(k)) (variants ??= []).Add(k);
        }
    }

    /// <summary>
    /// A model field sent under two spellings (names equal ignoring case) with two values is as ambiguous as a key sent
    /// twice: which one the caller meant cannot be guessed, so it is a problem of that field rather than one value
    /// silently winning. Two spellings with the same value are scored.
    /// </summary>
    private static List<FieldProblem>? SentTwice(ModelBundle bundle, IReadOnlyDictionary<string, string?> fields, string?[] values,
        string?[]? sentAs, List<string> variants)
    {
        List<FieldProblem>? problems = null;
        foreach (var k in variants)
        {
            var i = bundle.FieldIndexIgnoringCase[k];
            var used = sentAs?[i] ?? bundle.Fields[i];
            if (string.Equals(used, k, StringComparison.Ordinal)) continue;
            var raw = fields[k];
            var value = Present(bundle.Schema, raw);
            if (string.Equals(value, values[i], StringComparison.Ordinal)) continue;
            (problems ??= []).Add(new FieldProblem(bundle.Fields[i], raw,
                $"is sent more than once, as '{used}' and '{k}', with different values ({Shown(values[i])} and {Shown(value)})"));
        }
        return problems;

        static string Shown(string? v) => v is null ? "missing" : $"'{v}'";
    }

    /// <summary>
    /// The keys of the last lead this thread prepared whose model fields were all sent under their own names, in the
    /// order sent, with where each model field's value was among them and which keys the model does not know.
    /// </summary>
    private sealed class KeyLayout
    {
        [ThreadStatic] private static KeyLayout? t_last;

        private KeyLayout(ModelBundle bundle, string[] keys, int[] index, IReadOnlyList<string> unknown) =>
            (Bundle, Keys, Index, Unknown, Values) = (bundle, keys, index, unknown, new string?[keys.Length]);

        public ModelBundle Bundle { get; }
        public string[] Keys { get; }
        /// <summary>By model field: the position of its key among <see cref="Keys"/>.</summary>
        public int[] Index { get; }
        public IReadOnlyList<string> Unknown { get; }
        /// <summary>Scratch: the values of a matching lead by position, cleared once read.</summary>
        public string?[] Values { get; }

        /// <summary>The thread's layout when <paramref name="lead"/> has exactly its keys in its order (its values then in <see cref="Values"/>).</summary>
        public static KeyLayout? Matching(ModelBundle bundle, Dictionary<string, string?> lead)
        {
            if (t_last is not { } last || !ReferenceEquals(last.Bundle, bundle) || lead.Count != last.Keys.Length) return null;
            var (keys, values) = (last.Keys, last.Values);
            var at = 0;
            foreach (var (key, value) in lead)
            {
                // The JSON reader hands the same name strings back lead after lead, so most keys match by reference.
                if (!ReferenceEquals(key, keys[at]) && !string.Equals(key, keys[at], StringComparison.Ordinal))
                {
                    values.AsSpan(0, at).Clear();
                    return null;
                }
                values[at++] = value;
            }
            return last;
        }

        public static void Remember(ModelBundle bundle, Dictionary<string, string?> lead, IReadOnlyList<string> unknown)
        {
            var keys = new string[lead.Count];
            lead.Keys.CopyTo(keys, 0);
            var fields = bundle.Fields;
            var index = new int[fields.Count];
            for (var i = 0; i < index.Length; i++)
                // A dictionary that matches keys in its own way (ignoring case) may have found a field under another name.
                if ((index[i] = Array.IndexOf(keys, fields[i])) < 0) return;
            t_last = new KeyLayout(bundle, keys, index, unknown);
        }
    }
}
