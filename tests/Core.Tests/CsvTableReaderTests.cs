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
}
