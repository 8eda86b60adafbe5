using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests;

public class SchemaTests
{
    private const string Valid = """
    {
      "label": { "column": "Converted", "positive": ["1", "won"] },
      "id": "Prospect ID",
      "timestamp": "created_at",
      "missingTokens": ["", "Select"],
      "columns": [
        { "name": "TotalVisits", "type": "numeric" },
        { "name": "Lead Source", "type": "categorical" },
        { "name": "Do Not Email", "type": "boolean" },
        { "name": "created_at", "type": "datetime" },
        { "name": "Tags", "type": "categorical", "availableAtScoring": false },
        { "name": "Lead Number", "type": "ignore" }
      ]
    }
    """;

    [Fact]
    public void ParsesTheArchitectureExample()
    {
        var s = LeadSchema.Parse(Valid);
        Assert.Equal("Converted", s.Label.Column);
        Assert.Equal("Prospect ID", s.Id);
        Assert.Equal(ColumnType.Boolean, s.Find("Do Not Email")!.Type);
        Assert.False(s.Find("Tags")!.AvailableAtScoring);
    }

    [Fact]
    public void FeatureColumnsExcludeIgnoredLeakingLabelAndId()
    {
        var s = LeadSchema.Parse(Valid);
        Assert.Equal(["TotalVisits", "Lead Source", "Do Not Email", "created_at"], s.FeatureColumns.Select(c => c.Name));
    }

    [Fact]
    public void RoundTripsThroughJson()
    {
        var s = LeadSchema.Parse(Valid);
        var again = LeadSchema.Parse(s.ToJson());
        Assert.Equal(s.ToJson(), again.ToJson());
        Assert.False(again.Find("Tags")!.AvailableAtScoring);
    }

    [Theory]
    [InlineData("""{ "label": { "column": "y" }, "columns": [ { "name": "a", "type": "categorial" } ] }""", "columns[0] ('a') has unknown type 'categorial'")]
    [InlineData("""{ "label": { "column": "y" }, "columns": [ { "name": "a", "type": "numeric" }, { "name": "a", "type": "text" } ] }""", "columns[1] ('a') is listed twice")]
    [InlineData("""{ "label": { "column": "y" }, "columns": [ { "type": "numeric" } ] }""", "columns[0] has no 'name'")]
    [InlineData("""{ "columns": [ { "name": "a", "type": "numeric" } ] }""", "'label' must be an object")]
    [InlineData("""{ "label": { "column": "y", "positive": [] }, "columns": [ { "name": "a", "type": "numeric" } ] }""", "label 'positive' is empty")]
    [InlineData("""{ "label": { "column": "y" }, "columns": [ { "name": "a", "type": "ignore" } ] }""", "no column can be a feature")]
    [InlineData("""{ "label": { "column": "y" }, "columns": [ { "name": "a", "type": "numeric", "availableAtScoring": "no" } ] }""", "'availableAtScoring' must be true or false")]
    [InlineData("""{ "label": { "column": "y" }, "timestamp": "a", "columns": [ { "name": "a", "type": "numeric" } ] }""", "'timestamp' column 'a' must have type datetime")]
    [InlineData("""{ "label": { "column": "y" }, "columns": [ { "name": "a", "type": "numeric", "trueValues": ["si"] } ] }""", "only apply to boolean columns")]
    [InlineData("""{ "label": { "column": "y" }, "columns": [ { "name": "a", "type": "numeric" }, ] """, "not valid JSON")]
    [InlineData("""{ "label": { "column": "y" }, "columns": [ { "name": "a", "type": "numeric", "availableAtScoreing": false } ] }""",
        "columns[0] ('a'): unknown property 'availableAtScoreing'; did you mean 'availableAtScoring'?")]
    [InlineData("""{ "label": { "column": "y" }, "missingToken": ["-"], "columns": [ { "name": "a", "type": "numeric" } ] }""",
        "unknown property 'missingToken'; did you mean 'missingTokens'?")]
    [InlineData("""{ "label": { "column": "y", "postive": ["won"] }, "columns": [ { "name": "a", "type": "numeric" } ] }""",
        "label: unknown property 'postive'; did you mean 'positive'?")]
    [InlineData("""{ "label": { "column": "y" }, "owner": "sales ops", "columns": [ { "name": "a", "type": "numeric" } ] }""",
        "unknown property 'owner'; the properties here are label, id, timestamp, missingTokens, columns")]
    public void InvalidSchemasNameTheBadEntry(string json, string expected)
    {
        var e = Assert.Throws<SchemaException>(() => LeadSchema.Parse(json, "schema.json"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("schema.json", e.Message);
    }

    [Theory]
    [InlineData("won", true)]
    [InlineData("WON", true)]
    [InlineData(" 1 ", true)]
    [InlineData("lost", false)]
    [InlineData("", null)]
    [InlineData("Select", null)]
    public void MapsLabelsWithoutAnExplicitNegativeList(string raw, bool? expected)
    {
        Assert.Equal(expected, LeadSchema.Parse(Valid).MapLabel(raw));
    }

    [Fact]
    public void ExplicitNegativesMakeOtherLabelValuesUnmappable()
    {
        var s = LeadSchema.Parse("""{ "label": { "column": "y", "positive": ["won"], "negative": ["lost"] }, "columns": [ { "name": "a", "type": "numeric" } ] }""");
        Assert.True(s.MapLabel("won"));
        Assert.False(s.MapLabel("lost"));
        Assert.Null(s.MapLabel("open"));
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("Y", true)]
    [InlineData("0", false)]
    [InlineData("False", false)]
    [InlineData("maybe", null)]
    public void BooleanWords(string raw, bool? expected)
    {
        var c = new ColumnSpec { Name = "b", Type = ColumnType.Boolean };
        Assert.Equal(expected, c.ParseBoolean(raw));
    }

    [Fact]
    public void ShippedSampleSchemaIsValidAndHidesTheLeak()
    {
        var s = LeadSchema.Load(RepoPaths.Repo("data", "sample", "schema.json"));
        Assert.Equal("outcome", s.Label.Column);
        Assert.Equal("lead_id", s.Id);
        Assert.Equal("created_at", s.Timestamp);
        Assert.False(s.Find("closed_reason")!.AvailableAtScoring);
        Assert.DoesNotContain(s.FeatureColumns, c => c.Name is "closed_reason" or "outcome" or "lead_id");
    }
}
