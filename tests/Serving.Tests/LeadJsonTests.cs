using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LeadPropensity.Serving.Predict;

namespace LeadPropensity.Serving.Tests;

/// <summary>
/// A JSON batch is read on all cores from the leads' byte ranges (found by their braces) when it is plainly formed, and
/// in order otherwise. The parallel reading must never accept a body the ordered reader rejects, nor read one
/// differently: whatever it accepts, the ordered reader reads to the same leads without an error.
/// </summary>
public class LeadJsonTests
{
    // Text with the characters a brace scanner could trip on: braces, brackets, quotes, backslashes, slashes, non-ASCII.
    private static readonly Gen<string> Text =
        TextGen.Of("a", "Z", "7", " ", "{", "}", "[", "]", "\"", "\\", "/", "*", ",", ":", "é", "😀", "\n");

    private static readonly Gen<string> Space = Gen.Elements("", " ", "\n", "\t", "\r\n  ");

    /// <summary>A JSON value for a feature: text, a number, a boolean, null, or (rarely) an object or array, which is an error.</summary>
    private static readonly Gen<string> Value = Gen.Frequency(
        (6, Text.Select(t => JsonSerializer.Serialize(t))),
        (2, Gen.Choose(-1000, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Elements("true", "false", "null")),
        (1, Gen.Elements("{}", "{\"a\":{\"b\":\"}\"}}", "[1,{\"x\":\"{\"}]")));

    private static readonly Gen<string> Lead =
        Gen.Zip(Gen.Zip(Text, Value).ListOf(), Gen.Zip(Text, Space), (features, idAndSpace) =>
        {
            var (id, sp) = idAndSpace;
            return $"{{{sp}\"leadId\":{JsonSerializer.Serialize(id)},\"features\":{{" +
                   string.Join(",", features.Select(f => $"{sp}{JsonSerializer.Serialize(f.Item1)}{sp}:{f.Item2}")) + "}}";
        });

    private static readonly Gen<string> Batch =
        Gen.Zip(Lead.NonEmptyListOf(), Gen.Zip(Space, Gen.Elements("", ",")), (leads, t) => $"{t.Item1}[{string.Join($",{t.Item1}", leads)}{t.Item2}]{t.Item1}");

    /// <summary>A batch, sometimes damaged: a byte cut out, or a brace, quote, comment or stray character put in.</summary>
    public static Arbitrary<byte[]> Bodies() =>
        Gen.Zip(Gen.Zip(Batch, Gen.Choose(0, 100)), Gen.Zip(Gen.Choose(0, 1_000_000), Gen.Elements("{", "}", "\"", "/*x*/", "x", "]", ",")),
                (batch, damage) =>
                {
                    var (text, kind) = batch;
                    var (where, insert) = damage;
                    var bytes = Encoding.UTF8.GetBytes(text);
                    if (kind >= 50 || bytes.Length == 0) return bytes;
                    var at = where % bytes.Length;
                    return kind < 25
                        ? [.. bytes[..at], .. bytes[(at + 1)..]]
                        : [.. bytes[..at], .. Encoding.UTF8.GetBytes(insert), .. bytes[at..]];
                })
            .ToArbitrary();

    /// <summary>What the batch route reads on all cores: each lead in its range, or nothing when the ranges or a lead fail.</summary>
    private static LeadInput[]? ReadInParallel(byte[] body, int maxLeads)
    {
        var leads = LeadJson.LeadRanges(body, maxLeads)?.Select(r => LeadJson.TryParseLead(body.AsSpan()[r])).ToArray();
        return leads is not null && leads.All(l => l is not null) ? [.. leads.OfType<LeadInput>()] : null;
    }

    [Property(MaxTest = 1500, Arbitrary = [typeof(LeadJsonTests)])]
    public bool WhatIsReadInParallelTheOrderedReaderReadsAlikeWithoutErrors(byte[] body)
    {
        var parallel = ReadInParallel(body, maxLeads: 50);
        if (parallel is null) return true;
        var ordered = LeadJson.ParseBatch(body, maxLeads: 50);
        return !ordered.IsMalformed && ordered.Errors.Count == 0 && ordered.Leads.Count == parallel.Length
            && ordered.Leads.Zip(parallel).All(p => p.First.LeadId == p.Second.LeadId && p.First.Features.SequenceEqual(p.Second.Features));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(LeadJsonTests)])]
    public bool AnUndamagedBatchWithoutErrorsIsReadInParallel(byte[] body)
    {
        var ordered = LeadJson.ParseBatch(body, maxLeads: 50);
        var clean = !ordered.IsMalformed && ordered.Errors.Count == 0 && !Encoding.UTF8.GetString(body).Contains("/*");
        return !clean || ReadInParallel(body, maxLeads: 50) is { } leads && leads.Length == ordered.Leads.Count;
    }

    [Theory]
    [InlineData("""[{"leadId":"a","features":{"t":"}{\"}"}}]""", 1)]
    [InlineData("""[{"leadId":"a\\","features":{}} , {"leadId":"b","features":{"x":"\\\"}"}},]""", 2)]
    [InlineData(" \n[\t{\"features\":{}}\r\n] \n", 1)]
    public void PlainBatchesAreFoundLeadByLead(string body, int leads) =>
        Assert.Equal(leads, LeadJson.LeadRanges(Encoding.UTF8.GetBytes(body), 10)!.Count);

    [Theory]
    [InlineData("[]")]                                              // empty: the ordered reader says so
    [InlineData("[1]")]                                             // not an object
    [InlineData("""[/*c*/{"features":{}}]""")]                      // a comment
    [InlineData("""[{"features":{"x":"/*"}}, /* */ {"features":{}}]""")]
    [InlineData("""[{"features":{}}""")]                            // no closing bracket
    [InlineData("""[{"features":{"x":"}""")]                        // string never closed
    [InlineData("""[{"features":{}}] x""")]                         // something after the array
    [InlineData("""[{"features":{}},,{"features":{}}]""")]
    [InlineData("""{"features":{}}""")]                             // not an array
    [InlineData("""[{"features":{}},{"features":{}},{"features":{}}]""")] // over the limit of 2
    public void AnythingElseIsLeftToTheOrderedReader(string body) =>
        Assert.Null(LeadJson.LeadRanges(Encoding.UTF8.GetBytes(body), 2));

    [Theory]
    [InlineData("""{"leadId":true,"features":{}}""")]              // an error the reader reports
    [InlineData("""{"leadId":"a","features":{"x":{"y":1}}}""")]
    [InlineData("""{"leadId":"a"}""")]                             // no features
    [InlineData("""{"leadId":"a","features":{"x":"\ud800"}}""")]  // not text
    [InlineData("""{"leadId":"a","features":{"x":1,}""")]         // malformed
    public void ALeadWithAnythingToReportIsNotReadInParallel(string lead) =>
        Assert.Null(LeadJson.TryParseLead(Encoding.UTF8.GetBytes(lead)));
}
