using System.Diagnostics;
using Npgsql;

namespace LeadPropensity.Tests;

/// <summary>
/// The PostgreSQL server the store tests use: LP_TEST_POSTGRES (set by scripts/test.sh through scripts/services.sh).
/// Under CI a missing variable fails the tests; elsewhere the tests start a throwaway server with the same script and
/// stop it when the test process exits. Every test gets a database of its own.
/// </summary>
internal static class PostgresTestServer
{
    private static readonly Lazy<string> Admin = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string AdminConnectionString => Admin.Value;

    public static async Task<string> CreateDatabaseAsync()
    {
        var name = "lp_test_" + Guid.NewGuid().ToString("N");
        await using (var c = new NpgsqlConnection(Admin.Value))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(Admin.Value) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var c = new NpgsqlConnection(Admin.Value);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string Resolve()
    {
        var configured = Environment.GetEnvironmentVariable("LP_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                "LP_TEST_POSTGRES is not set under CI: run the tests with `bash scripts/test.sh`, which starts PostgreSQL (scripts/services.sh)");
        return StartOwnServer();
    }

    // Outside CI, `dotnet test` alone still runs the Postgres tests: start the same throwaway server scripts/test.sh would.
    private static string StartOwnServer()
    {
        var script = RepoPaths.Repo("scripts", "services.sh");
        var (code, output, error) = Bash($"set -euo pipefail; source '{script}'; services_start >&2; " +
                                         "printf '%s\\n' \"$LP_PG_DIR\" \"$LP_PG_BINDIR\" \"$LP_PG_USER\" \"$LP_TEST_POSTGRES\"");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (code != 0 || lines.Length < 4)
            throw new InvalidOperationException(
                $"LP_TEST_POSTGRES is not set and scripts/services.sh could not start PostgreSQL (exit {code}); run `bash scripts/test.sh`.\n{error}");
        var (dir, bindir, user) = (lines[0], lines[1], lines[2]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Bash(
            $"source '{script}'; export LP_PG_DIR='{dir}' LP_PG_BINDIR='{bindir}' LP_PG_USER='{user}'; services_stop");
        return lines[3];
    }

    private static (int Code, string Output, string Error) Bash(string command)
    {
        var psi = new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot run bash");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}
