/*  rs_clock: wall-clock and monotonic time, ISO 8601 formatting and parsing.
    Formatting does its own calendar arithmetic on int64 values so that any
    timestamp, even a garbage one from the wire, gives a defined result. */
#include "rs_clock.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define RS_US_PER_S   INT64_C (1000000)
#define RS_S_PER_DAY  INT64_C (86400)
//  0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the years a 4-digit
//  field can show. Values outside are clamped rather than printed wider,
//  so the text always fits the documented 25 bytes.
#define RS_CLOCK_MIN_US (INT64_C (-62167219200) * RS_US_PER_S)
#define RS_CLOCK_MAX_US (INT64_C (253402300800) * RS_US_PER_S - 1)

int64_t
rs_clock_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * RS_US_PER_S + ts.tv_nsec / 1000;
}

int64_t
rs_clock_mono_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

//  Floor division: C's '/' truncates toward zero, which puts times before
//  1970 on the wrong day.
static int64_t
s_floor_div (int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

//  Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
//  civil_from_days), valid far beyond the clamped range.
static void
s_civil_from_days (int64_t days, int *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int) (yoe + era * 400 + (m <= 2));
    *month = (int) m;
    *day = (int) (doy - (153 * mp + 2) / 5 + 1);
}

char *
rs_clock_format (int64_t ts_us, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    if (ts_us < RS_CLOCK_MIN_US)
        ts_us = RS_CLOCK_MIN_US;
    if (ts_us > RS_CLOCK_MAX_US)
        ts_us = RS_CLOCK_MAX_US;

    int64_t secs = s_floor_div (ts_us, RS_US_PER_S);
    int64_t frac_us = ts_us - secs * RS_US_PER_S;
    int64_t days = s_floor_div (secs, RS_S_PER_DAY);
    int64_t sod = secs - days * RS_S_PER_DAY;
    int year, month, day;
    s_civil_from_days (days, &year, &month, &day);
    //  A short buffer is the caller's contract violation; snprintf still
    //  leaves it terminated, which is the most we can do.
    snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
              year, month, day, (int) (sod / 3600), (int) (sod / 60 % 60),
              (int) (sod % 60), (int) (frac_us / 1000));
    return buf;
}

//  Reads exactly `count` digits.
static bool
s_digits (const char **p, int count, int *value)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        char c = (*p) [i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += count;
    *value = v;
    return true;
}

//  Reads one or more digits as a fraction of a second, in µs; digits past
//  the sixth are checked and dropped (truncation, not rounding).
static bool
s_fraction_us (const char **p, int64_t *frac_us)
{
    const char *s = *p;
    int64_t v = 0;
    int n = 0;
    while (*s >= '0' && *s <= '9') {
        if (n < 6)
            v = v * 10 + (*s - '0');
        n++;
        s++;
    }
    if (n == 0)
        return false;
    for (int i = n; i < 6; i++)
        v *= 10;
    *p = s;
    *frac_us = v;
    return true;
}

static bool
s_is_leap (int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
s_parse_iso (const char *p, int64_t *ts_us)
{
    static const int days_in_month [] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int year, month, day, hour, minute, second;
    if (!s_digits (&p, 4, &year) || *p++ != '-'
    ||  !s_digits (&p, 2, &month) || *p++ != '-'
    ||  !s_digits (&p, 2, &day))
        return -1;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    if (!s_digits (&p, 2, &hour) || *p++ != ':'
    ||  !s_digits (&p, 2, &minute) || *p++ != ':'
    ||  !s_digits (&p, 2, &second))
        return -1;
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59)
        return -1;
    int month_days = days_in_month [month - 1] + (month == 2 && s_is_leap (year));
    if (day < 1 || day > month_days)
        return -1;

    int64_t frac_us = 0;
    if (*p == '.' || *p == ',') {
        p++;
        if (!s_fraction_us (&p, &frac_us))
            return -1;
    }
    int offset_s = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else
    if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        int off_h, off_m;
        if (!s_digits (&p, 2, &off_h))
            return -1;
        if (*p == ':')
            p++;
        if (!s_digits (&p, 2, &off_m) || off_h > 23 || off_m > 59)
            return -1;
        offset_s = sign * (off_h * 3600 + off_m * 60);
    }
    if (*p != '\0')
        return -1;

    struct tm tm = { 0 };
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    //  Fields are validated above, so timegm cannot fail; its -1 is a real
    //  time (1969-12-31T23:59:59Z) here, not an error.
    int64_t secs = (int64_t) timegm (&tm);
    //  Local time = UTC + offset, so UTC = local - offset.
    *ts_us = (secs - offset_s) * RS_US_PER_S + frac_us;
    return 0;
}

//  [+-]digits[.digits] seconds since the epoch.
static int
s_parse_epoch (const char *p, int64_t *ts_us)
{
    bool negative = false;
    if (*p == '+' || *p == '-')
        negative = *p++ == '-';
    if (*p < '0' || *p > '9')
        return -1;
    int64_t secs = 0;
    while (*p >= '0' && *p <= '9') {
        if (secs > INT64_MAX / RS_US_PER_S)
            return -1;
        secs = secs * 10 + (*p++ - '0');
    }
    int64_t frac_us = 0;
    if (*p == '.') {
        p++;
        if (!s_fraction_us (&p, &frac_us))
            return -1;
    }
    if (*p != '\0')
        return -1;
    if (secs > (INT64_MAX - frac_us) / RS_US_PER_S)
        return -1;
    int64_t value = secs * RS_US_PER_S + frac_us;
    *ts_us = negative ? -value : value;
    return 0;
}

int
rs_clock_parse (const char *text, int64_t *ts_us)
{
    if (!text || !ts_us)
        return -1;
    //  A date always has '-' at position 4; an epoch number never does.
    if (strlen (text) > 4 && text [4] == '-')
        return s_parse_iso (text, ts_us);
    return s_parse_epoch (text, ts_us);
}
