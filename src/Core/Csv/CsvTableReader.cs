using System.Globalization;
using System.Text;
using CsvHelper;

namespace LeadPropensity.Core.Csv;

/// <summary>A problem in a CSV file, with the 1-based line (and column, when known) a person should look at.</summary>
public sealed class CsvFormatException(string message, long line, string? column = null) : Exception(message)
{
    public long Line { get; } = line;
    public string? Column { get; } = column;
}

/// <summary>One data row: its raw (trimmed) values in header order and the file line it starts on.</summary>
public readonly record struct CsvRow(long Line, string[] Values);

/// <summary>
/// Streams a real-world CSV export through CsvHelper: RFC 4180 quoting (separators and newlines inside quotes),
/// separator detection among , ; tab |, UTF-8 with or without BOM (or a declared encoding), trimmed headers and values.
/// Duplicate or empty headers, ragged rows and records over <see cref="MaxRecordBytes"/> are errors naming the line.
/// </summary>
public sealed class CsvTableReader : IDisposable
{
    /// <summary>
    /// The longest record read, in bytes of UTF-8 (the unit CsvHelper counts): far beyond any CRM export row, yet an
    /// unclosed quote stops the reader after a few MiB instead of buffering the rest of an unbounded request body.
    /// </summary>
    public const int MaxRecordBytes = 1 << 20;

    private readonly CsvReader _reader;
    private readonly string _source;
    /// <summary>Empty names the header ended with (a trailing separator), left out of <see cref="Headers"/>.</summary>
    private int _unnamed;

    public IReadOnlyList<string> Headers { get; }
    public char Delimiter => _reader.Separator;

    private CsvTableReader(Func<CsvReaderOptions, CsvReader> open, string source, char? delimiter, Encoding? encoding = null)
    {
        _source = source;
        var options = new CsvReaderOptions
        {
            Separator = delimiter,
            HasHeader = true,
            Mode = CsvMode.Rfc4180,
            AllowLineBreaksInQuotes = true,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            TrimWhitespace = true,
            // Ragged rows are TryReadRow's to report (FieldCountMismatch); a stray quote is kept as text (MalformedData,
            // CsvHelper's default, said here because TooLong relies on it: a record over MaxRecordSize is then what throws).
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MaxRecordSize = MaxRecordBytes,
            Encoding = encoding ?? new UTF8Encoding(false),
        };
        try { _reader = open(options); }
        catch (CsvHelper.CsvFormatException e) { throw TooLong(e, source); }
        try
        {
            Headers = ValidateHeaders(_reader.Headers.Select(h => h.Trim().Trim('\uFEFF').Trim()).ToArray(), source);
        }
        catch (Exception e)
        {
            // The reader holds the stream (a file handle, or a request body): a header that cannot be read lets it go.
            _reader.Dispose();
            if (e is CsvHelper.CsvFormatException format) throw TooLong(format, source);
            throw;
        }
    }

    public static CsvTableReader Open(string path, char? delimiter = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"data file '{path}' does not exist", path);
        if (new FileInfo(path).Length == 0) throw new CsvFormatException($"{path}: the file is empty (no header row)", 1);
        return new CsvTableReader(o => CsvReader.FromFile(path, o), path, delimiter);
    }

    /// <param name="encoding">The stream's charset when the sender declared one; null reads UTF-8, with or without a BOM.</param>
    public static CsvTableReader FromStream(Stream stream, string source = "input", char? delimiter = null, Encoding? encoding = null) =>
        new(o => CsvReader.Create(stream, o, false), source, delimiter, encoding);

    public static CsvTableReader FromString(string text, string source = "input", char? delimiter = null)
    {
        if (text.Trim('\uFEFF').Length == 0) throw new CsvFormatException($"{source}: the input is empty (no header row)", 1);
        return new(o => CsvReader.Create(new MemoryStream(Encoding.UTF8.GetBytes(text)), o, false), source, delimiter);
    }

    private string[] ValidateHeaders(string[] headers, string source)
    {
        // Many exports end every line with the separator: the empty names that leaves at the end are no columns.
        var named = headers.Length;
        while (named > 1 && headers[named - 1].Length == 0) named--;
        _unnamed = headers.Length - named;
        headers = headers[..named];
        if (headers.Length == 0) throw new CsvFormatException($"{source}: the file is empty (no header row)", 1);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Length; i++)
        {
            if (headers[i].Length == 0)
                throw new CsvFormatException($"{source}: line 1, column {i + 1}: empty header name", 1, $"#{i + 1}");
            if (seen.TryGetValue(headers[i], out var first))
                throw new CsvFormatException($"{source}: line 1: duplicate header '{headers[i]}' (columns {first + 1} and {i + 1})", 1, headers[i]);
            seen[headers[i]] = i;
        }
        return headers;
    }

    public int IndexOf(string header)
    {
        for (var i = 0; i < Headers.Count; i++) if (Headers[i] == header) return i;
        return -1;
    }

    /// <summary>Reads the next row; false at the end. A ragged row throws (use <see cref="TryReadRow"/> to skip it instead).</summary>
    public bool Read(out CsvRow row)
    {
        var status = TryReadRow(out row, out var error);
        if (status is null) return false;
        if (status == true) return true;
        throw error!;
    }

    /// <summary>null at the end; true with a row; false with an error describing a bad row (already consumed).</summary>
    public bool? TryReadRow(out CsvRow row, out CsvFormatException? error)
    {
        row = default;
        error = null;
        try
        {
            if (!_reader.Read()) return null;
        }
        catch (CsvHelper.CsvFormatException e)
        {
            throw TooLong(e, _source);
        }
        var line = _reader.LineNumber;
        if (_reader.FieldCount != Headers.Count && !OnlyEmptyBeyondHeaders())
        {
            if (_unnamed > 0 && _reader.FieldCount > Headers.Count)
            {
                // The header's trailing separator was a column after all: one with no name.
                var k = Enumerable.Range(Headers.Count, _reader.FieldCount - Headers.Count).First(i => !string.IsNullOrWhiteSpace(_reader.GetString(i)));
                error = new CsvFormatException($"{_source}: line {line}: column {k + 1} has no name in the header (line 1) but holds '{_reader.GetString(k)}': " +
                                               "name it, or leave it empty", line);
                return false;
            }
            error = new CsvFormatException($"{_source}: line {line}: expected {Headers.Count} fields but found {_reader.FieldCount}{Spanning(line)}", line);
            return false;
        }
        var values = new string[Headers.Count];
        for (var i = 0; i < values.Length; i++) values[i] = _reader.GetString(i);
        row = new CsvRow(line, values);
        return true;
    }

    // CsvHelper's LineNumber is where the record starts, which is where the stray quote is to be found. Its exception has
    // no kind to tell a record over MaxRecordSize from anything else, so its message is asked; any other keeps its own.
    private static CsvFormatException TooLong(CsvHelper.CsvFormatException e, string source) =>
        e.Message.Contains(nameof(CsvReaderOptions.MaxRecordSize), StringComparison.Ordinal)
            ? new($"{source}: line {e.LineNumber}: a record runs past {MaxRecordBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes: " +
                  "a quoted field is probably not closed", e.LineNumber)
            : new($"{source}: line {e.LineNumber}: {e.Message}", e.LineNumber);

    /// <summary>A row with more fields than headers is still whole when the extra ones are empty (a trailing separator).</summary>
    private bool OnlyEmptyBeyondHeaders()
    {
        if (_reader.FieldCount < Headers.Count) return false;
        for (var i = Headers.Count; i < _reader.FieldCount; i++)
            if (!string.IsNullOrWhiteSpace(_reader.GetString(i))) return false;
        return true;
    }

    /// <summary>
    /// For a ragged record that holds a line break: the lines it was read from. A quote that is never closed joins the
    /// lines after it into one record, which then has the wrong number of fields; this says where to look.
    /// </summary>
    private string Spanning(long line)
    {
        var breaks = 0;
        // A quote left open to the end takes the file's last line break into its field: that one starts no line.
        for (var i = 0; i < _reader.FieldCount; i++)
            foreach (var ch in _reader.GetString(i).TrimEnd('\r', '\n')) if (ch == '\n') breaks++;
        return breaks == 0 ? "" : $" (this record runs over lines {line}–{line + breaks}: if that is not meant, a quote on line {line} is not closed)";
    }

    public IEnumerable<CsvRow> ReadAll()
    {
        while (Read(out var row)) yield return row;
    }

    public void Dispose() => _reader.Dispose();
}
