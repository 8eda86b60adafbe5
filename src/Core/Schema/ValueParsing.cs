using System.Globalization;

namespace LeadPropensity.Core.Schema;

/// <summary>Invariant-culture parsing of raw CSV/JSON values shared by inference, training and serving.</summary>
public static class ValueParsing
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm", "yyyy/MM/dd", "yyyy/MM/dd HH:mm:ss", "dd/MM/yyyy", "dd/MM/yyyy HH:mm", "dd/MM/yyyy HH:mm:ss",
        "MM/dd/yyyy", "MM/dd/yyyy HH:mm", "MM/dd/yyyy HH:mm:ss", "dd.MM.yyyy", "dd.MM.yyyy HH:mm", "dd-MMM-yyyy", "yyyyMMdd'T'HHmmss",
    ];

    public static bool TryNumber(string raw, out double value)
    {
        var ok = double.TryParse(raw.Trim(), NumberStyles.Float,
            CultureInfo.InvariantCulture, out value);
        return ok && double.IsFinite(value);
    }

    public static bool TryDate(string raw, string? format, out DateTime value)
    {
        var t = raw.Trim();
        const DateTimeStyles styles = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;
        if (format is not null)
            return DateTime.TryParseExact(t, format, CultureInfo.InvariantCulture, styles, out value);
        if (DateTime.TryParseExact(t, DateFormats, CultureInfo.InvariantCulture, styles, out value)) return true;
        // Accept any other unambiguous ISO 8601 form (fractions, offsets) but not bare numbers.
        if (t.Length >= 8 && t.Contains('-') && DateTime.TryParse(t, CultureInfo.InvariantCulture, styles, out value)) return true;
        value = default;
        return false;
    }

    public static bool TryDate(string raw, out DateTime value) => TryDate(raw, null, out value);
}
