using System.Text;
using System.Text.Json;
using LeadPropensity.Core.Scoring;
using LeadPropensity.Serving.Extensions;

namespace LeadPropensity.Serving.Predict;

/// <summary>One lead as sent: its id and its features as raw strings (what the schema-aware preparation expects).</summary>
public sealed record LeadInput(string? LeadId, Dictionary<string, string?> Features);

/// <summary>What parsing a request body gave: leads, or per-field errors, or the position of malformed JSON.</summary>
public sealed record ParsedLeads(List<LeadInput> Leads, Dictionary<string, List<string>> Errors, string? Malformed = null, long Line = 0, long Byte = 0)
{
    public bool IsMalformed => Malformed is not null;
}

/// <summary>
/// Reads leads straight off the request bytes with <see cref="Utf8JsonReader"/>: a number keeps its raw text, a boolean
/// becomes "true"/"false", null stays null, and an object or array is an error for that field. Errors are keyed the way
/// a caller finds them: <c>features.TotalVisits</c>, or <c>[3].features.TotalVisits</c> in a batch.
/// </summary>
public static class LeadJson
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static ParsedLeads ParseOne(ReadOnlySpan<byte> json) => Parse(json, batch: false, maxLeads: 1);

    public static ParsedLeads ParseBatch(ReadOnlySpan<byte> json, int maxLeads) => Parse(json, batch: true, maxLeads);

    private static ParsedLeads Parse(ReadOnlySpan<byte> json, bool batch, int maxLeads)
    {
        var result = new ParsedLeads([], []);
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            Add(result.Errors, "body", batch ? "the request body is empty: send a JSON array of { \"leadId\", \"features\" } objects"
                                             : "the request body is empty: send { \"leadId\": \"L-1\", \"features\": { ... } }");
            return result;
        }
        var r = new Utf8JsonReader(json, Options);
        try
        {
            r.Read();
            if (!batch)
            {
                if (r.TokenType != JsonTokenType.StartObject)
                    Add(result.Errors, "body", $"expected a JSON object {{ \"leadId\", \"features\" }} but found {Describe(r.TokenType)}");
                else result.Leads.Add(ReadLead(ref r, "", result.Errors));
            }
            else if (r.TokenType != JsonTokenType.StartArray)
                Add(result.Errors, "body", $"expected a JSON array of leads but found {Describe(r.TokenType)}");
            else
            {
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    var i = result.Leads.Count;
                    if (i >= maxLeads)
                    {
                        Add(result.Errors, "body", $"the batch has more than {maxLeads} leads (the limit, Predict:MaxBatchSize); split it or send CSV");
                        return result;
                    }
                    if (r.TokenType == JsonTokenType.StartObject) result.Leads.Add(ReadLead(ref r, $"[{i}].", result.Errors));
                    else
                    {
                        Add(result.Errors, $"[{i}]", $"expected a lead object but found {Describe(r.TokenType)}");
                        r.Skip();
                        result.Leads.Add(new LeadInput(null, []));
                    }
                }
                if (result.Leads.Count == 0) Add(result.Errors, "body", "the batch is empty: send at least one lead");
            }
            // Anything after the top-level value is malformed JSON; reading on makes the reader say where.
            r.Read();
            return result;
        }
        catch (JsonException e)
        {
            return result with { Malformed = e.Message, Line = (e.LineNumber ?? 0) + 1, Byte = (e.BytePositionInLine ?? 0) + 1 };
        }
        catch (InvalidOperationException e)
        {
            // A name that is not valid text (e.g. an unpaired surrogate escape such as \ud800): the reader found the
            // token but cannot turn it into a string.
            var (line, column) = Position(json, r.TokenStartIndex);
            return result with { Malformed = e.Message, Line = line, Byte = column };
        }
    }

    /// <summary>
    /// Where each lead of a batch lies, found without reading the leads, so that they can be read on all cores
    /// (<see cref="TryParseLead"/>). Null unless the body is plainly an array of 1 to <paramref name="maxLeads"/> objects
    /// with balanced braces and no comments; anything else is left to <see cref="ParseBatch"/>, which says what is wrong.
    /// </summary>
    public static List<Range>? LeadRanges(ReadOnlySpan<byte> json, int maxLeads)
    {
        var i = SkipWhitespace(json, 0);
        if (i == json.Length || json[i] != (byte)'[') return null;
        var leads = new List<Range>(Math.Min(maxLeads, json.Length / 64 + 1));
        i++;
        while (true)
        {
            i = SkipWhitespace(json, i);
            if (i == json.Length) return null;
            // "]" after a lead and its comma is a trailing comma, which the reader allows too.
            if (json[i] == (byte)']' && leads.Count > 0) break;
            if (json[i] != (byte)'{' || leads.Count == maxLeads) return null;
            var end = ObjectEnd(json, i);
            if (end < 0) return null;
            leads.Add(i..end);
            i = SkipWhitespace(json, end);
            if (i == json.Length) return null;
            if (json[i] == (byte)',') { i++; continue; }
            if (json[i] != (byte)']') return null;
            break;
        }
        return SkipWhitespace(json, i + 1) == json.Length ? leads : null;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        var n = json[i..].IndexOfAnyExcept(" \t\r\n"u8);
        return n < 0 ? json.Length : i + n;
    }

    /// <summary>The index just after the object starting at <paramref name="start"/>, by its braces outside strings; -1 if it does not end or has a comment.</summary>
    private static int ObjectEnd(ReadOnlySpan<byte> json, int start)
    {
        var depth = 0;
        var i = start;
        while (true)
        {
            var n = json[i..].IndexOfAny("\"{}/"u8);
            if (n < 0) return -1;
            i += n;
            switch (json[i])
            {
                case (byte)'{': depth++; i++; break;
                case (byte)'}':
                    i++;
                    if (--depth == 0) return i;
                    break;
                case (byte)'"':
                    // A string: to its closing quote, stepping over each escape (a backslash and the byte after it).
                    i++;
                    while (true)
                    {
                        var q = json[i..].IndexOfAny((byte)'"', (byte)'\\');
                        if (q < 0) return -1;
                        i += q;
                        if (json[i] == (byte)'"') { i++; break; }
                        i += 2;
                        if (i >= json.Length) return -1;
                    }
                    break;
                default: return -1;
            }
        }
    }

    /// <summary>
    /// One lead read from its own bytes (a range <see cref="LeadRanges"/> found), or null when it is not cleanly a lead:
    /// malformed, or with a field the reader reports. The whole batch is then read again by <see cref="ParseBatch"/>,
    /// whose errors name the lead's index and the position in the body.
    /// </summary>
    public static LeadInput? TryParseLead(ReadOnlySpan<byte> lead)
    {
        var r = new Utf8JsonReader(lead, Options);
        try
        {
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return null;
            var errors = new Dictionary<string, List<string>>(0);
            var parsed = ReadLead(ref r, "", errors);
            return errors.Count == 0 && !r.Read() ? parsed : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>1-based line and byte within the line of a byte offset.</summary>
    private static (long Line, long Byte) Position(ReadOnlySpan<byte> json, long offset)
    {
        var before = json[..(int)Math.Min(offset, json.Length)];
        var lastNewline = before.LastIndexOf((byte)'\n');
        return (before.Count((byte)'\n') + 1, offset - lastNewline);
    }

    private static LeadInput ReadLead(ref Utf8JsonReader r, string prefix, Dictionary<string, List<string>> errors)
    {
        string? leadId = null;
        Dictionary<string, string?>? features = null;
        var (idSeen, featuresSeen) = (false, false);
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            var isId = r.ValueTextEquals("leadId"u8) || r.ValueTextEquals("LeadId"u8);
            var isFeatures = r.ValueTextEquals("features"u8) || r.ValueTextEquals("Features"u8);
            r.Read();
            // Sent twice, the last would silently win: which one the caller meant cannot be told.
            if ((isId && idSeen) || (isFeatures && featuresSeen))
            {
                Add(errors, prefix + (isId ? "leadId" : "features"), "is given more than once in the lead: send it once");
                r.Skip();
                continue;
            }
            if (isId)
            {
                idSeen = true;
                if (!TryScalar(ref r, out leadId, out var problem) || (leadId is not null && r.TokenType is JsonTokenType.True or JsonTokenType.False))
                {
                    Add(errors, prefix + "leadId", problem ?? $"must be a string or a number, not {Describe(r.TokenType)}");
                    leadId = null;
                    r.Skip();
                }
                else if (leadId is not null && LeadIds.Problem(leadId) is { } bad)
                {
                    Add(errors, prefix + "leadId", bad);
                    leadId = null;
                }
            }
            else if (isFeatures)
            {
                featuresSeen = true;
                if (r.TokenType == JsonTokenType.StartObject) features = ReadFeatures(ref r, prefix, errors);
                else
                {
                    Add(errors, prefix + "features", $"must be an object mapping field names to values, not {Describe(r.TokenType)}");
                    features = [];
                    r.Skip();
                }
            }
            else r.Skip();
        }
        if (features is null)
        {
            Add(errors, prefix + "features", "is required: an object mapping field names to values");
            features = [];
        }
        return new LeadInput(leadId, features);
    }

    private static Dictionary<string, string?> ReadFeatures(ref Utf8JsonReader r, string prefix, Dictionary<string, List<string>> errors)
    {
        var features = new Dictionary<string, string?>(32, StringComparer.Ordinal);
        var names = t_names ??= new FieldNameCache();
        var position = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            var name = names.Get(ref r, position++);
            r.Read();
            if (TryScalar(ref r, out var value, out var problem))
            {
                // A field sent twice with two values is ambiguous: which one the CRM meant cannot be guessed, so it is
                // named rather than one value silently winning. The same value twice says nothing new and is accepted.
                if (!features.TryAdd(name, value) && !string.Equals(features[name], value, StringComparison.Ordinal))
                    Add(errors, $"{prefix}features.{name}", $"is sent more than once with different values ({Shown(features[name])} and {Shown(value)})");
            }
            else
            {
                Add(errors, $"{prefix}features.{name}", problem ?? $"must be a number, string, boolean or null, not {Describe(r.TokenType)}");
                r.Skip();
            }
        }
        return features;
    }

    [ThreadStatic] private static FieldNameCache? t_names;

    /// <summary>
    /// The field names of the last lead this thread read, by position: a CRM sends the same fields in the same order lead
    /// after lead, so a name whose bytes match the one at its position last time is that string again, not a new one.
    /// </summary>
    private sealed class FieldNameCache
    {
        private const int Positions = 64, LongestName = 128;
        private readonly byte[]?[] _utf8 = new byte[Positions][];
        private readonly string?[] _names = new string[Positions];

        public string Get(ref Utf8JsonReader r, int position)
        {
            // Escaped names (rare) are decoded as before, and may fail there as before (text that is not valid).
            if (position >= Positions || r.ValueIsEscaped || r.HasValueSequence || r.ValueSpan.Length > LongestName) return r.GetString()!;
            if (_utf8[position] is { } bytes && r.ValueSpan.SequenceEqual(bytes)) return _names[position]!;
            var name = r.GetString()!;
            _utf8[position] = r.ValueSpan.ToArray();
            _names[position] = name;
            return name;
        }
    }

    /// <summary>A scalar's text; false for an object or array, or (with <paramref name="problem"/>) a string that is not valid text.</summary>
    private static bool TryScalar(ref Utf8JsonReader r, out string? value, out string? problem)
    {
        problem = null;
        switch (r.TokenType)
        {
            case JsonTokenType.String:
                if (r.TryGetText(out value)) return true;
                problem = JsonText.Invalid;
                return false;
            case JsonTokenType.Number: value = Encoding.UTF8.GetString(r.ValueSpan); return true;
            case JsonTokenType.True: value = "true"; return true;
            case JsonTokenType.False: value = "false"; return true;
            case JsonTokenType.Null: value = null; return true;
            default: value = null; return false;
        }
    }

    private static string Shown(string? value) => value is null ? "null" : $"'{value}'";

    private static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => t.ToString(),
    };

    public static void Add(Dictionary<string, List<string>> errors, string key, string message)
    {
        if (!errors.TryGetValue(key, out var list)) errors[key] = list = [];
        list.Add(message);
    }
}
