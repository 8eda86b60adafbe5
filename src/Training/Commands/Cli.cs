using System.CommandLine;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Schema;
using Spectre.Console;

namespace LeadPropensity.Training.Commands;

/// <summary>Runs the command line and turns the errors a user can fix into one clear line and a non-zero exit.</summary>
internal static class Cli
{
    public const int UserError = 2;

    /// <summary>Every command, in the order --help lists them.</summary>
    public static RootCommand Root() => new("LeadPropensity training: learn, calibrate, evaluate and manage lead-scoring models.")
    {
        GenerateCommand.Create(),
        SchemaCommand.Create(),
        TrainCommand.Create(),
        ModelsCommand.Create(),
        ScoreCommand.Create(),
        EvaluateCommand.Create(),
        CompareCommand.Create(),
        RulesCommand.Create(),
        ExportTrainingDataCommand.Create(),
    };

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        // Piped output (CI logs, files) has no terminal width; give tables room instead of wrapping every cell.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            return await root.Parse(args).InvokeAsync(config);
        }
        catch (Exception e) when (e is CommandException or System.Data.Common.DbException or SchemaException or CsvFormatException or IOException
                                       or UnauthorizedAccessException or InvalidDataException or InvalidOperationException or LeadPropensity.Core.Rules.RulesException)
        {
            // IOException covers a missing file or folder and a path that is a file where a folder is wanted (or the other
            // way round); UnauthorizedAccessException a folder the user may not write. Their messages name the path.
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return e is CommandException ce ? ce.ExitCode : UserError;
        }
    }

    /// <summary>
    /// Makes sure <paramref name="folder"/> exists and takes new files, before a long run whose result goes there: a path
    /// that is a file, or a folder the user may not write, is found now rather than after training.
    /// </summary>
    public static void EnsureWritableFolder(string folder, string option)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandException($"{option} {folder}: cannot write there ({e.Message})");
        }
    }

    public static Option<T> Option<T>(string name, string description, T? defaultValue = default, bool required = false, params string[] aliases)
    {
        var o = new Option<T>(name, aliases) { Description = description, Required = required };
        if (defaultValue is not null) o.DefaultValueFactory = _ => defaultValue;
        return o;
    }
}

/// <summary>A failure the user can act on, with the exit code it should produce.</summary>
internal sealed class CommandException(string message, int exitCode = Cli.UserError) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
