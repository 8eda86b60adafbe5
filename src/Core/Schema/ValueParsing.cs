using System.Globalization;

namespace LeadPropensity.Core.Schema;

/// <summary>Invariant-culture parsing of raw CSV/JSON values shared by inference, training and serving.</summary>
public static class ValueParsing
{
    // Without a column format, a date whose day and month could be either way round (03/05/2025) is read one way for
    // its separator, never by whichever order happens to parse: per value, that read 12/08 as 12 August and 12/13 as
    // 13 December in one column. '/' (and '-', through the general parser below) is month first, as US CRM exports
    // write it and as schema infer assumes when no value tells; '.' is day first. A value the order cannot read
    // (25/03/2025) is not a date: a day-first export needs its format in the schema, which infer writes.
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm", "yyyy/MM/dd", "yyyy/MM/dd HH:mm:ss",
        "MM/dd/yyyy", "MM/dd/yyyy HH:mm", "MM/dd/yyyy HH:mm:ss", "dd.MM.yyyy", "dd.MM.yyyy HH:mm", "dd-MMM-yyyy", "yyyyMMdd'T'HHmmss",
    ];

    public static bool TryNumber(string raw, out double value)
    {
        var t = raw.AsSpan().Trim();
        // A plain whole number of up to nine digits (most CRM counts: visits, opens, days) is read digit by digit, to the
        // same value; anything else (a sign, a point, an exponent, more digits) goes to the general parser.
        if (t.Length is > 0 and <= 9)
        {
            var n = 0;
            var i = 0;
            for (; i < t.Length && char.IsAsciiDigit(t[i]); i++) n = n * 10 + (t[i] - '0');
            if (i == t.Length)
            {
                value = n;
                return true;
            }
        }
        var ok = double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        return ok && double.IsFinite(value);
    }

    public static bool TryDate(string raw, string? format, out DateTime value)
    {
        // The ISO 8601 forms CRMs send (the first, and most used, of DateFormats) are read directly: the general
        // parser tries each format in turn, which cost more than the rest of preparing a lead for scoring.
        if (format is null && TryIsoDate(raw.AsSpan().Trim(), out value)) return true;
        return TryDateByFormats(raw, format, out value);
    }

    /// <summary>The general path: <paramref name="format"/> when given, else each of DateFormats, then any ISO 8601 form.</summary>
    internal static bool TryDateByFormats(string raw, string? format, out DateTime value)
    {
        var t = raw.Trim();
        const DateTimeStyles styles = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;
        // A column's own format (how its export writes dates), and ISO 8601 too, which cannot be misread: a CRM calling
        // the service sends JSON dates as ISO 8601 whatever form its CSV export uses.
        if (format is not null)
            return DateTime.TryParseExact(t, format, CultureInfo.InvariantCulture, styles, out value) || TryIsoDate(t, out value);
        if (DateTime.TryParseExact(t, DateFormats, CultureInfo.InvariantCulture, styles, out value)) return true;
        // Accept any other ISO 8601 form (fractions, offsets) but not bare numbers. The invariant culture reads numeric
        // dashed dates (03-05-2025) month first only, as DateFormats reads '/'.
        if (t.Length >= 8 && t.Contains('-') && DateTime.TryParse(t, CultureInfo.InvariantCulture, styles, out value)) return true;
        value = default;
        return false;
    }

    public static bool TryDate(string raw, out DateTime value) => TryDate(raw, null, out value);

    // ISO 8601 instants with a 'T' the fast reader leaves to the general parser (minutes only, or no offset).
    private static readonly string[] IsoInstantFormats =
        ["yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"];

    /// <summary>
    /// An instant as an API parameter states it: ISO 8601 only (yyyy-MM-dd, optionally with a time after 'T' or ' ', then
    /// optionally 'Z' or an offset; UTC when none is given), returned in UTC. Unlike <see cref="TryDate(string, out DateTime)"/>
    /// it refuses day-first or month-first dates, whose meaning depends on who wrote them, and a time without a date, which
    /// the general parser would place on today.
    /// </summary>
    public static bool TryIsoInstant(string? raw, out DateTime utc)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(raw)) return false;
        var t = raw.Trim();
        if (TryIsoDate(t, out utc)) return true;
        if (DateTimeOffset.TryParseExact(t, IsoInstantFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d))
        {
            utc = d.UtcDateTime;
            return true;
        }
        utc = default;
        return false;
    }

    /// <summary>
    /// yyyy-MM-dd, optionally followed by 'T' or ' ' and HH:mm, HH:mm:ss or HH:mm:ss.f…(1–7 digits), then optionally
    /// 'Z' or ±HH:mm after seconds — read as UTC, an offset converted to UTC, exactly as <see cref="TryDateByFormats"/>
    /// reads them. False for anything else (including out-of-range fields), which the general path then decides.
    /// </summary>
    internal static bool TryIsoDate(ReadOnlySpan<char> t, out DateTime value)
    {
        value = default;
        if (t.Length < 10 || t[4] != '-' || t[7] != '-') return false;
        if (!Digits(t, 0, 4, out var year) || !Digits(t, 5, 2, out var month) || !Digits(t, 8, 2, out var day)) return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        long ticks = new DateTime(year, month, day).Ticks;
        if (t.Length == 10) { value = new DateTime(ticks, DateTimeKind.Utc); return true; }
        var space = t[10] == ' ';
        if ((t[10] != 'T' && !space) || t.Length < 16 || t[13] != ':') return false;
        if (!Digits(t, 11, 2, out var hour) || !Digits(t, 14, 2, out var minute) || hour > 23 || minute > 59) return false;
        ticks += hour * TimeSpan.TicksPerHour + minute * TimeSpan.TicksPerMinute;
        if (t.Length == 16)
        {
            // "yyyy-MM-dd HH:mm" is a listed format; "yyyy-MM-ddTHH:mm" is left to the general parser.
            if (!space) return false;
            value = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }
        if (t.Length < 19 || t[16] != ':' || !Digits(t, 17, 2, out var second) || second > 59) return false;
        ticks += second * TimeSpan.TicksPerSecond;
        var i = 19;
        if (space)
        {
            if (t.Length != 19) return false;
            value = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }
        if (i < t.Length && t[i] == '.')
        {
            var start = ++i;
            long fraction = 0;
            while (i < t.Length && char.IsAsciiDigit(t[i]) && i - start < 7) fraction = fraction * 10 + (t[i++] - '0');
            var n = i - start;
            if (n == 0 || (i < t.Length && char.IsAsciiDigit(t[i]))) return false;
            for (var k = n; k < 7; k++) fraction *= 10;
            ticks += fraction;
        }
        if (i < t.Length)
        {
            if (t[i] == 'Z' && i + 1 == t.Length) { }
            else if (t.Length - i == 6 && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':'
                     && Digits(t, i + 1, 2, out var oh) && Digits(t, i + 4, 2, out var om) && oh <= 14 && om <= 59 && oh * 60 + om <= 14 * 60)
            {
                var offset = (oh * TimeSpan.TicksPerHour + om * TimeSpan.TicksPerMinute) * (t[i] == '-' ? -1 : 1);
                ticks -= offset;
            }
            else return false;
        }
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) return false;
        value = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> t, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(t[i])) return false;
            value = value * 10 + (t[i] - '0');
        }
        return true;
    }
}
