using System.Text.Json;

namespace LeadPropensity.Core.Schema;

/// <summary>Reads schema.json by hand so that every error names the entry a person has to fix.</summary>
internal static class SchemaValidator
{
    private static readonly Dictionary<string, ColumnType> Types = Enum.GetValues<ColumnType>()
        .ToDictionary(t => t.ToString().ToLowerInvariant(), t => t);

    // Every property the schema knows, per object. Anything else is refused by name: a misspelt key read as absent would
    // be silent, and some are not harmless ("availableAtScoreing": false would let a post-outcome field leak into the model).
    private static readonly string[] RootKeys = ["label", "id", "timestamp", "missingTokens", "columns"];
    private static readonly string[] LabelKeys = ["column", "positive", "negative", "open"];
    private static readonly string[] ColumnKeys = ["name", "type", "availableAtScoring", "trueValues", "falseValues", "format"];

    public static LeadSchema Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SchemaException($"{source}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new SchemaException($"{source}: the schema must be a JSON object");
            KnownKeys(root, RootKeys, source);

            var label = ReadLabel(root, source);
            var id = OptionalString(root, "id", source);
            var timestamp = OptionalString(root, "timestamp", source);
            var missing = OptionalStringList(root, "missingTokens", source) ?? LeadSchema.DefaultMissingTokens;

            if (!root.TryGetProperty("columns", out var cols) || cols.ValueKind != JsonValueKind.Array)
                throw new SchemaException($"{source}: 'columns' must be an array of column entries");

            var columns = new List<ColumnSpec>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var i = 0;
            foreach (var c in cols.EnumerateArray())
            {
                var where = $"{source}: columns[{i}]";
                if (c.ValueKind != JsonValueKind.Object) throw new SchemaException($"{where} must be an object");
                var name = OptionalString(c, "name", where);
                if (string.IsNullOrWhiteSpace(name)) throw new SchemaException($"{where} has no 'name'");
                where = $"{source}: columns[{i}] ('{name}')";
                KnownKeys(c, ColumnKeys, where);
                if (!seen.Add(name)) throw new SchemaException($"{where} is listed twice");
                var typeText = OptionalString(c, "type", where);
                if (typeText is null) throw new SchemaException($"{where} has no 'type'");
                if (!Types.TryGetValue(typeText.ToLowerInvariant(), out var type))
                    throw new SchemaException($"{where} has unknown type '{typeText}'; use one of {string.Join(", ", Types.Keys)}");
                var available = true;
                if (c.TryGetProperty("availableAtScoring", out var av))
                {
                    if (av.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                        throw new SchemaException($"{where}: 'availableAtScoring' must be true or false");
                    available = av.GetBoolean();
                }
                var trueValues = OptionalStringList(c, "trueValues", where);
                var falseValues = OptionalStringList(c, "falseValues", where);
                if ((trueValues is not null || falseValues is not null) && type != ColumnType.Boolean)
                    throw new SchemaException($"{where}: 'trueValues'/'falseValues' only apply to boolean columns");
                if (trueValues is not null && falseValues is not null &&
                    trueValues.Intersect(falseValues, StringComparer.OrdinalIgnoreCase).Any())
                    throw new SchemaException($"{where}: a word is in both 'trueValues' and 'falseValues'");
                columns.Add(new ColumnSpec
                {
                    Name = name, Type = type, AvailableAtScoring = available,
                    TrueValues = trueValues, FalseValues = falseValues,
                    Format = OptionalString(c, "format", where),
                });
                i++;
            }

            if (columns.Count == 0) throw new SchemaException($"{source}: 'columns' is empty");
            if (id is not null && id == label.Column)
                throw new SchemaException($"{source}: 'id' and the label are the same column '{id}'");
            if (timestamp is not null && columns.FirstOrDefault(c => c.Name == timestamp) is { } ts && ts.Type != ColumnType.Datetime && ts.Type != ColumnType.Ignore)
                throw new SchemaException($"{source}: 'timestamp' column '{timestamp}' must have type datetime (it has {ts.Type.ToString().ToLowerInvariant()})");

            var schema = new LeadSchema { Label = label, Id = id, Timestamp = timestamp, MissingTokens = missing, Columns = columns };
            if (!schema.FeatureColumns.Any())
                throw new SchemaException($"{source}: no column can be a feature (all are ignored, the label, the id, or not available at scoring)");
            return schema;
        }
    }

    private static LabelSpec ReadLabel(JsonElement root, string source)
    {
        if (!root.TryGetProperty("label", out var l) || l.ValueKind != JsonValueKind.Object)
            throw new SchemaException($"{source}: 'label' must be an object like {{ \"column\": \"outcome\", \"positive\": [\"won\"] }}");
        KnownKeys(l, LabelKeys, $"{source}: label");
        var column = OptionalString(l, "column", $"{source}: label");
        if (string.IsNullOrWhiteSpace(column)) throw new SchemaException($"{source}: label has no 'column'");
        var positive = OptionalStringList(l, "positive", $"{source}: label");
        if (positive is { Count: 0 }) throw new SchemaException($"{source}: label 'positive' is empty");
        var negative = OptionalStringList(l, "negative", $"{source}: label");
        if (positive is not null && negative is not null && positive.Intersect(negative, StringComparer.OrdinalIgnoreCase).Any())
            throw new SchemaException($"{source}: a label value is both positive and negative");
        var open = OptionalStringList(l, "open", $"{source}: label");
        var spec = positive is null ? new LabelSpec { Column = column, Negative = negative, Open = open }
            : new LabelSpec { Column = column, Positive = positive, Negative = negative, Open = open };
        // A value in two lists would be read by whichever list is checked first: refuse it rather than guess.
        if (open is not null && Overlap(spec.Positive, open) is { } p) throw new SchemaException($"{source}: label: '{p}' is both positive and open");
        if (open is not null && negative is not null && Overlap(negative, open) is { } n) throw new SchemaException($"{source}: label: '{n}' is both negative and open");
        return spec;
    }

    private static string? Overlap(IReadOnlyList<string> a, List<string> b) =>
        a.FirstOrDefault(x => b.Any(y => string.Equals(x.Trim(), y.Trim(), StringComparison.OrdinalIgnoreCase)));

    private static void KnownKeys(JsonElement e, string[] known, string where)
    {
        foreach (var p in e.EnumerateObject())
        {
            if (known.Contains(p.Name, StringComparer.Ordinal)) continue;
            var near = known.MinBy(k => Distance(k.ToLowerInvariant(), p.Name.ToLowerInvariant()))!;
            var hint = Distance(near.ToLowerInvariant(), p.Name.ToLowerInvariant()) <= Math.Max(2, near.Length / 4) ? $"did you mean '{near}'? " : "";
            throw new SchemaException($"{where}: unknown property '{p.Name}'; {hint}the properties here are {string.Join(", ", known)}");
        }
    }

    /// <summary>Edit distance (insertions, deletions, substitutions), for the nearest known name.</summary>
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    private static string? OptionalString(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new SchemaException($"{where}: '{name}' must be a string");
        return v.GetString();
    }

    private static List<string>? OptionalStringList(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Array) throw new SchemaException($"{where}: '{name}' must be an array of strings");
        var list = new List<string>();
        var k = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) list.Add(item.GetString()!);
            else if (item.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) list.Add(item.GetRawText());
            else throw new SchemaException($"{where}: '{name}[{k}]' must be a string");
            k++;
        }
        return list;
    }
}
