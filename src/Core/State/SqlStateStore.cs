using System.Data.Common;
using LeadPropensity.Core.Bands;
using static LeadPropensity.Core.State.StateDb;

namespace LeadPropensity.Core.State;

/// <summary>A schema change: applied once, in order, inside a transaction, and recorded in schema_migrations.</summary>
public sealed record Migration(int Version, string Description, string Sql);

/// <summary>
/// The store's logic over plain ADO.NET; the SQLite and PostgreSQL stores supply connections, DDL, locking,
/// time encoding and the fast batch insert. Every query here is written in the SQL both dialects share.
/// </summary>
public abstract partial class SqlStateStore(TimeProvider? clock) : IStateStore
{
    /// <summary>Advisory-lock keys (PostgreSQL): one for migrations, one for band changes.</summary>
    protected const long MigrationLock = 0x4C50_5354_0001, BandsLock = 0x4C50_5354_0002;

    protected TimeProvider Clock { get; } = clock ?? TimeProvider.System;

    public abstract string Provider { get; }

    public abstract IReadOnlyList<Migration> Migrations { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>Serializes writers of one kind across processes: a no-op where the transaction already holds the write lock.</summary>
    protected abstract Task LockAsync(DbConnection c, DbTransaction tx, long key, CancellationToken ct);

    /// <summary>Holds <see cref="MigrationLock"/> on the connection until the returned handle is disposed.</summary>
    protected abstract Task<IAsyncDisposable> LockSessionAsync(DbConnection c, long key, CancellationToken ct);

    protected abstract string SchemaMigrationsDdl { get; }

    /// <summary>A time as a parameter value (UTC, microseconds).</summary>
    protected abstract object TimeValue(DateTime utc);

    protected abstract DateTime ReadTime(DbDataReader r, int ordinal);

    protected abstract Task InsertPredictionsAsync(DbConnection c, DbTransaction tx, IReadOnlyList<PredictionRecord> batch, CancellationToken ct);

    protected DateTime Now() => Utc(Clock.GetUtcNow().UtcDateTime);

    public async Task<int> MigrateAsync(CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var _ = await LockSessionAsync(c, MigrationLock, ct);
        await ExecuteAsync(c, null, SchemaMigrationsDdl, ct);
        var applied = 0;
        foreach (var m in Migrations.OrderBy(m => m.Version))
        {
            await using var tx = await c.BeginTransactionAsync(ct);
            // Checked inside the transaction: another process may have applied it since we looked.
            if (await ScalarAsync(c, tx, "SELECT COUNT(*) FROM schema_migrations WHERE version = @v", ct, ("@v", m.Version)) is { } n
                && Convert.ToInt64(n) > 0) continue;
            await ExecuteAsync(c, tx, m.Sql, ct);
            await ExecuteAsync(c, tx, "INSERT INTO schema_migrations (version, description, applied_at) VALUES (@v, @d, @t)", ct,
                ("@v", m.Version), ("@d", m.Description), ("@t", TimeValue(Now())));
            await tx.CommitAsync(ct);
            applied++;
        }
        return applied;
    }

    /// <summary>The versions recorded in schema_migrations, ascending.</summary>
    public async Task<IReadOnlyList<int>> AppliedMigrationsAsync(CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT version FROM schema_migrations ORDER BY version");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<int>();
        while (await r.ReadAsync(ct)) list.Add(Convert.ToInt32(r.GetValue(0)));
        return list;
    }

    private const string BandColumns = "spec_json, set_by, set_at, reason, version";

    public async Task<BandSetting?> GetBandsAsync(CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        return await ReadBandsAsync(c, null, ct);
    }

    private async Task<BandSetting?> ReadBandsAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        await using var cmd = Command(c, tx, $"SELECT {BandColumns} FROM band_settings WHERE id = 1");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new BandSetting(SpecFromJson(r.GetString(0)), r.GetString(1), ReadTime(r, 2), r.GetString(3), r.GetInt64(4));
    }

    public async Task<long> GetBandsVersionAsync(CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        var v = await ScalarAsync(c, null, "SELECT version FROM band_settings WHERE id = 1", ct);
        return v is null ? 0 : Convert.ToInt64(v);
    }

    public async Task<BandSetting> SetBandsAsync(CutoffSpec spec, string keyName, string reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(keyName)) throw new ArgumentException("band changes need the name of the key that made them", nameof(keyName));
        await using var c = await OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await LockAsync(c, tx, BandsLock, ct);
        var old = await ReadBandsAsync(c, tx, ct);
        var next = new BandSetting(spec, keyName, Now(), reason ?? "", (old?.Version ?? 0) + 1);
        var json = SpecToJson(spec);
        await ExecuteAsync(c, tx, $"""
            INSERT INTO band_settings (id, {BandColumns}) VALUES (1, @spec, @by, @at, @reason, @version)
            ON CONFLICT (id) DO UPDATE SET spec_json = excluded.spec_json, set_by = excluded.set_by, set_at = excluded.set_at,
                reason = excluded.reason, version = excluded.version
            """, ct, ("@spec", json), ("@by", next.SetBy), ("@at", TimeValue(next.SetAt)), ("@reason", next.Reason), ("@version", next.Version));
        await ExecuteAsync(c, tx, """
            INSERT INTO band_audit (version, set_by, set_at, old_spec_json, new_spec_json, reason)
            VALUES (@version, @by, @at, @old, @spec, @reason)
            """, ct, ("@version", next.Version), ("@by", next.SetBy), ("@at", TimeValue(next.SetAt)),
            ("@old", old is null ? null : SpecToJson(old.Spec)), ("@spec", json), ("@reason", next.Reason));
        await tx.CommitAsync(ct);
        return next;
    }

    public async Task<IReadOnlyList<BandAuditEntry>> GetBandHistoryAsync(int limit = 100, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, """
            SELECT version, set_by, set_at, old_spec_json, new_spec_json, reason FROM band_audit ORDER BY version DESC LIMIT @limit
            """, ("@limit", limit));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<BandAuditEntry>();
        while (await r.ReadAsync(ct))
            list.Add(new BandAuditEntry(r.GetInt64(0), r.GetString(1), ReadTime(r, 2),
                r.IsDBNull(3) ? null : SpecFromJson(r.GetString(3)), SpecFromJson(r.GetString(4)), r.GetString(5)));
        return list;
    }

    public abstract ValueTask DisposeAsync();
}
