using System.Text.Json;

namespace LeadPropensity.Core.Schema;

/// <summary>Reads the label's "open" values (no outcome yet) from schema.json, once <see cref="SchemaValidator"/> has read the rest.</summary>
internal static class LabelOpenValues
{
    public static LeadSchema Read(LeadSchema schema, string json, string source)
    {
        // The validator has already accepted the JSON and its label object, so neither lookup can fail here.
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!doc.RootElement.GetProperty("label").TryGetProperty("open", out var v) || v.ValueKind == JsonValueKind.Null) return schema;
        var where = $"{source}: label";
        if (v.ValueKind != JsonValueKind.Array) throw new SchemaException($"{where}: 'open' must be an array of strings");
        var open = new List<string>();
        var k = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) open.Add(item.GetString()!);
            else if (item.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) open.Add(item.GetRawText());
            else throw new SchemaException($"{where}: 'open[{k}]' must be a string");
            k++;
        }
        // A value in two lists would be read by whichever list is checked first: refuse it rather than guess.
        if (Overlap(schema.Label.Positive, open) is { } p) throw new SchemaException($"{where}: '{p}' is both positive and open");
        if (schema.Label.Negative is { } neg && Overlap(neg, open) is { } n) throw new SchemaException($"{where}: '{n}' is both negative and open");
        return schema with { Label = schema.Label with { Open = open } };
    }

    private static string? Overlap(IReadOnlyList<string> a, List<string> b) =>
        a.FirstOrDefault(x => b.Any(y => string.Equals(x.Trim(), y.Trim(), StringComparison.OrdinalIgnoreCase)));
}
