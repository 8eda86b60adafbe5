using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using static LeadPropensity.Core.State.StateDb;

namespace LeadPropensity.Core.State;

/// <summary>
/// The store that several replicas share. Migrations and band changes take advisory locks, so replicas starting or
/// writing at once queue instead of colliding; the prediction log is written with binary COPY.
/// </summary>
public sealed class PostgresStateStore(string connectionString, TimeProvider? clock = null) : SqlStateStore(clock)
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    public override string Provider => "Postgres";

    protected override async Task<DbConnection> OpenAsync(CancellationToken ct) => await _source.OpenConnectionAsync(ct);

    protected override async Task LockAsync(DbConnection c, DbTransaction tx, long key, CancellationToken ct) =>
        await ScalarAsync(c, tx, "SELECT pg_advisory_xact_lock(@key)", ct, ("@key", key));

    protected override async Task<IAsyncDisposable> LockSessionAsync(DbConnection c, long key, CancellationToken ct)
    {
        await ScalarAsync(c, null, "SELECT pg_advisory_lock(@key)", ct, ("@key", key));
        return new SessionLock(c, key);
    }

    private sealed class SessionLock(DbConnection c, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await ScalarAsync(c, null, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("@key", key));
    }

    protected override object TimeValue(DateTime utc) => utc;

    protected override DateTime ReadTime(DbDataReader r, int ordinal) => DateTime.SpecifyKind(r.GetDateTime(ordinal), DateTimeKind.Utc);

    protected override string SchemaMigrationsDdl => """
        CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL)
        """;

    public override IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "band cutoffs and their audit trail", """
            CREATE TABLE band_settings (
                id integer PRIMARY KEY CHECK (id = 1), spec_json text NOT NULL, set_by text NOT NULL, set_at timestamptz NOT NULL,
                reason text NOT NULL, version bigint NOT NULL);
            CREATE TABLE band_audit (
                version bigint PRIMARY KEY, set_by text NOT NULL, set_at timestamptz NOT NULL, old_spec_json text,
                new_spec_json text NOT NULL, reason text NOT NULL);
            """),
        // features_json is json, not jsonb: jsonb reorders keys, and the export keeps the order the CRM sent.
        new(2, "prediction log and outcomes", """
            CREATE TABLE predictions (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, lead_id text NOT NULL, at timestamptz NOT NULL, model_version text,
                source text NOT NULL, probability double precision NOT NULL, score integer NOT NULL, band text NOT NULL,
                features_json json NOT NULL);
            CREATE INDEX ix_predictions_lead ON predictions (lead_id, at, id);
            CREATE INDEX ix_predictions_at ON predictions (at);
            CREATE TABLE outcomes (lead_id text PRIMARY KEY, won boolean NOT NULL, at timestamptz NOT NULL, received_at timestamptz NOT NULL);
            """),
        // Feature values per row, each list of field names once (SqlStateStore.FieldNameListsAsync).
        new(3, "feature names kept once per list", """
            CREATE TABLE feature_keys (id bigint PRIMARY KEY, names_json text NOT NULL);
            ALTER TABLE predictions ADD COLUMN features_keys bigint;
            """),
    ];

    protected override async Task InsertPredictionsAsync(DbConnection c, DbTransaction tx, IReadOnlyList<PredictionRecord> batch, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)c;
        var lists = await FieldNameListsAsync(c, tx, batch, ct);
        await using var copy = await conn.BeginBinaryImportAsync(
            "COPY predictions (lead_id, at, model_version, source, probability, score, band, features_json, features_keys) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var p in batch)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(p.LeadId, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(p.At, NpgsqlDbType.TimestampTz, ct);
            if (p.ModelVersion is null) await copy.WriteNullAsync(ct); else await copy.WriteAsync(p.ModelVersion, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(p.Source, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(p.Probability, NpgsqlDbType.Double, ct);
            await copy.WriteAsync(p.Score, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(p.Band, NpgsqlDbType.Text, ct);
            if (StoredAsValues(p, lists, out var logged))
            {
                await copy.WriteAsync(System.Text.Encoding.UTF8.GetString(logged.Values.Span), NpgsqlDbType.Json, ct);
                await copy.WriteAsync(logged.Names.Id, NpgsqlDbType.Bigint, ct);
            }
            else
            {
                await copy.WriteAsync(p.FeaturesJson, NpgsqlDbType.Json, ct);
                await copy.WriteNullAsync(ct);
            }
        }
        await copy.CompleteAsync(ct);
    }

    public override ValueTask DisposeAsync() => _source.DisposeAsync();
}
