using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests;

/// <summary>The label's "open" values: leads with no outcome yet are left out and counted, never trained as lost.</summary>
public class OpenLabelTests
{
    private static LeadSchema Schema(string label) => LeadSchema.Parse(
        $$"""{ "label": { "column": "Status", {{label}} }, "columns": [ { "name": "visits", "type": "numeric" } ] }""", "schema.json");

    private static readonly LeadSchema WithOpen = Schema("""
        "positive": ["Closed Won"], "negative": ["Closed Lost"], "open": ["Open", "Working - Contacted"]
        """);

    /// <summary>A CSV of Status,visits with the given label values, one row each, visits = the row's index.</summary>
    private static LeadDataset Read(LeadSchema schema, params string[] labels)
    {
        var csv = "Status,visits\n" + string.Concat(labels.Select((l, i) => $"\"{l}\",{i}\n"));
        using var reader = CsvTableReader.FromString(csv, "sf.csv");
        return LeadDataset.Read(reader, schema, strict: false, "sf.csv");
    }

    [Theory]
    [InlineData("Open", LabelOutcome.Open)]
    [InlineData(" OPEN ", LabelOutcome.Open)]
    [InlineData("working - contacted", LabelOutcome.Open)]
    [InlineData("closed won", LabelOutcome.Won)]
    [InlineData(" Closed Lost\t", LabelOutcome.Lost)]
    [InlineData("Pending", LabelOutcome.Unmapped)]
    [InlineData("", LabelOutcome.Missing)]
    public void OpenValuesMatchTrimmedIgnoringCaseAsPositiveValuesDo(string raw, LabelOutcome expected)
    {
        Assert.Equal(expected, WithOpen.ReadLabel(raw));
        Assert.Equal(expected switch { LabelOutcome.Won => true, LabelOutcome.Lost => (bool?)false, _ => null }, WithOpen.MapLabel(raw));
    }

    [Fact]
    public void OpenRowsAreLeftOutOfTheDatasetAndCountedPerValue()
    {
        var d = Read(WithOpen, "Closed Won", "Open", "Closed Lost", " open ", "Closed Lost", "Working - Contacted", "Closed Won", "OPEN");

        Assert.Equal(4, d.Count);
        Assert.Equal(2, d.Positives);
        Assert.Equal(new[] { true, false, false, true }, d.Labels);
        Assert.Equal(new long[] { 2, 4, 6, 8 }, d.Lines);
        Assert.Empty(d.SkippedRows);
        var left = Assert.IsType<LeftOutRows>(d.LeftOut);
        Assert.Equal(4, left.Rows);
        Assert.Equal(3, left.Labels["Open"]);
        Assert.Equal(1, left.Labels["Working - Contacted"]);
        Assert.Equal("4 rows left out: labels 'Open' (3), 'Working - Contacted' (1) mean no outcome yet", left.Text);
    }

    [Fact]
    public void OneOpenValueIsNamedInTheCount()
    {
        var d = Read(WithOpen, "Closed Won", "Open", "Closed Lost", "Open");
        Assert.Equal("2 rows left out: label 'Open' means no outcome yet", d.LeftOut!.Text);
    }

    [Fact]
    public void NothingIsLeftOutWithoutOpenValues()
    {
        var d = Read(Schema("""
            "positive": ["Closed Won"]
            """), "Closed Won", "Open", "Closed Lost");
        Assert.Null(d.LeftOut);
        Assert.Equal(3, d.Count);
        Assert.Equal(new[] { true, false, false }, d.Labels);
    }

    [Fact]
    public void WithoutANegativeListEveryValueNotPositiveOrOpenIsLost()
    {
        var d = Read(Schema("""
            "positive": ["Closed Won"], "open": ["Open"]
            """), "Closed Won", "Open", "Closed Lost", "Disqualified");
        Assert.Equal(new[] { true, false, false }, d.Labels);
        Assert.Equal(1, d.LeftOut!.Rows);
    }

    [Fact]
    public void WithANegativeListAValueInNoListStillStopsReadingAndPointsToOpen()
    {
        var e = Assert.Throws<CsvFormatException>(() => Read(WithOpen, "Closed Won", "Pending", "Closed Lost", "Pending", "Open"));
        Assert.Contains("2 rows have a label the schema cannot map in column 'Status': 'Pending' ×2", e.Message);
        Assert.Contains("open [Open, Working - Contacted]", e.Message);
        Assert.Contains("\"open\"", e.Message);
    }

    [Theory]
    [InlineData(""" "positive": ["won"], "open": ["WON"] """, "'won' is both positive and open")]
    [InlineData(""" "positive": ["won"], "negative": ["lost"], "open": [" Lost"] """, "'lost' is both negative and open")]
    [InlineData(""" "positive": ["won"], "open": "Open" """, "'open' must be an array of strings")]
    [InlineData(""" "positive": ["won"], "open": [null] """, "'open[0]' must be a string")]
    public void BadOpenListsNameTheProblem(string label, string expected)
    {
        var e = Assert.Throws<SchemaException>(() => Schema(label));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("schema.json: label", e.Message);
    }

    [Fact]
    public void OpenRoundTripsThroughSchemaJsonAndIsAbsentWhenNotGiven()
    {
        var again = LeadSchema.Parse(WithOpen.ToJson());
        Assert.Equal(new[] { "Open", "Working - Contacted" }, again.Label.Open);
        Assert.Equal(LabelOutcome.Open, again.ReadLabel("open"));
        Assert.DoesNotContain("\"open\"", Schema(""" "positive": ["won"] """).ToJson());
    }
}
