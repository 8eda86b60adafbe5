using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using static LeadPropensity.Core.State.StateDb;

namespace LeadPropensity.Core.State;

/// <summary>
/// The single-machine store: one SQLite file (created with its folder on first start) in WAL mode, so readers never
/// wait for the writer. Times are ISO 8601 text with a fixed width, so they compare correctly as strings.
/// </summary>
public sealed class SqliteStateStore : SqlStateStore
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
    private readonly string _connectionString;
    private int _prepared;
    private volatile bool _wal;

    public SqliteStateStore(string connectionString, TimeProvider? clock = null) : base(clock)
    {
        var b = new SqliteConnectionStringBuilder(connectionString);
        if (b.Mode == SqliteOpenMode.Memory || b.DataSource is "" or ":memory:")
            throw new ArgumentException("the SQLite state store needs a file (Data Source=path/state.db), not an in-memory database");
        // Writers queue on the file lock; wait for it rather than fail (the default command timeout is 30 s).
        if (b.DefaultTimeout < 30) b.DefaultTimeout = 30;
        _connectionString = b.ToString();
        Path = System.IO.Path.GetFullPath(b.DataSource);
    }

    public override string Provider => "Sqlite";

    /// <summary>The database file.</summary>
    public string Path { get; }

    protected override async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref _prepared, 1, 0) == 0 && System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } dir)
            Directory.CreateDirectory(dir);
        var c = new SqliteConnection(_connectionString);
        try
        {
            await c.OpenAsync(ct);
            await ExecuteAsync(c, null, "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;", ct);
            // journal_mode is stored in the file: once per store is enough.
            if (!_wal) { await ExecuteAsync(c, null, "PRAGMA journal_mode = WAL;", ct); _wal = true; }
            return c;
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default) already holds the file's write lock.
    protected override Task LockAsync(DbConnection c, DbTransaction tx, long key, CancellationToken ct) => Task.CompletedTask;

    protected override Task<IAsyncDisposable> LockSessionAsync(DbConnection c, long key, CancellationToken ct) =>
        Task.FromResult<IAsyncDisposable>(NoLock.Instance);

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    protected override object TimeValue(DateTime utc) => utc.ToString(TimeFormat, CultureInfo.InvariantCulture);

    protected override DateTime ReadTime(DbDataReader r, int ordinal) =>
        DateTime.ParseExact(r.GetString(ordinal), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    protected override string SchemaMigrationsDdl => """
        CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)
        """;

    public override IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "band cutoffs and their audit trail", """
            CREATE TABLE band_settings (
                id INTEGER PRIMARY KEY CHECK (id = 1), spec_json TEXT NOT NULL, set_by TEXT NOT NULL, set_at TEXT NOT NULL,
                reason TEXT NOT NULL, version INTEGER NOT NULL);
            CREATE TABLE band_audit (
                version INTEGER PRIMARY KEY, set_by TEXT NOT NULL, set_at TEXT NOT NULL, old_spec_json TEXT,
                new_spec_json TEXT NOT NULL, reason TEXT NOT NULL);
            """),
        new(2, "prediction log and outcomes", """
            CREATE TABLE predictions (
                id INTEGER PRIMARY KEY AUTOINCREMENT, lead_id TEXT NOT NULL, at TEXT NOT NULL, model_version TEXT,
                source TEXT NOT NULL, probability REAL NOT NULL, score INTEGER NOT NULL, band TEXT NOT NULL, features_json TEXT NOT NULL);
            CREATE INDEX ix_predictions_lead ON predictions (lead_id, at, id);
            CREATE INDEX ix_predictions_at ON predictions (at);
            CREATE TABLE outcomes (lead_id TEXT PRIMARY KEY, won INTEGER NOT NULL, at TEXT NOT NULL, received_at TEXT NOT NULL);
            """),
    ];

    /// <summary>Rows per INSERT statement: one statement step for many rows, well inside SQLite's parameter limit.</summary>
    private const int RowsPerInsert = 32;

    // Multi-row INSERTs, each prepared once per batch and re-bound, inside the caller's transaction: a statement per
    // row spent more in the driver's per-statement work than SQLite spent storing the row.
    protected override Task InsertPredictionsAsync(DbConnection c, DbTransaction tx, IReadOnlyList<PredictionRecord> batch, CancellationToken ct)
    {
        SqliteCommand? full = null, rest = null;
        try
        {
            for (var start = 0; start < batch.Count; start += RowsPerInsert)
            {
                ct.ThrowIfCancellationRequested();
                var n = Math.Min(RowsPerInsert, batch.Count - start);
                var cmd = n == RowsPerInsert ? full ??= InsertCommand(c, tx, n) : rest = InsertCommand(c, tx, n);
                for (var i = 0; i < n; i++)
                {
                    var p = batch[start + i];
                    var ps = cmd.Parameters;
                    var o = i * 8;
                    (ps[o].Value, ps[o + 1].Value, ps[o + 2].Value, ps[o + 3].Value) = (p.LeadId, TimeValue(p.At), (object?)p.ModelVersion ?? DBNull.Value, p.Source);
                    (ps[o + 4].Value, ps[o + 5].Value, ps[o + 6].Value, ps[o + 7].Value) = (p.Probability, p.Score, p.Band, p.FeaturesJson);
                }
                // Synchronous on purpose: Microsoft.Data.Sqlite's async methods run synchronously anyway.
                cmd.ExecuteNonQuery();
            }
        }
        finally
        {
            full?.Dispose();
            rest?.Dispose();
        }
        return Task.CompletedTask;
    }

    private static SqliteCommand InsertCommand(DbConnection c, DbTransaction tx, int rows)
    {
        var sql = new System.Text.StringBuilder("INSERT INTO predictions (lead_id, at, model_version, source, probability, score, band, features_json) VALUES ");
        var cmd = (SqliteCommand)c.CreateCommand();
        cmd.Transaction = (SqliteTransaction)tx;
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "(" : ", (");
            for (var j = 0; j < 8; j++)
            {
                var name = $"@p{i}_{j}";
                sql.Append(j == 0 ? name : ", " + name);
                cmd.Parameters.Add(new SqliteParameter(name, null));
            }
            sql.Append(')');
        }
        cmd.CommandText = sql.ToString();
        return cmd;
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; let it go so the file can be moved or deleted.
        using (var c = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(c);
        return ValueTask.CompletedTask;
    }
}
