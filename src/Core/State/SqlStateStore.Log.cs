using System.Data.Common;
using System.Runtime.CompilerServices;
using static LeadPropensity.Core.State.StateDb;

namespace LeadPropensity.Core.State;

// The prediction log, outcomes, and the joins over them (live calibration, the next training set).
public abstract partial class SqlStateStore
{
    private const int Chunk = 500;

    /// <summary>
    /// The table whose (lead_id, at, id) rows find a lead's latest logged prediction by id, and whether it has one: the log
    /// itself where the store keeps a lead index on it, or an index of its own (holding at least each lead's latest) that
    /// <see cref="UpdateLeadLookupAsync"/> brings up to date before a read.
    /// </summary>
    protected virtual string LeadLookup => "predictions";

    /// <summary>Makes <see cref="LeadLookup"/> cover every logged prediction's lead (inside <paramref name="tx"/> when given).</summary>
    protected virtual Task UpdateLeadLookupAsync(DbConnection c, DbTransaction? tx, CancellationToken ct) => Task.CompletedTask;

    // The log's own predictions keep their feature values only, as a JSON array, with features_keys naming a list of field
    // names kept once in feature_keys (LoggedFeatures, FieldNames): most of a logged lead's JSON was its names, the same for
    // every lead a CRM sends. Rows with features_keys NULL (older ones, and features given as text) hold the whole object.

    /// <summary>
    /// The two columns a logged prediction's features are read from (the alias is the predictions table's): the stored
    /// features, and the JSON list of field names they go with, or NULL when the stored features are the whole object.
    /// </summary>
    private static string FeaturesSelect(string alias) => $"{alias}.features_json, k.names_json";

    /// <summary>What <see cref="FeaturesSelect"/> needs joined to the predictions table.</summary>
    private static string FeaturesJoin(string alias) => $"LEFT JOIN feature_keys k ON k.id = {alias}.features_keys";

    /// <summary>
    /// The lists of field names the batch's logged features use, each made sure of in feature_keys inside the batch's own
    /// transaction (a batch that fails leaves no list behind, and no row is ever stored without its list), looked up once
    /// per batch, not per row. The value is false for a list whose id is taken by other names (a hash collision: not to
    /// be expected, but not to be trusted either): those rows keep their whole object. Replicas adding the same list at
    /// once are fine: the insert does nothing when the id is there.
    /// </summary>
    protected static async Task<Dictionary<FieldNames, bool>?> FieldNameListsAsync(
        DbConnection c, DbTransaction tx, IReadOnlyList<PredictionRecord> batch, CancellationToken ct)
    {
        Dictionary<FieldNames, bool>? lists = null;
        FieldNames? last = null;
        foreach (var p in batch)
        {
            if (p.Logged is not { } logged || ReferenceEquals(logged.Names, last)) continue;
            last = logged.Names;
            (lists ??= new Dictionary<FieldNames, bool>(ReferenceEqualityComparer.Instance)).TryAdd(last, false);
        }
        if (lists is null) return null;
        // The lists already stored, in one query per chunk (a CRM that leaves out empty fields sends many lists)...
        var stored = new Dictionary<long, string>();
        foreach (var chunk in lists.Keys.Select(l => l.Id).Distinct().Chunk(Chunk))
        {
            var (inList, ps) = InList(chunk);
            await using var cmd = Command(c, tx, $"SELECT id, names_json FROM feature_keys WHERE id IN ({inList})", ps);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) stored[r.GetInt64(0)] = r.GetString(1);
        }
        // ...and the new ones added, then read back (another replica may have added the id at the same moment).
        foreach (var list in lists.Keys.ToArray())
        {
            if (!stored.TryGetValue(list.Id, out var names))
            {
                await ExecuteAsync(c, tx, "INSERT INTO feature_keys (id, names_json) VALUES (@id, @names) ON CONFLICT (id) DO NOTHING", ct,
                    ("@id", list.Id), ("@names", list.Json));
                stored[list.Id] = names = await ScalarAsync(c, tx, "SELECT names_json FROM feature_keys WHERE id = @id", ct, ("@id", list.Id)) as string ?? "";
            }
            lists[list] = names == list.Json;
        }
        return lists;
    }

    /// <summary>Whether <paramref name="p"/> is stored as its values and a list of names (see <see cref="FieldNameListsAsync"/>).</summary>
    protected static bool StoredAsValues(PredictionRecord p, Dictionary<FieldNames, bool>? lists,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LoggedFeatures? logged)
    {
        logged = p.Logged;
        return logged is not null && lists![logged.Names];
    }

    /// <summary>The features object from the two <see cref="FeaturesSelect"/> columns at <paramref name="ordinal"/>.</summary>
    private static string ReadFeatures(DbDataReader r, int ordinal, ref FieldNames? names)
    {
        var stored = r.GetString(ordinal);
        if (r.IsDBNull(ordinal + 1)) return stored;
        var json = r.GetString(ordinal + 1);
        if (names is null || names.Json != json) names = FieldNames.Parse(json);
        return System.Text.Encoding.UTF8.GetString(LoggedFeatures.Compose(names.Names, System.Text.Encoding.UTF8.GetBytes(stored)));
    }

    /// <summary>True when <see cref="InsertPredictionsAsync"/> checks that each row's features are a JSON object itself.</summary>
    protected virtual bool InsertChecksFeaturesJson => false;

    public async Task AppendPredictionsAsync(IReadOnlyList<PredictionRecord> predictions, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        if (predictions.Count == 0) return;
        Validate(predictions, jsonCheckedByInsert: InsertChecksFeaturesJson);
        var batch = predictions.Select(p => p with { At = Utc(p.At) }).ToList();
        await using var c = await OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await InsertPredictionsAsync(c, tx, batch, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Rows deleted per statement by <see cref="DeletePredictionsBeforeAsync"/>.</summary>
    internal const int DeleteChunk = 5000;

    public async Task<long> DeletePredictionsBeforeAsync(DateTime before, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        long total = 0;
        while (true)
        {
            await using var cmd = Command(c, null,
                $"DELETE FROM predictions WHERE id IN (SELECT id FROM predictions WHERE at < @before ORDER BY id LIMIT {DeleteChunk})",
                ("@before", TimeValue(Utc(before))));
            var n = await cmd.ExecuteNonQueryAsync(ct);
            total += n;
            if (n < DeleteChunk) return total;
        }
    }

    public async Task<IReadOnlyList<PredictionRecord>> GetPredictionsAsync(DateTime? from = null, DateTime? to = null, CancellationToken ct = default)
    {
        var list = new List<PredictionRecord>();
        await foreach (var p in StreamPredictionsAsync(from, to, ct)) list.Add(p);
        return list;
    }

    public async IAsyncEnumerable<PredictionRecord> StreamPredictionsAsync(
        DateTime? from = null, DateTime? to = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        var (where, ps) = Window("p.at", from, to);
        await using var cmd = Command(c, null, $"""
            SELECT p.lead_id, p.at, p.model_version, p.source, p.probability, p.score, p.band, {FeaturesSelect("p")}
            FROM predictions p {FeaturesJoin("p")} {where} ORDER BY p.at, p.id
            """, ps);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        FieldNames? names = null;
        while (await r.ReadAsync(ct))
            yield return new PredictionRecord(r.GetString(0), ReadTime(r, 1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
                r.GetDouble(4), r.GetInt32(5), r.GetString(6), ReadFeatures(r, 7, ref names));
    }

    public async Task<OutcomeUpsertResult> UpsertOutcomesAsync(IReadOnlyList<OutcomeRecord> outcomes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Any(o => string.IsNullOrWhiteSpace(o.LeadId))) throw new ArgumentException("an outcome has no lead id", nameof(outcomes));
        // Within a batch the latest time wins, and of equal times the later entry.
        var latest = new Dictionary<string, OutcomeRecord>(StringComparer.Ordinal);
        foreach (var o in outcomes.Select(o => o with { At = Utc(o.At) }))
            if (!latest.TryGetValue(o.LeadId, out var seen) || o.At >= seen.At) latest[o.LeadId] = o;
        if (latest.Count == 0) return new OutcomeUpsertResult(0, 0, 0, 0);

        await using var c = await OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await UpdateLeadLookupAsync(c, tx, ct);
        var existing = new Dictionary<string, (bool Won, DateTime At)>(StringComparer.Ordinal);
        var scored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ids in latest.Keys.Chunk(Chunk))
        {
            var (inList, ps) = InList(ids);
            await using (var cmd = Command(c, tx, $"SELECT lead_id, won, at FROM outcomes WHERE lead_id IN ({inList})", ps))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) existing[r.GetString(0)] = (r.GetBoolean(1), ReadTime(r, 2));
            await using (var cmd = Command(c, tx, $"SELECT DISTINCT lead_id FROM {LeadLookup} WHERE lead_id IN ({inList})", ps))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) scored.Add(r.GetString(0));
        }

        int inserted = 0, updated = 0, unchanged = 0;
        // The WHERE keeps "latest wins" even when another writer got there between our read and this write.
        await using var upsert = Command(c, tx, """
            INSERT INTO outcomes (lead_id, won, at, received_at) VALUES (@lead, @won, @at, @received)
            ON CONFLICT (lead_id) DO UPDATE SET won = excluded.won, at = excluded.at, received_at = excluded.received_at
            WHERE excluded.at >= outcomes.at
            """);
        var (lead, won, at, received) = (Add(upsert, "@lead", null), Add(upsert, "@won", null), Add(upsert, "@at", null), Add(upsert, "@received", null));
        var now = TimeValue(Now());
        foreach (var o in latest.Values)
        {
            if (existing.TryGetValue(o.LeadId, out var old))
            {
                if (o.At < old.At || (o.At == old.At && o.Won == old.Won)) { unchanged++; continue; }
                updated++;
            }
            else inserted++;
            (lead.Value, won.Value, at.Value, received.Value) = (o.LeadId, o.Won, TimeValue(o.At), now);
            await upsert.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return new OutcomeUpsertResult(inserted, updated, unchanged, latest.Keys.Count(k => !scored.Contains(k)));
    }

    public async Task<long> CountUnscoredOutcomesAsync(CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await UpdateLeadLookupAsync(c, null, ct);
        var n = await ScalarAsync(c, null,
            $"SELECT COUNT(*) FROM outcomes o WHERE NOT EXISTS (SELECT 1 FROM {LeadLookup} p WHERE p.lead_id = o.lead_id)", ct);
        return Convert.ToInt64(n);
    }

    /// <summary>Each outcome joined with its lead's latest prediction (by time, then by arrival).</summary>
    private string LatestJoin => $"""
        FROM outcomes o JOIN predictions p ON p.id = (
            SELECT p2.id FROM {LeadLookup} p2 WHERE p2.lead_id = o.lead_id ORDER BY p2.at DESC, p2.id DESC LIMIT 1)
        """;

    public async Task<IReadOnlyList<ScoredOutcome>> GetScoredOutcomesAsync(DateTime? from = null, DateTime? to = null, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await UpdateLeadLookupAsync(c, null, ct);
        var (where, ps) = Window("p.at", from, to);
        await using var cmd = Command(c, null, $"""
            SELECT o.lead_id, p.at, p.model_version, p.source, p.probability, p.score, p.band, o.won, o.at
            {LatestJoin} {where} ORDER BY o.lead_id
            """, ps);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ScoredOutcome>();
        while (await r.ReadAsync(ct))
            list.Add(new ScoredOutcome(r.GetString(0), ReadTime(r, 1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
                r.GetDouble(4), r.GetInt32(5), r.GetString(6), r.GetBoolean(7), ReadTime(r, 8)));
        return list;
    }

    public async IAsyncEnumerable<TrainingRow> ExportTrainingRowsAsync(DateTime? since = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await UpdateLeadLookupAsync(c, null, ct);
        var (where, ps) = Window("p.at", since, null);
        await using var cmd = Command(c, null,
            $"SELECT o.lead_id, p.at, o.won, o.at, {FeaturesSelect("p")} {LatestJoin} {FeaturesJoin("p")} {where} ORDER BY o.lead_id", ps);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        FieldNames? names = null;
        while (await r.ReadAsync(ct))
            yield return new TrainingRow(r.GetString(0), ReadTime(r, 1), ReadFeatures(r, 4, ref names), r.GetBoolean(2), ReadTime(r, 3));
    }

    // Conditions are left out rather than written as "@from IS NULL OR …": PostgreSQL cannot type an untyped null parameter.
    private (string Where, (string, object?)[] Params) Window(string column, DateTime? from, DateTime? to)
    {
        var conditions = new List<string>();
        var ps = new List<(string, object?)>();
        if (from is { } f) { conditions.Add($"{column} >= @from"); ps.Add(("@from", TimeValue(Utc(f)))); }
        if (to is { } t) { conditions.Add($"{column} < @to"); ps.Add(("@to", TimeValue(Utc(t)))); }
        return (conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions), [.. ps]);
    }

    private static (string List, (string, object?)[] Params) InList<T>(T[] ids) =>
        (string.Join(", ", ids.Select((_, i) => $"@id{i}")), ids.Select((id, i) => ($"@id{i}", (object?)id)).ToArray());
}
