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
            // Every logged prediction is a row of about a kilobyte. Large pages and a WAL of up to 64 MB between checkpoints
            // write the same index and tail pages far fewer times over: storing a prediction cost about a third less CPU
            // than with 4 KB pages and 4 MB checkpoints. The page size applies to a file created now (it is fixed once
            // the file has tables); the checkpoint settings to every connection.
            await ExecuteAsync(c, null, "PRAGMA page_size = 65536; PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL; " +
                                        "PRAGMA wal_autocheckpoint = 1000; PRAGMA journal_size_limit = 67108864;", ct);
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

    // One single-row INSERT, prepared once per batch and re-bound for each row, inside the caller's transaction. Not
    // multi-row statements: Microsoft.Data.Sqlite finds each parameter by name (sqlite3_bind_parameter_index, a linear
    // scan), so binding a 32-row statement's 256 parameters cost more than SQLite spent storing the rows.
    protected override Task InsertPredictionsAsync(DbConnection c, DbTransaction tx, IReadOnlyList<PredictionRecord> batch, CancellationToken ct)
    {
        using var cmd = (SqliteCommand)c.CreateCommand();
        cmd.Transaction = (SqliteTransaction)tx;
        cmd.CommandText = "INSERT INTO predictions (lead_id, at, model_version, source, probability, score, band, features_json) " +
                          "VALUES (@l, @a, @m, @s, @p, @c, @b, @f)";
        var (lead, at, model, source) = (cmd.Parameters.Add("@l", SqliteType.Text), cmd.Parameters.Add("@a", SqliteType.Text),
            cmd.Parameters.Add("@m", SqliteType.Text), cmd.Parameters.Add("@s", SqliteType.Text));
        var (probability, score, band, features) = (cmd.Parameters.Add("@p", SqliteType.Real), cmd.Parameters.Add("@c", SqliteType.Integer),
            cmd.Parameters.Add("@b", SqliteType.Text), cmd.Parameters.Add("@f", SqliteType.Text));
        cmd.Prepare();
        foreach (var p in batch)
        {
            ct.ThrowIfCancellationRequested();
            (lead.Value, at.Value, model.Value, source.Value) = (p.LeadId, TimeValue(p.At), (object?)p.ModelVersion ?? DBNull.Value, p.Source);
            (probability.Value, score.Value, band.Value, features.Value) = (p.Probability, p.Score, p.Band, p.FeaturesJson);
            // Synchronous on purpose: Microsoft.Data.Sqlite's async methods run synchronously anyway.
            cmd.ExecuteNonQuery();
        }
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; let it go so the file can be moved or deleted.
        using (var c = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(c);
        return ValueTask.CompletedTask;
    }
}
