using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
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

    /// <summary>WAL size at which a checkpoint copies it into the database file.</summary>
    internal const long WalCheckpointBytes = 64L << 20;
    private long _pageSize; // 0 until the first connection has read it (fixed for the file's life)

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
            // Every logged prediction is a row of about a kilobyte, and a CRM scores the same leads again and again, so each
            // one also lands at a random place in the lead index and dirties a page there, which the commit writes to the
            // WAL and the checkpoint writes again (now once per bulk pass of the index, migration 4, rather than per row).
            // 4 KB pages keep those pages small: with 2 million logged predictions of 500,000 leads, a file with 64 KB
            // pages took 1.7 times the CPU and 2.2 times the time per stored prediction (measured with the index kept up
            // to date on every insert; they only won, by a little, when every lead was new and the index grew at its end).
            // A WAL of up to 64 MB between checkpoints rewrites the same pages fewer times, and a 32 MB page cache (the
            // default is 2 MB) keeps the indexes' upper levels in memory (bench/RESULTS.md, "Prediction log store").
            // The page size applies to a file created now (it is fixed once the file has tables); the rest to every
            // connection.
            await ExecuteAsync(c, null, "PRAGMA page_size = 4096; PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL; " +
                                        "PRAGMA journal_size_limit = 67108864; PRAGMA cache_size = -32768;", ct);
            // The checkpoint interval is counted in pages: 64 MB of them, also in a file made with larger pages.
            var pageSize = Volatile.Read(ref _pageSize);
            if (pageSize == 0) Volatile.Write(ref _pageSize, pageSize = Convert.ToInt64(await ScalarAsync(c, null, "PRAGMA page_size", ct), CultureInfo.InvariantCulture));
            await ExecuteAsync(c, null, $"PRAGMA wal_autocheckpoint = {WalCheckpointBytes / pageSize};", ct);
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

    /// <summary>A PRAGMA's value as the store's own connections see it (a letters-and-underscores name).</summary>
    internal async Task<long> PragmaAsync(string name)
    {
        if (!name.All(ch => char.IsAsciiLetter(ch) || ch == '_')) throw new ArgumentException($"not a pragma name: {name}", nameof(name));
        await using var c = await OpenAsync(CancellationToken.None);
        return Convert.ToInt64(await ScalarAsync(c, null, $"PRAGMA {name}", CancellationToken.None), CultureInfo.InvariantCulture);
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
        // A CRM scores the same leads again and again, so each logged prediction lands at a random place in the lead index
        // and dirties a page of its own there. Keyed by the lead alone (the row id is in every entry anyway) the index is
        // about half the size and storing a prediction in that pattern costs less (bench/RESULTS.md, "Prediction log
        // store"). A lead's latest prediction is then found among that lead's own rows. (PostgreSQL keeps its index.)
        new(3, "lead index keyed by the lead alone", """
            DROP INDEX ix_predictions_lead;
            CREATE INDEX ix_predictions_lead_id ON predictions (lead_id);
            """),
        // Even keyed by the lead alone, an index kept up to date on every insert is what storing a re-scored lead mostly
        // cost: each row dirtied an index page of its own, written to the WAL and again by the checkpoint. The lead index is
        // now a table of its own, filled in bulk and in order (IndexLeadsAsync): by the writer once LeadIndexLag
        // predictions wait for it, and before any read that looks predictions up by lead, so reads never miss a row.
        // Keyed (lead_id, at, id), a lead's latest prediction is one seek again. A deleted prediction leaves it by trigger.
        new(4, "lead index filled in bulk", """
            DROP INDEX ix_predictions_lead_id;
            CREATE TABLE prediction_leads (
                lead_id TEXT NOT NULL, at TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (lead_id, at, id)) WITHOUT ROWID;
            INSERT INTO prediction_leads (lead_id, at, id) SELECT lead_id, at, id FROM predictions ORDER BY lead_id, at, id;
            CREATE TABLE prediction_leads_upto (id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL);
            INSERT INTO prediction_leads_upto (id, upto) SELECT 1, COALESCE(MAX(id), 0) FROM predictions;
            CREATE TRIGGER prediction_leads_delete AFTER DELETE ON predictions BEGIN
                DELETE FROM prediction_leads WHERE lead_id = OLD.lead_id AND at = OLD.at AND id = OLD.id;
            END;
            """),
        // Feature values per row, each list of field names once (SqlStateStore.FieldNameListsAsync): every byte stored
        // is written twice here (WAL, then checkpoint), and the names were most of them.
        new(5, "feature names kept once per list", """
            CREATE TABLE feature_keys (id INTEGER PRIMARY KEY, names_json TEXT NOT NULL);
            ALTER TABLE predictions ADD COLUMN features_keys INTEGER;
            """),
        // Every read by lead wants a lead's latest prediction (or whether it has one), never its older ones. An index of
        // every prediction grows with the log, so each bulk pass dirtied more of its pages: at 2 million predictions a
        // pass wrote about a page per prediction it added. Keyed by the lead alone and holding its latest (at, id), the
        // index stays as large as the number of leads, and a pass dirties at most that many pages. The old index is read in
        // its own order, so the move streams: 2 million entries of 500,000 leads moved in 0.95 s, where picking each lead's
        // latest with ROW_NUMBER() took 3.95 s (one run, SQLite 3.40 from Python, on this machine).
        new(6, "lead index keeps each lead's latest prediction", $"""
            CREATE TABLE prediction_latest (lead_id TEXT PRIMARY KEY, at TEXT NOT NULL, id INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO prediction_latest (lead_id, at, id)
                SELECT lead_id, at, id FROM prediction_leads WHERE true ORDER BY lead_id, at, id
            {KeepLatest};
            DROP TRIGGER prediction_leads_delete;
            DROP TABLE prediction_leads;
            CREATE TRIGGER prediction_latest_delete AFTER DELETE ON predictions BEGIN
                DELETE FROM prediction_latest WHERE lead_id = OLD.lead_id AND id = OLD.id;
            END;
            """),
    ];

    /// <summary>
    /// Logged predictions not yet in the lead index at which the writer indexes them (inside its own transaction). Larger
    /// means fewer, cheaper index passes per row, and a longer first read after a busy spell.
    /// </summary>
    internal int LeadIndexLag { get; init; } = 50_000;

    protected override string LeadLookup => "prediction_latest";

    /// <summary>
    /// The upsert that keeps prediction_latest's rule, for the migration that fills it and for every pass: a lead's entry
    /// moves only to a later (at, id), so rows met in any order leave each lead's latest.
    /// </summary>
    private const string KeepLatest = """
        ON CONFLICT (lead_id) DO UPDATE SET at = excluded.at, id = excluded.id
            WHERE excluded.at > prediction_latest.at OR (excluded.at = prediction_latest.at AND excluded.id > prediction_latest.id)
        """;

    // Predictions above the mark, in lead order: each index page is written once per pass, not once per prediction. Ids
    // only grow (AUTOINCREMENT), so "above the mark" is exactly what no pass has seen; a prediction older than the lead's
    // entry leaves it as it is (KeepLatest). Nothing is written unless at least `atLeast` predictions wait.
    private static async Task IndexLeadsAsync(DbConnection c, DbTransaction tx, long atLeast, CancellationToken ct)
    {
        if (await UnindexedAsync(c, tx, ct) < atLeast) return;
        await ExecuteAsync(c, tx, $"""
            INSERT INTO prediction_latest (lead_id, at, id)
                SELECT lead_id, at, id FROM predictions WHERE id > (SELECT upto FROM prediction_leads_upto) ORDER BY lead_id, at, id
            {KeepLatest};
            UPDATE prediction_leads_upto SET upto = MAX(upto, (SELECT COALESCE(MAX(id), 0) FROM predictions));
            """, ct);
    }

    private static async Task<long> UnindexedAsync(DbConnection c, DbTransaction? tx, CancellationToken ct) =>
        Convert.ToInt64(await ScalarAsync(c, tx,
            "SELECT COALESCE((SELECT MAX(id) FROM predictions), 0) - (SELECT upto FROM prediction_leads_upto)", ct), CultureInfo.InvariantCulture);

    protected override async Task UpdateLeadLookupAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        if (tx is not null) { await IndexLeadsAsync(c, tx, 1, ct); return; }
        // Outside a transaction, look first: the write lock is taken only when something waits.
        if (await UnindexedAsync(c, null, ct) <= 0) return;
        await using var own = await c.BeginTransactionAsync(ct);
        await IndexLeadsAsync(c, own, 1, ct);
        await own.CommitAsync(ct);
    }

    private const string InsertPredictions =
        "INSERT INTO predictions (lead_id, at, model_version, source, probability, score, band, features_json, features_keys) VALUES ";

    private const int Columns = 9;

    /// <summary>
    /// Rows per INSERT statement. Each statement execution has a fixed cost (opening the table's and the time index's
    /// cursors, reading and writing the AUTOINCREMENT counter, halting); shared by this many rows it cost less per row
    /// (bench/RESULTS.md, "Prediction log store"). 32 × 9 parameters stays far below SQLite's variable limit.
    /// </summary>
    internal const int RowsPerStatement = 32;

    private static readonly string InsertMany = InsertSql(RowsPerStatement);

    private static string InsertSql(int rows) => InsertPredictions + string.Join(", ", Enumerable.Range(0, rows).Select(r =>
        "(" + string.Join(", ", Enumerable.Range(1, Columns).Select(c => $"?{r * Columns + c}")) + ")"));

    protected override bool InsertChecksFeaturesJson => true;

    // INSERTs of RowsPerStatement rows (and one for the rest), prepared once per batch, bound by position and stepped
    // through SQLite's own API, inside the caller's transaction (same connection). Microsoft.Data.Sqlite finds each
    // parameter by name and builds a data reader for every execution; for the prediction log that driver work cost more
    // than SQLite spent storing rows.
    protected override async Task InsertPredictionsAsync(DbConnection c, DbTransaction tx, IReadOnlyList<PredictionRecord> batch, CancellationToken ct)
    {
        var lists = await FieldNameListsAsync(c, tx, batch, ct);
        Insert((SqliteConnection)c, batch, lists, ct);
        await IndexLeadsAsync(c, tx, LeadIndexLag, ct);
    }

    private void Insert(SqliteConnection c, IReadOnlyList<PredictionRecord> batch, Dictionary<FieldNames, bool>? lists, CancellationToken ct)
    {
        var db = c.Handle ?? throw new InvalidOperationException("the SQLite connection is not open");
        var rows = new RowBinder(db);
        try
        {
            var full = batch.Count / RowsPerStatement * RowsPerStatement;
            if (full > 0) BindAndStep(db, InsertMany, RowsPerStatement, batch, 0, full, lists, ref rows, ct);
            if (full < batch.Count) BindAndStep(db, InsertSql(batch.Count - full), batch.Count - full, batch, full, batch.Count, lists, ref rows, ct);
        }
        finally
        {
            rows.Dispose();
        }
    }

    /// <summary>Stores batch[from..to) with a statement of <paramref name="perStatement"/> rows, stepped once per that many.</summary>
    private static void BindAndStep(sqlite3 db, string sql, int perStatement, IReadOnlyList<PredictionRecord> batch, int from, int to,
        Dictionary<FieldNames, bool>? lists, ref RowBinder rows, CancellationToken ct)
    {
        Check(raw.sqlite3_prepare_v2(db, sql, out var stmt), db);
        using (stmt)
        {
            for (var start = from; start < to; start += perStatement)
            {
                ct.ThrowIfCancellationRequested();
                for (var r = 0; r < perStatement; r++) rows.Bind(stmt, r * Columns, batch[start + r], lists);
                var rc = raw.sqlite3_step(stmt);
                if (rc != raw.SQLITE_DONE) Check(rc, db);
                Check(raw.sqlite3_reset(stmt), db);
            }
        }
    }

    /// <summary>
    /// Binds one prediction's nine values at a parameter offset. SQLite copies what is bound, so the pooled buffers are
    /// reused from row to row. Model version, source, band and time repeat from row to row: each is encoded when it
    /// changes, not per row.
    /// </summary>
    private struct RowBinder(sqlite3 db) : IDisposable
    {
        private byte[] _utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(4096);
        private byte[] _id = System.Buffers.ArrayPool<byte>.Shared.Rent(256);
        private Utf8Text _version, _source, _band;
        // A JSON batch's rows share one time: formatted when it changes, not per row.
        private readonly byte[] _time = new byte[40];
        private DateTime _lastAt = DateTime.MinValue;
        private int _timeLength;

        public void Bind(sqlite3_stmt stmt, int offset, PredictionRecord p, Dictionary<FieldNames, bool>? lists)
        {
            // Bound as UTF-8 bytes: binding a string made the driver allocate its UTF-8 copy, five per row.
            Check(raw.sqlite3_bind_text(stmt, offset + 1, Utf8Into(p.LeadId, ref _id)), db);
            if (p.At != _lastAt || _timeLength == 0)
            {
                if (!p.At.TryFormat(_time, out _timeLength, TimeFormat, CultureInfo.InvariantCulture))
                    throw new InvalidOperationException($"time {p.At:O} does not fit its column format");
                _lastAt = p.At;
            }
            Check(raw.sqlite3_bind_text(stmt, offset + 2, _time.AsSpan(0, _timeLength)), db);
            Check(p.ModelVersion is null ? raw.sqlite3_bind_null(stmt, offset + 3) : BindText(stmt, offset + 3, p.ModelVersion, ref _version), db);
            Check(BindText(stmt, offset + 4, p.Source, ref _source), db);
            Check(raw.sqlite3_bind_double(stmt, offset + 5, p.Probability), db);
            Check(raw.sqlite3_bind_int(stmt, offset + 6, p.Score), db);
            Check(BindText(stmt, offset + 7, p.Band, ref _band), db);
            if (StoredAsValues(p, lists, out var logged))
            {
                // The log's own: its values, and the list of names they go with (LoggedFeatures.Write made them).
                Check(raw.sqlite3_bind_text(stmt, offset + 8, logged.Values.Span), db);
                Check(raw.sqlite3_bind_int64(stmt, offset + 9, logged.Names.Id), db);
            }
            else
            {
                if (!p.TryGetFeaturesUtf8(out var features)) features = Utf8Into(p.FeaturesJson, ref _utf8);
                // Checked here, on the bytes stored, instead of encoding the text a second time beforehand.
                if (!p.FeaturesWritten && !IsJsonObject(features)) throw NotAnObject(p);
                Check(raw.sqlite3_bind_text(stmt, offset + 8, features), db);
                Check(raw.sqlite3_bind_null(stmt, offset + 9), db);
            }
        }

        public void Dispose()
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(_utf8);
            System.Buffers.ArrayPool<byte>.Shared.Return(_id);
        }
    }

    /// <summary>The text's UTF-8 bytes in a pooled buffer, swapped for a larger one when it does not fit.</summary>
    private static ReadOnlySpan<byte> Utf8Into(string text, scoped ref byte[] rented)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (rented.Length < max)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        }
        return rented.AsSpan(0, Encoding.UTF8.GetBytes(text, rented));
    }

    // An empty text goes through the string overload: an empty span may be bound as NULL rather than as ''.
    private static int BindText(sqlite3_stmt stmt, int index, string text, ref Utf8Text cache) =>
        text.Length == 0 ? raw.sqlite3_bind_text(stmt, index, text) : raw.sqlite3_bind_text(stmt, index, cache.Of(text));

    /// <summary>The UTF-8 bytes of the last string seen, re-encoded only when the string changes.</summary>
    private struct Utf8Text
    {
        private string? _text;
        private byte[]? _utf8;

        public ReadOnlySpan<byte> Of(string text)
        {
            if (!ReferenceEquals(text, _text) && text != _text) (_text, _utf8) = (text, Encoding.UTF8.GetBytes(text));
            return _utf8;
        }
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; let it go so the file can be moved or deleted.
        using (var c = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(c);
        return ValueTask.CompletedTask;
    }
}
