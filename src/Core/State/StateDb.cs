using System.Data.Common;
using System.Text.Json;
using LeadPropensity.Core.Bands;

namespace LeadPropensity.Core.State;

/// <summary>Small ADO.NET helpers shared by both stores: commands with parameters, UTC times, cutoff specs as JSON.</summary>
internal static class StateDb
{
    public static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) Add(cmd, name, value);
        return cmd;
    }

    public static DbParameter Add(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
        return p;
    }

    public static async Task<int> ExecuteAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] ps)
    {
        await using var cmd = Command(c, tx, sql, ps);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<object?> ScalarAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] ps)
    {
        await using var cmd = Command(c, tx, sql, ps);
        var v = await cmd.ExecuteScalarAsync(ct);
        return v is DBNull ? null : v;
    }

    /// <summary>UTC, to the microsecond (PostgreSQL's precision), so both stores give back the same time.</summary>
    public static DateTime Utc(DateTime t)
    {
        var u = t.Kind switch
        {
            DateTimeKind.Local => t.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(t, DateTimeKind.Utc),
            _ => t,
        };
        return new DateTime(u.Ticks - u.Ticks % 10, DateTimeKind.Utc);
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private sealed record SpecJson(double? Mql, double? Sql, double? MqlPercentile, double? SqlPercentile, NamesJson? Names);
    private sealed record NamesJson(string Sql, string Mql, string Nurture, string Disqualified);

    public static string SpecToJson(CutoffSpec s) => JsonSerializer.Serialize(
        new SpecJson(s.Mql, s.Sql, s.MqlPercentile, s.SqlPercentile, new NamesJson(s.Names.Sql, s.Names.Mql, s.Names.Nurture, s.Names.Disqualified)), Json);

    public static CutoffSpec SpecFromJson(string json)
    {
        var j = JsonSerializer.Deserialize<SpecJson>(json, Json) ?? throw new InvalidDataException("empty band setting in the state store");
        var names = j.Names is { } n ? new BandNames(n.Sql, n.Mql, n.Nurture, n.Disqualified) : null;
        return new CutoffSpec(j.Mql, j.Sql, j.MqlPercentile, j.SqlPercentile, names);
    }

    /// <summary>
    /// Checks what every store needs of a prediction. Whether the features are a JSON object is checked too (on their UTF-8
    /// bytes when the record was made from them), unless <paramref name="jsonCheckedByInsert"/>: a store that checks the
    /// bytes it stores itself (SQLite) does so with <see cref="IsJsonObject(ReadOnlySpan{byte})"/> rather than twice.
    /// </summary>
    public static void Validate(IReadOnlyList<PredictionRecord> predictions, bool jsonCheckedByInsert = false)
    {
        foreach (var p in predictions)
        {
            if (string.IsNullOrWhiteSpace(p.LeadId)) throw new ArgumentException("a prediction has no lead id");
            if (string.IsNullOrWhiteSpace(p.Source)) throw new ArgumentException($"prediction for lead '{p.LeadId}' has no source");
            if (!double.IsFinite(p.Probability)) throw new ArgumentException($"prediction for lead '{p.LeadId}' has probability {p.Probability}");
            // The log's own features first: asking for their bytes would make the whole object.
            var isObject = p.FeaturesWritten || (p.TryGetFeaturesUtf8(out var utf8)
                ? jsonCheckedByInsert || IsJsonObject(utf8)
                : jsonCheckedByInsert ? p.FeaturesJson is not null : IsJsonObject(p.FeaturesJson));
            if (!isObject) throw NotAnObject(p);
        }
    }

    public static ArgumentException NotAnObject(PredictionRecord p) =>
        new($"prediction for lead '{p.LeadId}': FeaturesJson must be a JSON object");

    private static bool IsJsonObject(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return false;
        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxByteCount(json.Length));
        try { return IsJsonObject(bytes.AsSpan(0, System.Text.Encoding.UTF8.GetBytes(json, bytes))); }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(bytes); }
    }

    /// <summary>A forward-only read (no document built): this runs for every logged prediction.</summary>
    public static bool IsJsonObject(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException) { return false; }
    }
}
