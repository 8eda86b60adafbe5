using System.Text.Json;
using System.Text.Json.Serialization;

namespace LeadPropensity.Core.Schema;

/// <summary>What each column of a CRM export is: the contract between an export, training and serving.</summary>
public sealed record LeadSchema
{
    public required LabelSpec Label { get; init; }
    public string? Id { get; init; }
    public string? Timestamp { get; init; }
    public IReadOnlyList<string> MissingTokens
    {
        get => _missingTokens;
        init => (_missingTokens, _missing) = (value, new MissingTokenSet(value));
    }
    public required IReadOnlyList<ColumnSpec> Columns { get; init; }

    public static readonly IReadOnlyList<string> DefaultMissingTokens = ["", "NA", "N/A", "null", "Select", "unknown"];
    private static readonly MissingTokenSet DefaultMissing = new(DefaultMissingTokens);

    // The tokens and their matcher, set together (so "with" keeps them together); the matcher is equal for equal tokens,
    // so two schemas compare as they did when the tokens alone were kept.
    private readonly IReadOnlyList<string> _missingTokens = DefaultMissingTokens;
    private readonly MissingTokenSet _missing = DefaultMissing;

    /// <summary>Columns that become model features: typed, available at scoring, not the label or id.</summary>
    [JsonIgnore]
    public IEnumerable<ColumnSpec> FeatureColumns => Columns.Where(c =>
        c.Type != ColumnType.Ignore && c.AvailableAtScoring &&
        !string.Equals(c.Name, Label.Column, StringComparison.Ordinal) &&
        !string.Equals(c.Name, Id, StringComparison.Ordinal));

    public ColumnSpec? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>True for null and for a value that is one of <see cref="MissingTokens"/> once trimmed, ignoring case.</summary>
    public bool IsMissing(string? raw) => _missing.IsMissing(raw);

    /// <summary>Maps a raw label value to true/false, or null when it is neither a positive nor a known negative (open, missing or unmapped).</summary>
    public bool? MapLabel(string? raw) => ReadLabel(raw) switch
    {
        LabelOutcome.Won => true,
        LabelOutcome.Lost => false,
        _ => null,
    };

    /// <summary>
    /// What a raw label value says, matched as missing tokens are (trimmed, ignoring case). Without a negative list every
    /// filled value that is not positive or open is lost; with one, such a value is <see cref="LabelOutcome.Unmapped"/>.
    /// </summary>
    public LabelOutcome ReadLabel(string? raw)
    {
        if (raw is null) return LabelOutcome.Missing;
        var t = raw.Trim();
        if (Matches(Label.Positive, t)) return LabelOutcome.Won;
        if (Label.Open is { } open && Matches(open, t)) return LabelOutcome.Open;
        if (Label.Negative is { Count: > 0 } neg && Matches(neg, t)) return LabelOutcome.Lost;
        if (IsMissing(t)) return LabelOutcome.Missing;
        return Label.Negative is { Count: > 0 } ? LabelOutcome.Unmapped : LabelOutcome.Lost;
    }

    private static bool Matches(IReadOnlyList<string> values, string trimmed) =>
        values.Any(v => string.Equals(v.Trim(), trimmed, StringComparison.OrdinalIgnoreCase));

    public string ToJson() => JsonSerializer.Serialize(this, SchemaJson.Options);

    public void Save(string path) => File.WriteAllText(path, ToJson() + "\n");

    public static LeadSchema Load(string path)
    {
        if (!File.Exists(path)) throw new SchemaException($"schema file '{path}' does not exist");
        return Parse(File.ReadAllText(path), path);
    }

    public static LeadSchema Parse(string json, string source = "schema") => SchemaValidator.Parse(json, source);
}

/// <summary>What a label value says about a lead: it bought, it did not, it has no outcome yet, it has no label, or the schema cannot tell.</summary>
public enum LabelOutcome { Won, Lost, Open, Missing, Unmapped }

public sealed record LabelSpec
{
    public required string Column { get; init; }
    public IReadOnlyList<string> Positive { get; init; } = ["1", "won", "yes", "true"];
    /// <summary>Optional: when given, any value that is neither positive, negative nor open is an error instead of a negative.</summary>
    public IReadOnlyList<string>? Negative { get; init; }
    /// <summary>Optional: values that mean the lead has no outcome yet ("Open", "Working"); such rows are left out of training and evaluation.</summary>
    public IReadOnlyList<string>? Open { get; init; }
}

public sealed record ColumnSpec
{
    public required string Name { get; init; }
    public required ColumnType Type { get; init; }
    public bool AvailableAtScoring { get; init; } = true;
    /// <summary>For boolean columns: the words that mean true / false (default yes/no, true/false, 1/0, y/n, t/f).</summary>
    public IReadOnlyList<string>? TrueValues { get; init; }
    public IReadOnlyList<string>? FalseValues { get; init; }
    /// <summary>Optional datetime format (.NET custom format); ISO 8601 and common formats are tried otherwise.</summary>
    public string? Format { get; init; }

    public static readonly string[] DefaultTrue = ["yes", "true", "1", "y", "t"];
    public static readonly string[] DefaultFalse = ["no", "false", "0", "n", "f"];

    /// <summary>Parses a boolean word; null when the value is not one of the column's boolean words.</summary>
    public bool? ParseBoolean(string raw)
    {
        var t = raw.Trim();
        foreach (var w in TrueValues ?? DefaultTrue) if (string.Equals(w, t, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var w in FalseValues ?? DefaultFalse) if (string.Equals(w, t, StringComparison.OrdinalIgnoreCase)) return false;
        return null;
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<ColumnType>))]
public enum ColumnType { Numeric, Categorical, Boolean, Text, Datetime, Ignore }

public sealed class SchemaException(string message) : Exception(message);

internal static class SchemaJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };
}
