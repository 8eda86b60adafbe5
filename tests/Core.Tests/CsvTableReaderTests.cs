using System.Text;
using LeadPropensity.Core.Csv;

namespace LeadPropensity.Core.Tests;

public class CsvTableReaderTests
{
    [Fact]
    public void QuotedFieldsKeepSeparatorsAndNewlines()
    {
        var t = CsvTable.Parse("id,note,n\n1,\"a, b\nsecond line\",3\n2,\"say \"\"hi\"\"\",4\n");
        Assert.Equal(2, t.Rows.Count);
        Assert.Equal("a, b\nsecond line", t.Rows[0][1]);
        Assert.Equal("say \"hi\"", t.Rows[1][1]);
        Assert.Equal(2, t.Lines[0]);
        Assert.Equal(4, t.Lines[1]); // the quoted newline makes row 1 span lines 2-3
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    [InlineData(',')]
    public void DetectsTheDelimiter(char d)
    {
        var text = $"a{d}b{d}c\n1{d}\"x{d}y\"{d}3\n4{d}5{d}6\n";
        var t = CsvTable.Parse(text);
        Assert.Equal(d, t.Delimiter);
        Assert.Equal(["a", "b", "c"], t.Headers);
        Assert.Equal($"x{d}y", t.Rows[0][1]);
    }

    [Fact]
    public void SemicolonFileWithDecimalCommasIsNotSplitOnCommas()
    {
        var t = CsvTable.Parse("name;amount;city\nAcme;1,5;Paris\nBeta;2,25;Lyon\n");
        Assert.Equal(';', t.Delimiter);
        Assert.Equal("1,5", t.Rows[0][1]);
    }

    [Fact]
    public void Utf8BomIsStrippedFromTheFirstHeader()
    {
        var path = Path.Combine(RepoPaths.TempDir(), "bom.csv");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("lead_id,score\nL1,5\n")]);
        var t = CsvTable.Load(path);
        Assert.Equal("lead_id", t.Headers[0]);
        Assert.Equal(0, t.IndexOf("lead_id"));
    }

    [Fact]
    public void HeadersAreTrimmed()
    {
        var t = CsvTable.Parse(" a , b \n1,2\n");
        Assert.Equal(["a", "b"], t.Headers);
    }

    [Fact]
    public void RaggedRowIsAnErrorNamingItsLine()
    {
        var e = Assert.Throws<CsvFormatException>(() => CsvTable.Parse("a,b,c\n1,2,3\n4,5\n7,8,9\n"));
        Assert.Equal(3, e.Line);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("expected 3 fields but found 2", e.Message);
    }

    [Fact]
    public void RaggedRowCanBeSkippedAndReported()
    {
        using var r = CsvTableReader.FromString("a,b\n1,2\n3\n5,6\n");
        var good = new List<long>();
        var bad = new List<long>();
        bool? status;
        while ((status = r.TryReadRow(out var row, out var error)) is not null)
            if (status == true) good.Add(row.Line); else bad.Add(error!.Line);
        Assert.Equal([2L, 4L], good);
        Assert.Equal([3L], bad);
    }

    [Fact]
    public void DuplicateHeaderIsAnErrorNamingTheColumns()
    {
        var e = Assert.Throws<CsvFormatException>(() => CsvTable.Parse("a,b,a\n1,2,3\n"));
        Assert.Contains("duplicate header 'a'", e.Message);
        Assert.Contains("columns 1 and 3", e.Message);
    }

    [Fact]
    public void EmptyHeaderIsAnError()
    {
        var e = Assert.Throws<CsvFormatException>(() => CsvTable.Parse("a,,c\n1,2,3\n"));
        Assert.Contains("column 2: empty header", e.Message);
    }

    [Theory]
    [InlineData("id,a,b,\n1,x,2,\n2,y,3,\n")]
    [InlineData("id,a,b\n1,x,2,\n2,y,3,,\n")]
    [InlineData("id;a;b;\n1;x;2;\n2;y;3;\n")]
    public void ATrailingSeparatorOnEveryLineOrOnTheRowsAddsNoColumn(string csv)
    {
        using var r = CsvTableReader.FromString(csv);
        Assert.Equal(["id", "a", "b"], r.Headers);
        var rows = r.ReadAll().ToList();
        Assert.Equal([["1", "x", "2"], ["2", "y", "3"]], rows.Select(x => x.Values));
    }

    [Fact]
    public void AFieldBeyondTheHeadersThatHoldsAValueIsStillRagged()
    {
        using var r = CsvTableReader.FromString("id,a,b\n1,x,2,oops\n2,y,3,\n");
        Assert.False(r.TryReadRow(out _, out var error));
        Assert.Contains("line 2: expected 3 fields but found 4", error!.Message);
        Assert.True(r.TryReadRow(out var next, out _));
        Assert.Equal(3, next.Line);
    }

    [Fact]
    public void ARaggedRecordReadOverSeveralLinesSaysWhereAQuoteMayBeOpen()
    {
        using var r = CsvTableReader.FromString("id,a,b\n1,x,2\n2,\"never closed,3\n3,y,4\n4,z\"\n5,w,6\n");
        Assert.True(r.TryReadRow(out _, out _));
        Assert.False(r.TryReadRow(out _, out var error));
        Assert.Contains("line 3: expected 3 fields but found 2 (this record runs over lines 3–5: if that is not meant, a quote on line 3 is not closed)", error!.Message);
        Assert.True(r.TryReadRow(out var after, out _));
        Assert.Equal(["5", "w", "6"], after.Values);
    }

    [Fact]
    public void AColumnWithNoNameThatHoldsValuesIsNamedInTheRowsError()
    {
        using var r = CsvTableReader.FromString("id,a,b,\n1,x,2,note\n");
        Assert.False(r.TryReadRow(out _, out var error));
        Assert.Contains("line 2: column 4 has no name in the header (line 1) but holds 'note'", error!.Message);
    }

    [Fact]
    public void AQuoteLeftOpenToTheEndSpansOnlyTheLinesThere()
    {
        using var r = CsvTableReader.FromString("id,a,b\n1,x,2\n2,\"open to the end,3\n3,y,4\n");
        Assert.True(r.TryReadRow(out _, out _));
        Assert.False(r.TryReadRow(out _, out var error));
        Assert.Contains("(this record runs over lines 3–4:", error!.Message);
    }

    [Fact]
    public void EmptyInputIsAnError()
    {
        Assert.Throws<CsvFormatException>(() => CsvTable.Parse(""));
    }

    [Fact]
    public void MissingFileSaysWhichFile()
    {
        var e = Assert.Throws<FileNotFoundException>(() => CsvTable.Load("/nonexistent/leads.csv"));
        Assert.Contains("/nonexistent/leads.csv", e.Message);
    }

    [Fact]
    public void ValuesAreTrimmedAndCrLfLineEndingsWork()
    {
        var t = CsvTable.Parse("a,b\r\n 1 , x \r\n2,y\r\n");
        Assert.Equal(["1", "x"], t.Rows[0]);
        Assert.Equal(2, t.Rows.Count);
    }

    [Fact]
    public void UnclosedQuoteStopsAtMaxRecordBytesNamingTheLineItStartsOn()
    {
        // 64 MiB generated as it is read: without the cap CsvHelper buffers all of it (over 200 MB allocated).
        using var body = new RunawayQuoteStream("lead_id,note\nL-0,fine\n\"L-1,", 64L << 20);
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var reader = CsvTableReader.FromStream(body, "request");
        Assert.True(reader.Read(out var good));
        Assert.Equal(2, good.Line);

        var e = Assert.Throws<CsvFormatException>(() => reader.Read(out _));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(3, e.Line);
        Assert.Equal("request: line 3: a record runs past 1,048,576 bytes: a quoted field is probably not closed", e.Message);
        Assert.True(allocated < 32L << 20, $"allocated {allocated:N0} bytes");
        // The array pool can hide allocations; what was read from the body cannot.
        Assert.True(body.Position < 4L * CsvTableReader.MaxRecordBytes, $"read {body.Position:N0} bytes");
    }

    [Theory]
    [InlineData(100 * 1024)]
    [InlineData(1_000_000)] // just under MaxRecordBytes
    public void LongQuotedFieldWithNewlinesAndSeparatorsStillReads(int length)
    {
        const string line = "called twice, left a message\r\n";
        var note = string.Concat(Enumerable.Repeat(line, length / line.Length + 1))[..length];
        var newlines = note.Count(c => c == '\n');
        var csv = $"lead_id,note,n\nL-1,\"{note}\",3\nL-2,short,4\n";

        using var reader = CsvTableReader.FromStream(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        var rows = reader.ReadAll().ToList();

        Assert.Equal(2, rows.Count);
        Assert.Equal(note, rows[0].Values[1]);
        Assert.Equal("3", rows[0].Values[2]);
        Assert.Equal(3 + newlines, rows[1].Line);
    }

    [Fact]
    public void DeclaredEncodingIsReadInsteadOfUtf8()
    {
        var latin1 = Encoding.Latin1.GetBytes("lead_id,city\nL-CAFÉ,Orléans\n");
        using var reader = CsvTableReader.FromStream(new MemoryStream(latin1), encoding: Encoding.Latin1);
        Assert.True(reader.Read(out var row));
        Assert.Equal(["L-CAFÉ", "Orléans"], row.Values);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Utf8StreamIsReadWithOrWithoutBom(bool bom)
    {
        byte[] bytes = [.. bom ? Encoding.UTF8.GetPreamble() : [], .. Encoding.UTF8.GetBytes("lead_id,city\nL-CAFÉ,Orléans\n")];
        using var reader = CsvTableReader.FromStream(new MemoryStream(bytes));
        Assert.Equal(["lead_id", "city"], reader.Headers);
        Assert.True(reader.Read(out var row));
        Assert.Equal(["L-CAFÉ", "Orléans"], row.Values);
    }

    /// <summary>A header, a row, then an opened quote and text without end, made as it is read (nothing held in memory).</summary>
    private sealed class RunawayQuoteStream(string head, long length) : Stream
    {
        private static readonly byte[] Filler = Encoding.ASCII.GetBytes("no closing quote, just more text\n");
        private readonly byte[] _head = Encoding.UTF8.GetBytes(head);
        private long _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            for (var i = 0; i < n; i++, _position++)
                buffer[i] = _position < _head.Length ? _head[_position] : Filler[(_position - _head.Length) % Filler.Length];
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
