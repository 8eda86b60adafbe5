using System.Globalization;
using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests.Schema;

/// <summary>
/// Dates whose day and month could be either way round (03/05/2025) are read one way per column, never per value:
/// per value, 12/08/2025 in a month-first export was read as 12 August and the test set's "most recent 20%" scrambled.
/// </summary>
public class DayMonthOrderTests
{
    /// <summary>A row every 37 hours through 2025: days up to 12 and above 12 spread through the column.</summary>
    private static SchemaProposal InferWritten(string form, int rows = 200)
    {
        var lines = Enumerable.Range(0, rows).Select(i =>
            $"{i % 2},{new DateTime(2025, 1, 1, 14, 0, 0).AddHours(i * 37).ToString(form, CultureInfo.InvariantCulture)},{i % 5}");
        return SchemaInferrer.Infer(CsvTable.Parse("y,Created Date,n\n" + string.Join("\n", lines)), "y");
    }

    [Fact]
    public void ZeroPaddedMonthFirstDatesGetAMonthFirstFormat()
    {
        var p = InferWritten("MM/dd/yyyy HH:mm");
        var col = p.Schema.Find("Created Date")!;
        Assert.Equal(ColumnType.Datetime, col.Type);
        Assert.Equal("M/d/yyyy H:mm", col.Format);
        Assert.Equal("Created Date", p.Schema.Timestamp);
        Assert.True(ValueParsing.TryDate("11/12/2025 20:00", col.Format, out var d));
        Assert.Equal(new DateTime(2025, 11, 12, 20, 0, 0), d);
        Assert.DoesNotContain("cannot be told apart", p.Decisions.Single(x => x.Name == "Created Date").Reason);
    }

    [Theory]
    [InlineData("M/d/yy H:mm", "M/d/yy H:mm")]
    [InlineData("dd/MM/yy HH:mm", "d/M/yy H:mm")]
    [InlineData("dd.MM.yy", "d.M.yy")]
    [InlineData("dd-MM-yy", "d-M-yy")]
    public void TwoDigitYearsAsASpreadsheetResavesThemAreDatesWithTheirFormat(string written, string format)
    {
        var p = InferWritten(written);
        Assert.Equal(ColumnType.Datetime, p.Schema.Find("Created Date")!.Type);
        Assert.Equal(format, p.Schema.Find("Created Date")!.Format);
        Assert.Equal("Created Date", p.Schema.Timestamp);
    }

    [Fact]
    public void ATimestampColumnMostlyUnreadableAsWrittenStopsLoadingNamingTheFormatToGive()
    {
        // A day-first export read with a schema that has no format: most values are no date, the rest would be misread.
        var lines = Enumerable.Range(0, 200).Select(i =>
            $"{i % 2},{new DateTime(2025, 1, 1, 14, 0, 0).AddHours(i * 37).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)},{i % 5}");
        var schema = LeadSchema.Parse("""{ "label": { "column": "y" }, "timestamp": "Created Date", "columns": [ { "name": "Created Date", "type": "datetime" }, { "name": "n", "type": "numeric" } ] }""");
        var path = Path.Combine(RepoPaths.TempDir(), "day-first.csv");
        File.WriteAllText(path, "y,Created Date,n\n" + string.Join("\n", lines) + "\n");
        var e = Assert.Throws<CsvFormatException>(() => LeadDataset.Load(path, schema));
        Assert.Contains("values in the timestamp column 'Created Date' are not dates as read without a format (e.g. '13/01/2025' on line", e.Message);
        Assert.Contains("give the column the \"format\"", e.Message);
        // A few unreadable timestamps among good ones are dirty rows, skipped and listed as before.
        File.WriteAllText(path, "y,Created Date,n\n" + string.Join("\n", Enumerable.Range(0, 200).Select(i => $"{i % 2},{(i % 25 == 3 ? "soon" : "2025-03-01")},{i % 5}")) + "\n");
        Assert.Equal(8, LeadDataset.Load(path, schema).SkippedRows.Count);
    }

    [Fact]
    public void ZeroPaddedDayFirstDatesGetADayFirstFormat()
    {
        var p = InferWritten("dd/MM/yyyy HH:mm");
        Assert.Equal(ColumnType.Datetime, p.Schema.Find("Created Date")!.Type);
        Assert.Equal("d/M/yyyy H:mm", p.Schema.Find("Created Date")!.Format);
    }

    [Fact]
    public void ZeroPaddedDottedDatesAreDayFirstWhenNoValueTells()
    {
        // Days 1..12 only: nothing tells, and '.' is day first as European exports write it.
        var lines = Enumerable.Range(0, 60).Select(i => $"{i % 2},{1 + i % 12:00}.{1 + (i / 12) % 12:00}.2025,{i}");
        var p = SchemaInferrer.Infer(CsvTable.Parse("y,when,n\n" + string.Join("\n", lines)), "y");
        Assert.Equal("d.M.yyyy", p.Schema.Find("when")!.Format);
    }

    [Fact]
    public void ZeroPaddedSlashDatesThatCannotTellAreMonthFirstWithANote()
    {
        var lines = Enumerable.Range(0, 60).Select(i => $"{i % 2},{1 + i % 12:00}/{1 + (i / 12) % 12:00}/2025,{i}");
        var p = SchemaInferrer.Infer(CsvTable.Parse("y,when,n\n" + string.Join("\n", lines)), "y");
        Assert.Equal("M/d/yyyy", p.Schema.Find("when")!.Format);
        Assert.Contains("cannot be told apart", p.Decisions.Single(d => d.Name == "when").Reason);
    }

    [Fact]
    public void DayAboveTwelveInBothPlacesIsNotADateColumnOfOneForm()
    {
        var lines = Enumerable.Range(0, 60).Select(i => $"{i % 2},{(i % 2 == 0 ? "25/03/2025" : "03/25/2025")},{i}");
        var p = SchemaInferrer.Infer(CsvTable.Parse("y,when,n\n" + string.Join("\n", lines)), "y");
        Assert.NotEqual(ColumnType.Datetime, p.Schema.Find("when")!.Type);
    }

    [Fact]
    public void MonthFirstDatesWithAndWithoutATimeStayDatesReadMonthFirst()
    {
        // No one .NET format reads both forms, so none is written; without one, '/' is month first, as the values are.
        var lines = Enumerable.Range(0, 60).Select(i => $"{i % 2},{(i % 2 == 0 ? $"03/{1 + i % 28:00}/2025" : $"03/{1 + i % 28:00}/2025 14:00")},{i}");
        var p = SchemaInferrer.Infer(CsvTable.Parse("y,when,n\n" + string.Join("\n", lines)), "y");
        Assert.Equal(ColumnType.Datetime, p.Schema.Find("when")!.Type);
        Assert.Null(p.Schema.Find("when")!.Format);
        Assert.Contains("no one format fits", p.Decisions.Single(d => d.Name == "when").Reason);
    }

    [Fact]
    public void IsoDatesGetNoFormat()
    {
        var p = InferWritten("yyyy-MM-ddTHH:mm:ssZ");
        Assert.Equal(ColumnType.Datetime, p.Schema.Find("Created Date")!.Type);
        Assert.Null(p.Schema.Find("Created Date")!.Format);
    }

    [Theory]
    [InlineData("03/05/2025", 3, 5)]
    [InlineData("12/08/2025", 12, 8)]
    [InlineData("03/05/2025 14:00", 3, 5)]
    [InlineData("03-05-2025", 3, 5)]
    [InlineData("03.05.2025", 5, 3)]
    [InlineData("03.05.2025 14:00", 5, 3)]
    public void WithoutAFormatSlashesAreMonthFirstAndDotsDayFirst(string text, int month, int day)
    {
        Assert.True(ValueParsing.TryDate(text, out var d));
        Assert.Equal((2025, month, day), (d.Year, d.Month, d.Day));
    }

    [Fact]
    public void WithoutAFormatADayFirstSlashDateIsNotReadDayFirst()
    {
        // Reading it day first would read its column by whichever order parses, value by value.
        Assert.False(ValueParsing.TryDate("25/03/2025", out _));
        Assert.True(ValueParsing.TryDate("25/03/2025", "d/M/yyyy", out var d));
        Assert.Equal(new DateTime(2025, 3, 25), d);
    }

    [Fact]
    public void TheEncoderTrainingAndServingShareReadsSlashDatesMonthFirstWithoutAFormat()
    {
        var e = new DatetimeEncoder { Field = "when" };
        var dest = new float[e.Width];
        Assert.True(e.Encode("12/08/2025", dest, null, out _));
        Assert.Equal(12f, dest[1]);
        Assert.False(e.Encode("25/03/2025", dest, null, out var problem));
        Assert.Contains("month first", problem);
    }
}
