using LeadPropensity.Core.Csv;
using LeadPropensity.Core.Schema;

namespace LeadPropensity.Core.Tests;

public class SchemaInferrerTests
{
    private static readonly Lazy<SchemaProposal> Sample = new(() =>
        SchemaInferrer.Infer(CsvTable.Load(RepoPaths.Repo("data", "sample", "leads.csv")), "outcome", ["won"]));

    private static readonly Lazy<SchemaProposal> Bank = new(() =>
        SchemaInferrer.Infer(CsvTable.Load(RepoPaths.BankMarketing), "output", ["yes"]));

    private static ColumnType TypeOf(SchemaProposal p, string name) => p.Schema.Find(name)!.Type;

    [Fact]
    public void SampleColumnsGetTheirTypes()
    {
        var p = Sample.Value;
        Assert.Equal("lead_id", p.Schema.Id);
        Assert.Equal("created_at", p.Schema.Timestamp);
        Assert.Equal(ColumnType.Datetime, TypeOf(p, "created_at"));
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "lead_source"));
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "company_size"));
        Assert.Equal(ColumnType.Text, TypeOf(p, "job_title"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "website_visits_30d"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "visit_trend"));
        Assert.Equal(ColumnType.Boolean, TypeOf(p, "demo_requested"));
        Assert.Equal(ColumnType.Ignore, TypeOf(p, "lead_id"));
    }

    [Fact]
    public void SampleLeakIsFlaggedAndNotAvailableAtScoring()
    {
        var p = Sample.Value;
        Assert.False(p.Schema.Find("closed_reason")!.AvailableAtScoring);
        var d = p.Decisions.Single(x => x.Name == "closed_reason");
        Assert.Contains("post-outcome", d.Warning);
        Assert.All(p.Decisions.Where(x => x.Name is "demo_requested" or "website_visits_30d"), x => Assert.Null(x.Warning));
    }

    [Fact]
    public void SampleLabelCountsAreReported()
    {
        var p = Sample.Value;
        Assert.Equal(20000, p.Rows);
        Assert.InRange(p.Positives, 1600, 3000);
    }

    [Fact]
    public void BankMarketingExportIsUnderstood()
    {
        var p = Bank.Value;
        Assert.Equal(41188, p.Rows);
        Assert.Equal(4640, p.Positives);
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "age"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "duration"));
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "job"));
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "month"));
        Assert.Equal(ColumnType.Boolean, TypeOf(p, "housing"));
        Assert.Null(p.Schema.Id);
        Assert.Null(p.Schema.Timestamp);
        // 'unknown' is a placeholder, not a level: it counts as missing
        var education = p.Decisions.Single(d => d.Name == "education");
        Assert.InRange(education.MissingShare, 0.03, 0.06);
        Assert.Equal(7, education.Distinct);
    }

    [Fact]
    public void ConstantAndAllMissingColumnsAreIgnored()
    {
        var t = CsvTable.Parse("y,k,e,x\n1,a,,1\n0,a,,2\n1,a,NA,3\n");
        var p = SchemaInferrer.Infer(t, "y");
        Assert.Equal(ColumnType.Ignore, TypeOf(p, "k"));
        Assert.Equal(ColumnType.Ignore, TypeOf(p, "e"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "x"));
    }

    [Fact]
    public void InfersBooleansDatesAndTextFromValues()
    {
        var rows = Enumerable.Range(0, 60).Select(i =>
            $"{i % 2},{(i % 3 == 0 ? "Y" : "N")},2024-0{1 + i % 9}-1{i % 10},{(i % 2 == 0 ? "true" : "false")},Senior Product Designer {i},{i % 4}");
        var t = CsvTable.Parse("y,flag,when,tf,title,level\n" + string.Join("\n", rows));
        var p = SchemaInferrer.Infer(t, "y");
        Assert.Equal(ColumnType.Boolean, TypeOf(p, "flag"));
        Assert.Equal(ColumnType.Boolean, TypeOf(p, "tf"));
        Assert.Equal(ColumnType.Datetime, TypeOf(p, "when"));
        Assert.Equal(ColumnType.Text, TypeOf(p, "title"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "level"));
        Assert.Equal("when", p.Schema.Timestamp);
    }

    [Fact]
    public void UnknownLabelColumnIsAClearError()
    {
        var e = Assert.Throws<CsvFormatException>(() => SchemaInferrer.Infer(CsvTable.Parse("a,b\n1,2\n"), "Converted"));
        Assert.Contains("'Converted'", e.Message);
    }

    [Fact]
    public void ProposedSchemaIsValid()
    {
        var json = Sample.Value.Schema.ToJson();
        var reparsed = LeadSchema.Parse(json);
        Assert.Equal(Sample.Value.Schema.Columns.Count, reparsed.Columns.Count);
    }

    /// <summary>
    /// A Dynamics 365 export as it comes: a GUID per lead, US dates with a 12-hour clock, a checkbox that is "Yes" or
    /// blank, a count with "-" for none, a status written with the outcome and a modified-on time. Before, the GUID and
    /// the dates were free text, the checkbox a constant and the count a category.
    /// </summary>
    [Fact]
    public void ADynamicsStyleExportIsReadForWhatItIs()
    {
        var rng = new Random(5);
        var rows = Enumerable.Range(0, 300).Select(i =>
        {
            var won = rng.NextDouble() < 0.3;
            var created = new DateTime(2025, 1, 1).AddHours(i * 17.3);
            var day = created.AddDays(3);
            return string.Join(",",
                new Guid(rng.Next(), (short)i, (short)7, [1, 2, 3, 4, 5, 6, 7, (byte)(i % 256)]).ToString(),
                created.ToString("M/d/yyyy h:mm tt", System.Globalization.CultureInfo.InvariantCulture),
                day.ToString("d/M/yyyy", System.Globalization.CultureInfo.InvariantCulture),
                rng.NextDouble() < 0.4 ? "Yes" : "",
                i % 50 == 7 ? "-" : rng.Next(0, 40).ToString(System.Globalization.CultureInfo.InvariantCulture),
                won ? "Qualified" : (i % 2 == 0 ? "Cannot Contact" : "No Longer Interested"),
                day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                won ? "Won" : "Lost");
        });
        var t = CsvTable.Parse("(Do Not Modify) Lead,Created On,Follow Up,Do Not Email,Visits,Status Reason,Modified On,Status\n" + string.Join("\n", rows));
        var p = SchemaInferrer.Infer(t, "Status", ["Won"]);

        Assert.Equal("(Do Not Modify) Lead", p.Schema.Id);
        Assert.Equal(ColumnType.Ignore, TypeOf(p, "(Do Not Modify) Lead"));
        Assert.Equal(ColumnType.Datetime, TypeOf(p, "Created On"));
        Assert.Equal("M/d/yyyy h:mm tt", p.Schema.Find("Created On")!.Format);
        Assert.Equal("Created On", p.Schema.Timestamp);
        // Days above 12 in the first place: day first, whatever US exports usually do.
        Assert.Equal("d/M/yyyy", p.Schema.Find("Follow Up")!.Format);
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "Do Not Email"));
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "Visits"));
        Assert.Contains("-", p.Schema.MissingTokens);
        Assert.False(p.Schema.Find("Status Reason")!.AvailableAtScoring);
        Assert.Contains("tell won from lost", p.Decisions.Single(d => d.Name == "Status Reason").Warning);
        Assert.Contains("filled after the outcome", p.Decisions.Single(d => d.Name == "Modified On").Warning);
        // What the proposal says is what training and serving read: every date parses with the format written.
        var created = t.Headers.ToList().IndexOf("Created On");
        Assert.All(t.Rows, r => Assert.True(ValueParsing.TryDate(r[created], p.Schema.Find("Created On")!.Format, out _), r[created]));
        Assert.Equal(p.Schema.Columns.Count, LeadSchema.Parse(p.Schema.ToJson()).Columns.Count);
        // A CRM calling the service sends ISO 8601 whatever its export's form: a column with a format reads both.
        Assert.True(ValueParsing.TryDate("2025-08-07T05:53:00Z", "M/d/yyyy h:mm tt", out var iso));
        Assert.True(ValueParsing.TryDate("8/7/2025 5:53 AM", "M/d/yyyy h:mm tt", out var us));
        Assert.Equal(iso, us);
        Assert.False(ValueParsing.TryDate("7/8/2025", "M/d/yyyy h:mm tt", out _));
    }

    [Fact]
    public void DatesWhoseDayAndMonthCannotBeToldApartAreMonthFirstWithANote()
    {
        var rows = Enumerable.Range(0, 40).Select(i => $"{i % 2},{1 + i % 12}/{1 + i % 12}/2025,{i}");
        var p = SchemaInferrer.Infer(CsvTable.Parse("y,when,n\n" + string.Join("\n", rows)), "y");
        Assert.Equal("M/d/yyyy", p.Schema.Find("when")!.Format);
        Assert.Contains("cannot be told apart", p.Decisions.Single(d => d.Name == "when").Reason);
    }

    [Fact]
    public void ACheckboxWithoutBlanksIsStillAConstant()
    {
        var p = SchemaInferrer.Infer(CsvTable.Parse("y,k\n" + string.Join("\n", Enumerable.Range(0, 200).Select(i => $"{i % 2},Yes"))), "y");
        Assert.Equal(ColumnType.Ignore, TypeOf(p, "k"));
    }

    [Fact]
    public void NumbersWithManyWordsAmongThemStayCategories()
    {
        // Not a few placeholders: a tenth of the values are words, so the column is not numbers with gaps.
        var rows = Enumerable.Range(0, 200).Select(i => $"{i % 2},{(i % 10 == 0 ? "many" : (i % 7).ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        var p = SchemaInferrer.Infer(CsvTable.Parse("y,v\n" + string.Join("\n", rows)), "y");
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "v"));
        Assert.DoesNotContain("many", p.Schema.MissingTokens);
    }

    /// <summary>"$25,000.00" is text to an invariant reader (and to the service): the proposal says why it is no number.</summary>
    [Fact]
    public void FormattedMoneyIsACategoryThatSaysHowToExportItAsANumber()
    {
        var rows = Enumerable.Range(0, 60).Select(i => $"{i % 2},\"${i % 7},{i % 10}00.00\"");
        var p = SchemaInferrer.Infer(CsvTable.Parse("y,Annual Revenue\n" + string.Join("\n", rows)), "y");
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "Annual Revenue"));
        Assert.Contains("export the column unformatted", p.Decisions.Single(d => d.Name == "Annual Revenue").Reason);
    }

    /// <summary>Locale and spreadsheet forms: each is a category (or left out when unique per row) that says why, never an id.</summary>
    [Theory]
    [InlineData("85N,02")]
    [InlineData("1N,4")]
    [InlineData("1N%")]
    [InlineData("1N,5 %")]
    [InlineData("1.N,56 €")]
    [InlineData("25 N")]
    public void NumbersInALocaleOrSpreadsheetFormAreExplainedNotTakenForAnId(string form)
    {
        // Each row's value differs (unique per row, as amounts are): N is the row's number in three digits.
        var rows = Enumerable.Range(0, 60).Select(i => $"{i % 2};{form.Replace("N", i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture))}");
        var p = SchemaInferrer.Infer(CsvTable.Parse("y;Amount\n" + string.Join("\n", rows)), "y");
        var reason = p.Decisions.Single(x => x.Name == "Amount").Reason;
        Assert.NotEqual(ColumnType.Numeric, TypeOf(p, "Amount"));
        Assert.Contains("formatted numbers", reason);
        Assert.Contains("export the column unformatted", reason);
        Assert.NotEqual("Amount", p.Schema.Id);
    }

    [Fact]
    public void DigitsWithLeadingZerosAreACodeAndARunningNumberIsNoFeature()
    {
        var rows = Enumerable.Range(0, 60).Select(i => $"{i % 2},0{1000 + i % 17},{5000 + i * 3},{(i * 37) % 61}");
        var p = SchemaInferrer.Infer(CsvTable.Parse("y,Zip,CustomerRef,Visits\n" + string.Join("\n", rows)), "y");
        Assert.Equal(ColumnType.Categorical, TypeOf(p, "Zip"));
        Assert.Contains("leading zeros (e.g. '01000')", p.Decisions.Single(d => d.Name == "Zip").Reason);
        Assert.Equal(ColumnType.Ignore, TypeOf(p, "CustomerRef"));
        Assert.Contains("rising with the rows", p.Decisions.Single(d => d.Name == "CustomerRef").Reason);
        // Unique per row but not in file order: a quantity, kept as a number.
        Assert.Equal(ColumnType.Numeric, TypeOf(p, "Visits"));
    }

    [Fact]
    public void ALabelWithNoPositiveValueListsTheValuesItHas()
    {
        var rows = Enumerable.Range(0, 30).Select(i => $"{(i % 3 == 0 ? "Qualified" : "Disqualified")},{i}");
        var e = Assert.Throws<SchemaException>(() => SchemaInferrer.Infer(CsvTable.Parse("Status,n\n" + string.Join("\n", rows)), "Status", ["Won"]));
        Assert.Contains("'Disqualified' (20)", e.Message);
        Assert.Contains("'Qualified' (10)", e.Message);
        Assert.Contains("--positive", e.Message);
    }

    /// <summary>Status,n: 1022 Closed Won, 582 Closed Lost and 396 Open rows (the tester's Salesforce export, in counts).</summary>
    private static CsvTable ThreeValueLabel()
    {
        var statuses = Enumerable.Repeat("Closed Won", 1022).Concat(Enumerable.Repeat("Closed Lost", 582)).Concat(Enumerable.Repeat(" open ", 396)).ToList();
        return CsvTable.Parse("Status,n\n" + string.Join("\n", statuses.Select((st, i) => $"{st},{i % 13}")) + "\n");
    }

    [Fact]
    public void OpportunityStagesBeforeClosedAreProposedAsOpen()
    {
        string[] stages = ["Closed Won", "Closed Lost", "Prospecting", "Qualification", "Needs Analysis", "Negotiation/Review", "Proposal/Price Quote"];
        var rows = Enumerable.Range(0, 400).Select(i => $"{stages[i % 7]},{i % 13}");
        var p = SchemaInferrer.Infer(CsvTable.Parse("Stage,n\n" + string.Join("\n", rows)), "Stage", ["Closed Won"]);
        Assert.Equal(["Closed Lost"], p.Schema.Label.Negative);
        Assert.Equal(stages[2..].Order(), p.Schema.Label.Open!.Order());
        // Without a closed lost value, stage names say nothing of outcomes: they are lost unless the undecided words say open.
        var won = Enumerable.Range(0, 400).Select(i => $"{(i % 3 == 0 ? "Closed Won" : i % 3 == 1 ? "Qualification" : "Open")},{i % 13}");
        var q = SchemaInferrer.Infer(CsvTable.Parse("Stage,n\n" + string.Join("\n", won)), "Stage", ["Closed Won"]);
        Assert.Equal(["Qualification"], q.Schema.Label.Negative);
        Assert.Equal(["Open"], q.Schema.Label.Open);
    }

    [Fact]
    public void ALabelOfThreeValuesGetsNegativeAndOpenProposedWithANoteOnEachValue()
    {
        var p = SchemaInferrer.Infer(ThreeValueLabel(), "Status", ["Closed Won"]);
        Assert.Equal(new[] { "Closed Lost" }, p.Schema.Label.Negative);
        Assert.Equal(new[] { "open" }, p.Schema.Label.Open);
        Assert.Equal((2000, 1022, 1604, 396), (p.Rows, p.Positives, p.Decided, p.LeftOut));
        Assert.Contains("1022 of 1604 rows positive; 396 rows with no outcome yet (open) left out", p.Decisions.Single(d => d.Name == "Status").Reason);
        Assert.NotNull(p.LabelNote);
        Assert.Contains("'Closed Won' (1022 rows) → positive", p.LabelNote);
        Assert.Contains("'Closed Lost' (582 rows) → negative", p.LabelNote);
        Assert.Contains("'open' (396 rows) → open", p.LabelNote);
        Assert.Contains("Review", p.LabelNote);
        // The proposal reads back as written: the open rows are neither won nor lost.
        Assert.Equal(LabelOutcome.Open, LeadSchema.Parse(p.Schema.ToJson()).ReadLabel("Open"));
    }

    [Fact]
    public void ALabelOfTwoValuesGetsNoNegativeOrOpenProposed()
    {
        var rows = Enumerable.Range(0, 40).Select(i => $"{(i % 4 == 0 ? "Closed Won" : "Open")},{i}");
        var p = SchemaInferrer.Infer(CsvTable.Parse("Status,n\n" + string.Join("\n", rows)), "Status", ["Closed Won"]);
        Assert.Null(p.Schema.Label.Negative);
        Assert.Null(p.Schema.Label.Open);
        Assert.Null(p.LabelNote);
        Assert.Equal((40, 10, 40, 0), (p.Rows, p.Positives, p.Decided, p.LeftOut));
    }

    [Theory]
    [InlineData("Open", true)]
    [InlineData("Open - Not Contacted", true)]
    [InlineData("Working - Contacted", true)]
    [InlineData("In_Progress", true)]
    [InlineData("NEW", true)]
    [InlineData("Nurturing", true)]
    [InlineData("Unqualified", false)]
    [InlineData("Closed Lost", false)]
    [InlineData("Closed - Not Converted", false)]
    [InlineData("Newsletter", false)]
    [InlineData("Reopened deal lost", false)]
    public void UndecidedLabelValuesAreFewAndPlain(string value, bool undecided)
    {
        Assert.Equal(undecided, SchemaInferrer.LooksUndecided(value));
    }
}

