using System.Collections.ObjectModel;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Core.Bundles;
using LeadPropensity.Core.Scoring;

namespace LeadPropensity.Core.Tests.Modeling;

/// <summary>
/// A lead handed over as a Dictionary whose keys are laid out as the thread's last lead's were is prepared by position
/// (PreparedLead's key layout); any other lead by looking each field up. Over runs of leads that share, change and break
/// layouts, both must prepare every lead exactly as the lookups do on a dictionary of another type.
/// </summary>
public class PreparedLeadProperties
{
    private static readonly Lazy<ModelBundle> Bundle = new(() =>
        ModelBundle.Load(new ModelRegistry(RepoPaths.Repo("models")).Resolve("champion")));

    private static readonly string?[] Values =
        [null, "", " ", "NA", "unknown", "yes", " no ", "true", "3", "4.5", "-0.18", "abc", "education", "2025-01-01T00:42:45Z", "201-1000"];

    /// <summary>Ways a CRM lays a lead's keys out: the model's order, reversed, with fields it does not know, a name in
    /// other case, a field left out or swapped for another name, the schema's id among them.</summary>
    private static string[][] Layouts(ModelBundle b)
    {
        var fields = b.Fields.ToArray();
        return
        [
            fields,
            [.. fields.Reverse()],
            [.. fields, "owner", "utm_campaign"],
            ["owner", .. fields, "Phone_Verified"],
            [fields[0].ToUpperInvariant(), .. fields[1..]],
            fields[1..],
            [.. fields[..5], b.Schema.Id!, .. fields[5..]],
            // A field swapped for one the model does not know, of the same length, in the same place.
            [.. fields[..2], new string('z', fields[2].Length), .. fields[3..]],
            // A field sent twice, under its own name and in other case (after it, or before it); or twice in other case.
            [.. fields, fields[3].ToUpperInvariant()],
            [fields[4].ToUpperInvariant(), .. fields],
            [fields[0].ToUpperInvariant(), char.ToUpperInvariant(fields[0][0]) + fields[0][1..], .. fields[1..]],
        ];
    }

    private static Gen<Dictionary<string, string?>> Lead(string[][] layouts) =>
        from layout in Gen.Elements(layouts)
        from values in Gen.Elements(Values).ArrayOf(layout.Length)
        // The JSON reader hands the same name strings back lead after lead; other callers make new ones.
        from sameStrings in Gen.Elements(true, false)
        select layout.Select((k, i) => (Key: sameStrings ? k : new string(k.AsSpan()), Value: values[i]))
            .ToDictionary(p => p.Key, p => p.Value);

    [Property(MaxTest = 300)]
    public Property EveryLeadIsPreparedAsItsFieldsLookedUpOneByOne() =>
        Prop.ForAll(Lead(Layouts(Bundle.Value)).NonEmptyListOf().ToArbitrary(), leads =>
        {
            var b = Bundle.Value;
            foreach (var lead in leads)
            {
                var byLayout = PreparedLead.From(b, lead);
                var lookedUp = PreparedLead.From(b, new ReadOnlyDictionary<string, string?>(lead));
                if (!Same(byLayout, lookedUp)) return false;
            }
            return true;
        });

    [Fact]
    public void ADictionaryIgnoringCaseGivesTheSameLeadAsAnyOther()
    {
        var b = Bundle.Value;
        var lead = b.Fields.Select((f, i) => (Key: i == 0 ? f.ToUpperInvariant() : f, Value: Values[i % Values.Length]))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        lead["owner"] = "jane";
        for (var round = 0; round < 3; round++)
            Assert.True(Same(PreparedLead.From(b, lead), PreparedLead.From(b, new ReadOnlyDictionary<string, string?>(lead))));
    }

    [Fact]
    public void ASecondLeadLaidOutLikeTheFirstGetsItsOwnValuesAndWarnings()
    {
        var b = Bundle.Value;
        var keys = b.Fields.Append("owner").ToArray();
        var first = PreparedLead.From(b, keys.ToDictionary(k => k, k => (string?)"NA"));
        var second = PreparedLead.From(b, keys.ToDictionary(k => k, k => k == b.Fields[0] ? "NA" : (string?)"3"));
        Assert.Equal(b.Fields, first.MissingFields);
        Assert.Equal([b.Fields[0]], second.MissingFields);
        Assert.Equal(["owner"], second.UnknownFields);
        Assert.All(second.Values.Skip(1), v => Assert.Equal("3", v));
    }

    /// <summary>
    /// Names match ignoring case, so "industry" and "INDUSTRY" in one lead are one field sent twice: with two values that
    /// is a problem naming the field, both spellings and both values (the exact spelling used to win, silently); with the
    /// same value (after trimming) the lead is scored with it.
    /// </summary>
    [Fact]
    public void AFieldSentUnderTwoSpellingsWithTwoValuesIsAProblem()
    {
        var b = Bundle.Value;
        Assert.Contains("industry", b.Fields);
        Dictionary<string, string?> Lead(params (string Key, string? Value)[] extra)
        {
            var lead = b.Fields.Where(f => f != "industry").ToDictionary(f => f, f => (string?)null);
            foreach (var (k, v) in extra) lead[k] = v;
            return lead;
        }

        // Twice in a row on this thread: a lead with two spellings is never remembered as a key layout, so the second
        // is compared again rather than taken by position.
        for (var round = 0; round < 2; round++)
        {
            var clash = PreparedLead.From(b, Lead(("industry", "education"), ("INDUSTRY", "retail")));
            var problem = Assert.Single(clash.Problems);
            Assert.Equal("industry", problem.Field);
            Assert.Equal("is sent more than once, as 'industry' and 'INDUSTRY', with different values ('education' and 'retail')", problem.Message);
            Assert.False(clash.IsValid);
        }

        var noExact = PreparedLead.From(b, Lead(("Industry", "education"), ("INDUSTRY", null)));
        Assert.Equal("is sent more than once, as 'Industry' and 'INDUSTRY', with different values ('education' and missing)", Assert.Single(noExact.Problems).Message);

        // The same value twice (once with spaces around it) is one value, whichever spelling comes first.
        foreach (var lead in new[] { Lead(("industry", "education"), ("Industry", " education ")), Lead(("Industry", " education "), ("industry", "education")) })
        {
            for (var round = 0; round < 2; round++)
            {
                var same = PreparedLead.From(b, lead);
                Assert.True(same.IsValid);
                Assert.Equal("education", same.Values[b.Fields.ToList().IndexOf("industry")]);
                Assert.Empty(same.UnknownFields);
            }
        }
    }

    private static bool Same(PreparedLead a, PreparedLead b) =>
        a.Values.SequenceEqual(b.Values) && a.Features.SequenceEqual(b.Features) && a.MissingFields.SequenceEqual(b.MissingFields) &&
        a.UnknownFields.SequenceEqual(b.UnknownFields) && a.Problems.SequenceEqual(b.Problems);
}
