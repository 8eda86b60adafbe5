using System.Text;
using System.Text.Json;
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

    public static ParsedLeads ParseOne(ReadOnlySpan<byte> json)
    {
        var result = new ParsedLeads([], []);
        if (IsBlank(json, result, "the request body is empty: send { \"leadId\": \"L-1\", \"features\": { ... } }")) return result;
        var r = new Utf8JsonReader(json, Options);
        try
        {
            r.Read();
            if (r.TokenType != JsonTokenType.StartObject)
                Add(result.Errors, "body", $"expected a JSON object {{ \"leadId\", \"features\" }} but found {Describe(r.TokenType)}");
            else result.Leads.Add(ReadLead(ref r, "", result.Errors));
            // Anything after the top-level value is malformed JSON; reading on makes the reader say where.
            r.Read();
            return result;
        }
        catch (JsonException e)
        {
            return Malformed(result, e);
        }
        catch (InvalidOperationException e)
        {
            return NotText(result, e, json, r.TokenStartIndex);
        }
    }

    /// <summary>
    /// A JSON array of leads. One pass checks the whole body and finds where each lead is (so malformed JSON is reported
    /// with its position before anything is read); the leads are then read on all cores, each into its own errors,
    /// merged in batch order.
    /// </summary>
    public static ParsedLeads ParseBatch(ReadOnlyMemory<byte> body, int maxLeads)
    {
        var json = body.Span;
        var result = new ParsedLeads([], []);
        if (IsBlank(json, result, "the request body is empty: send a JSON array of { \"leadId\", \"features\" } objects")) return result;
        // Where each lead object starts and ends; -1 for an element that is not an object (an error of its own).
        var elements = new List<(int Start, int Length)>();
        var r = new Utf8JsonReader(json, Options);
        try
        {
            r.Read();
            if (r.TokenType != JsonTokenType.StartArray)
            {
                Add(result.Errors, "body", $"expected a JSON array of leads but found {Describe(r.TokenType)}");
                r.Read();
                return result;
            }
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                var i = elements.Count;
                if (i >= maxLeads)
                {
                    Add(result.Errors, "body", $"the batch has more than {maxLeads} leads (the limit, Predict:MaxBatchSize); split it or send CSV");
                    return result;
                }
                var start = (int)r.TokenStartIndex;
                if (r.TokenType == JsonTokenType.StartObject)
                {
                    r.Skip();
                    elements.Add((start, (int)r.BytesConsumed - start));
                }
                else
                {
                    Add(result.Errors, $"[{i}]", $"expected a lead object but found {Describe(r.TokenType)}");
                    r.Skip();
                    elements.Add((-1, 0));
                }
            }
            if (elements.Count == 0) Add(result.Errors, "body", "the batch is empty: send at least one lead");
            r.Read();
        }
        catch (JsonException e)
        {
            return Malformed(result, e);
        }

        var leads = new LeadInput[elements.Count];
        var errors = new Dictionary<string, List<string>>?[elements.Count];
        var notText = new (InvalidOperationException Error, long Offset)?[elements.Count];
        void Read(int i)
        {
            var (start, length) = elements[i];
            if (start < 0) { leads[i] = new LeadInput(null, []); return; }
            var lead = new Utf8JsonReader(body.Span.Slice(start, length), Options);
            var own = new Dictionary<string, List<string>>();
            try
            {
                lead.Read();
                leads[i] = ReadLead(ref lead, $"[{i}].", own);
            }
            catch (InvalidOperationException e)
            {
                notText[i] = (e, start + lead.TokenStartIndex);
                leads[i] = new LeadInput(null, []);
            }
            if (own.Count > 0) errors[i] = own;
        }
        Chunked.For(elements.Count, (from, to) =>
        {
            for (var i = from; i < to; i++) Read(i);
        });

        for (var i = 0; i < elements.Count; i++)
        {
            if (notText[i] is { } bad) return NotText(result, bad.Error, json, bad.Offset);
            if (errors[i] is { } own)
                foreach (var (key, messages) in own)
                    foreach (var m in messages) Add(result.Errors, key, m);
        }
        result.Leads.AddRange(leads);
        return result;
    }

    private static bool IsBlank(ReadOnlySpan<byte> json, ParsedLeads result, string message)
    {
        if (!json.Trim(" \t\r\n"u8).IsEmpty) return false;
        Add(result.Errors, "body", message);
        return true;
    }

    private static ParsedLeads Malformed(ParsedLeads result, JsonException e) =>
        result with { Malformed = e.Message, Line = (e.LineNumber ?? 0) + 1, Byte = (e.BytePositionInLine ?? 0) + 1 };

    /// <summary>
    /// A name that is not valid text (e.g. an unpaired surrogate escape such as \ud800): the reader found the token but
    /// cannot turn it into a string. Reported like malformed JSON, at the token's position.
    /// </summary>
    private static ParsedLeads NotText(ParsedLeads result, InvalidOperationException e, ReadOnlySpan<byte> json, long offset)
    {
        var (line, column) = Position(json, offset);
        return result with { Malformed = e.Message, Line = line, Byte = column };
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
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            var isId = r.ValueTextEquals("leadId"u8) || r.ValueTextEquals("LeadId"u8);
            var isFeatures = r.ValueTextEquals("features"u8) || r.ValueTextEquals("Features"u8);
            r.Read();
            if (isId)
            {
                if (!TryScalar(ref r, out leadId, out var problem) || (leadId is not null && r.TokenType is JsonTokenType.True or JsonTokenType.False))
                {
                    Add(errors, prefix + "leadId", problem ?? $"must be a string or a number, not {Describe(r.TokenType)}");
                    leadId = null;
                    r.Skip();
                }
            }
            else if (isFeatures)
            {
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
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            var name = r.GetString()!;
            r.Read();
            if (TryScalar(ref r, out var value, out var problem)) features[name] = value;
            else
            {
                Add(errors, $"{prefix}features.{name}", problem ?? $"must be a number, string, boolean or null, not {Describe(r.TokenType)}");
                r.Skip();
            }
        }
        return features;
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
