using LeadPropensity.Core.Modeling;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests.Modeling;

public class FeaturizationTests
{
    private static readonly LeadSchema Schema = LeadSchema.Parse("""
    {
      "label": { "column": "y", "positive": ["won"] },
      "timestamp": "created",
      "columns": [
        { "name": "created", "type": "datetime" },
        { "name": "visits", "type": "numeric" },
        { "name": "source", "type": "categorical" },
        { "name": "optin", "type": "boolean", "trueValues": ["si"], "falseValues": ["no"] },
        { "name": "title", "type": "text" },
        { "name": "last_seen", "type": "datetime" }
      ]
    }
    """);

    private static FeaturePlan Plan()
    {
        var rows = Enumerable.Range(0, 200).Select(i => new string?[]
        {
            "2025-06-01T00:00:00Z", (i % 10).ToString(System.Globalization.CultureInfo.InvariantCulture), i < 150 ? "web" : i < 195 ? "event" : "rare" + i,
            i % 2 == 0 ? "si" : "no", i % 3 == 0 ? "VP Marketing" : "Marketing Intern", "2025-05-01",
        }).ToList();
        return FeaturePlan.Fit(Schema, rows, new FeaturePlanOptions { MinLevelCount = 10, MinTokenCount = 10 });
    }

    private static float[] Encode(FeaturePlan plan, params string?[] values)
    {
        var x = new float[plan.Width];
        var problems = new List<FieldProblem>();
        Assert.True(plan.Encode(values, x, problems), string.Join("; ", problems));
        return x;
    }

    private static float Slot(FeaturePlan plan, float[] x, string name) => x[Array.IndexOf(plan.SlotNames(), name)];

    [Fact]
    public void MissingNumbersKeepAnIndicatorInsteadOfASilentZero()
    {
        var plan = Plan();
        var x = Encode(plan, "2025-06-01", null, "web", "si", "VP Sales", "2025-05-01");
        Assert.Equal(1, Slot(plan, x, "visits=missing"));
        Assert.Equal(5, Slot(plan, x, "visits")); // the median, flagged as missing
        var y = Encode(plan, "2025-06-01", "0", "web", "si", "VP Sales", "2025-05-01");
        Assert.Equal(0, Slot(plan, y, "visits=missing"));
        Assert.Equal(0, Slot(plan, y, "visits"));
    }

    [Fact]
    public void RareAndUnseenLevelsShareOtherAndMissingHasItsOwnSlot()
    {
        var plan = Plan();
        var cat = (CategoricalEncoder)plan.Encoders[2];
        Assert.Equal(["web", "event"], cat.Levels);
        Assert.Equal(1, Slot(plan, Encode(plan, "2025-06-01", "1", "brand_new_source", "si", "x", null), "source=other"));
        Assert.Equal(1, Slot(plan, Encode(plan, "2025-06-01", "1", "WEB", "si", "x", null), "source=web"));
        Assert.Equal(1, Slot(plan, Encode(plan, "2025-06-01", "1", null, "si", "x", null), "source=missing"));
    }

    [Fact]
    public void BooleansUseTheSchemaWordsAndRejectOthers()
    {
        var plan = Plan();
        Assert.Equal(1, Slot(plan, Encode(plan, "2025-06-01", "1", "web", "SI", "x", null), "optin"));
        var problems = new List<FieldProblem>();
        Assert.False(plan.Encode(["2025-06-01", "1", "web", "maybe", "x", null], new float[plan.Width], problems));
        Assert.Equal("optin", Assert.Single(problems).Field);
    }

    [Fact]
    public void TextBecomesWordAndWordPairIndicators()
    {
        var plan = Plan();
        var x = Encode(plan, "2025-06-01", "1", "web", "si", "Senior VP, Marketing", null);
        Assert.Equal(1, Slot(plan, x, "title~vp"));
        Assert.Equal(1, Slot(plan, x, "title~marketing"));
        Assert.Equal(0, Slot(plan, x, "title~intern"));
        Assert.Equal(1, Slot(plan, Encode(plan, "2025-06-01", "1", "web", "si", "Marketing Intern", null), "title~marketing intern"));
    }

    [Fact]
    public void DatesBecomeAgesRelativeToTheRowTimestampAndCalendarParts()
    {
        var plan = Plan();
        var x = Encode(plan, "2025-06-01T00:00:00Z", "1", "web", "si", "x", "2025-05-22");
        Assert.Equal(10, Slot(plan, x, "last_seen:age_days"), 3);
        Assert.Equal(5, Slot(plan, x, "last_seen:month"));
        Assert.Equal(6, Slot(plan, x, "created:month"));
    }

    [Fact]
    public void BadValuesAreReportedPerField()
    {
        var plan = Plan();
        var problems = new List<FieldProblem>();
        Assert.False(plan.Encode(["yesterday", "many", "web", "si", "x", "2025-13-45"], new float[plan.Width], problems));
        Assert.Equal(["created", "visits", "last_seen"], problems.Select(p => p.Field));
        Assert.Contains("not a number", problems[1].Message);
    }

    [Fact]
    public void EverySlotMapsBackToItsBusinessField()
    {
        var plan = Plan();
        Assert.Equal(plan.Width, plan.SlotFields().Length);
        Assert.Equal(plan.Width, plan.SlotNames().Length);
        Assert.Equal(Schema.FeatureColumns.Select(c => c.Name), plan.SlotFields().Distinct());
    }
}
