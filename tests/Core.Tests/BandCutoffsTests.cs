using LeadPropensity.Core.Bands;

namespace LeadPropensity.Core.Tests;

public class BandCutoffsTests
{
    [Theory]
    [InlineData(0.0, 0.5, "the MQL cutoff must be a probability strictly between 0 and 1 (got 0)")]
    [InlineData(-0.1, 0.5, "the MQL cutoff must be a probability strictly between 0 and 1 (got -0.1)")]
    [InlineData(double.NaN, 0.5, "the MQL cutoff must be a probability strictly between 0 and 1 (got NaN)")]
    [InlineData(0.2, 1.0, "the SQL cutoff must be a probability strictly between 0 and 1 (got 1)")]
    [InlineData(0.2, 1.5, "the SQL cutoff must be a probability strictly between 0 and 1 (got 1.5)")]
    [InlineData(0.5, 0.5, "the MQL cutoff (0.5) must be below the SQL cutoff (0.5)")]
    [InlineData(0.6, 0.3, "the MQL cutoff (0.6) must be below the SQL cutoff (0.3)")]
    public void InvalidCutoffsAreRejectedWithAClearMessage(double mql, double sql, string message)
    {
        Assert.Equal(message, BandCutoffs.Problem(mql, sql));
        Assert.Equal(message, Assert.Throws<BandException>(() => new BandCutoffs(mql, sql)).Message);
    }

    [Theory]
    [InlineData("", "MQL", "band name 'sql' is empty")]
    [InlineData("Hot", "hot ", "band names must differ: 'sql' and 'mql' are both 'Hot'")]
    public void InvalidNamesAreRejected(string sql, string mql, string message) =>
        Assert.Equal(message, Assert.Throws<BandException>(() => new BandCutoffs(0.1, 0.3, new BandNames(sql, mql))).Message);

    [Theory]
    [InlineData(0.0, "Nurture")]
    [InlineData(0.0999999, "Nurture")]
    [InlineData(0.1, "MQL")]       // exactly the MQL cutoff
    [InlineData(0.2999999, "MQL")]
    [InlineData(0.3, "SQL")]       // exactly the SQL cutoff
    [InlineData(1.0, "SQL")]
    public void AssignAtAndAroundTheBoundaries(double p, string band)
    {
        var cutoffs = new BandCutoffs(0.1, 0.3);
        Assert.Null(BandCutoffs.Problem(0.1, 0.3));
        Assert.Equal(band, cutoffs.Assign(p, disqualified: false));
        Assert.Equal("Disqualified", cutoffs.Assign(p, disqualified: true));
    }

    /// <summary>
    /// A recommended cutoff is a held-out lead's score: that lead scored again, with its terms added in another order,
    /// may come out a bit or two lower and must keep its band; a thousandth of a millionth below is below.
    /// </summary>
    [Fact]
    public void AScoreWithinRoundingOfACutoffReachesIt()
    {
        var sql = 0.31639501234567;
        var cutoffs = new BandCutoffs(0.1, sql);
        Assert.Equal("SQL", cutoffs.Assign(Math.BitDecrement(sql), disqualified: false));
        Assert.Equal("SQL", cutoffs.Assign(sql - 1e-15, disqualified: false));
        Assert.Equal("MQL", cutoffs.Assign(sql - 1e-9, disqualified: false));
        Assert.Equal("MQL", cutoffs.Assign(Math.BitDecrement(0.1), disqualified: false));
        Assert.Equal("Nurture", cutoffs.Assign(0.1 - 1e-9, disqualified: false));
    }

    [Fact]
    public void NamesAreConfigurable()
    {
        var cutoffs = new BandCutoffs(0.1, 0.3, new BandNames("Hot", "Warm", "Cold", "Out"));
        Assert.Equal(["Hot", "Warm", "Cold", "Out"], cutoffs.Names.All);
        Assert.Equal("Hot", cutoffs.Assign(0.5, false));
        Assert.Equal("Warm", cutoffs.Assign(0.2, false));
        Assert.Equal("Cold", cutoffs.Assign(0.05, false));
        Assert.Equal("Out", cutoffs.Assign(0.5, true));
        Assert.Equal(["SQL", "MQL", "Nurture", "Disqualified"], new BandCutoffs(0.1, 0.3).Names.All);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void AssignRejectsAnythingButAProbability(double p) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BandCutoffs(0.1, 0.3).Assign(p, false));
}
