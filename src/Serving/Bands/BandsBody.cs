using System.Text.Json;
using LeadPropensity.Core.Bands;
using LeadPropensity.Serving.Extensions;

namespace LeadPropensity.Serving.Bands;

/// <summary>A PUT /bands or POST /bands/simulate body, read by hand so every problem names its field.</summary>
public sealed record BandsBody(CutoffSpec? Spec, string? Reason, double? TargetPrecision, double? TopPercent)
{
    public const int MaxReasonLength = 1000;

    private static readonly char[] ControlCharacters =
        [.. Enumerable.Range(0, 32).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c), '\u007f'];

    private static readonly string[] CutoffFields = ["mql", "sql", "mqlPercentile", "sqlPercentile"];

    /// <summary>
    /// The body, or the problems keyed by field. A PUT needs cutoffs and a reason; a simulation may leave the
    /// cutoffs out (the ones in force are simulated) and may ask the inverse questions.
    /// </summary>
    public static (BandsBody? Body, Dictionary<string, string[]>? Errors) Parse(ReadOnlySpan<byte> json, bool forPut)
    {
        var errors = new Dictionary<string, string[]>();
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            if (forPut) return (null, One("body", "send a JSON object: { \"mql\": 0.2, \"sql\": 0.6, \"reason\": \"...\" } or { \"mqlPercentile\": 60, \"sqlPercentile\": 90, \"reason\": \"...\" }"));
            json = "{}"u8;
        }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json.ToArray()); }
        catch (JsonException e) { return (null, One("body", $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte {e.BytePositionInLine ?? 0}: {e.Message}")); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, One("body", $"the body must be a JSON object, not {doc.RootElement.ValueKind}"));
            string[] allowed = forPut ? [.. CutoffFields, "reason"] : [.. CutoffFields, "reason", "targetPrecision", "topPercent"];
            var numbers = new Dictionary<string, double?>();
            string? reason = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!p.TryGetName(out var sent)) { errors["body"] = [$"a field name {JsonText.Invalid}"]; continue; }
                var name = allowed.FirstOrDefault(a => a.Equals(sent, StringComparison.OrdinalIgnoreCase));
                if (name is null) { errors[sent] = [$"unknown field; expected {string.Join(", ", allowed)}"]; continue; }
                // Sent twice (names match ignoring case): which value was meant cannot be told, so neither is taken.
                if (!seen.Add(name)) { errors[name] = ["is given more than once (names match ignoring case): send it once"]; continue; }
                if (p.Value.ValueKind == JsonValueKind.Null) continue;
                if (name == "reason")
                {
                    if (p.Value.ValueKind != JsonValueKind.String) errors[name] = [$"must be a string, not {p.Value.ValueKind}"];
                    else if (!p.Value.TryGetText(out reason)) errors[name] = [JsonText.Invalid];
                }
                else if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDouble(out var d)) numbers[name] = d;
                else errors[name] = [$"must be a number, not {p.Value.ValueKind}"];
            }
            if (errors.Count > 0) return (null, errors);

            CutoffSpec? spec = null;
            var anyCutoff = CutoffFields.Any(numbers.ContainsKey);
            if (forPut || anyCutoff)
            {
                var (mql, sql, mp, sp) = (numbers.GetValueOrDefault("mql"), numbers.GetValueOrDefault("sql"),
                    numbers.GetValueOrDefault("mqlPercentile"), numbers.GetValueOrDefault("sqlPercentile"));
                if (CutoffSpec.FieldProblem(mql, sql, mp, sp) is { } problem) errors[problem.Field] = [problem.Message];
                else spec = new CutoffSpec(mql, sql, mp, sp);
            }
            if (forPut)
            {
                if (string.IsNullOrWhiteSpace(reason)) errors["reason"] = ["say why the cutoffs change (a non-blank 'reason'); it is kept in the audit trail"];
                else if (reason.Length > MaxReasonLength) errors["reason"] = [$"keep the reason under {MaxReasonLength} characters (got {reason.Length})"];
                // The audit trail is read by people and stored as text (PostgreSQL refuses NUL in text outright).
                else if (reason.IndexOfAny(ControlCharacters) is var at and >= 0)
                    errors["reason"] = [$"holds a control character (U+{(int)reason[at]:X4} at position {at}); only tabs and line breaks are allowed"];
            }
            var target = numbers.GetValueOrDefault("targetPrecision");
            if (target is { } t && !(t > 0 && t <= 1)) errors["targetPrecision"] = [$"a precision target must lie in (0, 1] (got {t:R})"];
            var top = numbers.GetValueOrDefault("topPercent");
            if (top is { } k && !(k > 0 && k < 100)) errors["topPercent"] = [$"the top share must lie strictly between 0 and 100 percent (got {k:R})"];
            return errors.Count > 0 ? (null, errors) : (new BandsBody(spec, reason?.Trim(), target, top), null);
        }
    }

    private static Dictionary<string, string[]> One(string key, string message) => new() { [key] = [message] };
}
