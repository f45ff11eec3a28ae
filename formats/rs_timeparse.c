/*  rs_timeparse: hand-written scanners, no strptime: its behaviour varies
    with the locale and it accepts more than it should. */
#include "rs_timeparse.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "rs_clock.h"

#define US_PER_S   INT64_C (1000000)
#define US_PER_DAY (INT64_C (86400) * US_PER_S)

int64_t
rs_timeparse_days (int year, int month, int day)
{
    //  H. Hinnant's days_from_civil.
    int64_t y = (int64_t) year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool
s_valid_date (int year, int month, int day)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= mdays[month - 1] + (month == 2 && leap);
}

//  Reads 1 to max digits; returns how many were read (0 = none).
static int
s_number (const char **p, int max, int *value)
{
    int v = 0, n = 0;
    while (n < max && isdigit ((unsigned char) **p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *value = v;
    return n;
}

static int
s_two_digit_year (int yy)
{
    return yy >= 70 ? 1900 + yy : 2000 + yy;
}

//  The text without its leading and trailing blanks: the start, and its
//  length in *len.
static const char *
s_trim (const char *text, size_t *len)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t n = strlen (text);
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    *len = n;
    return text;
}

rs_err_t
rs_timeparse_date (const char *text, rs_date_order_t order, int64_t *days)
{
    if (!text)
        return RS_E_FORMAT;
    size_t len;
    const char *p = s_trim (text, &len);
    if (len == 0 || len > 10)
        return RS_E_FORMAT;
    char buf[11];
    memcpy (buf, p, len);
    buf[len] = 0;

    int year, month, day, a, b, c;
    const char *q = buf;
    size_t digits = strspn (buf, "0123456789");
    if (digits == len) {
        //  YYYYMMDD, or WITS0's YYMMDD (a leading zero of the year may be lost).
        if (len == 8) {
            s_number (&q, 4, &year);
            s_number (&q, 2, &month);
            s_number (&q, 2, &day);
        }
        else if (len == 5 || len == 6) {
            int v;
            s_number (&q, 6, &v);
            year = s_two_digit_year (v / 10000);
            month = v / 100 % 100;
            day = v % 100;
        }
        else
            return RS_E_FORMAT;
    }
    else if (digits == 4 && (buf[4] == '-' || buf[4] == '/' || buf[4] == '.')) {
        char sep = buf[4];
        s_number (&q, 4, &year);
        q++;
        if (!s_number (&q, 2, &month) || *q++ != sep || !s_number (&q, 2, &day) || *q)
            return RS_E_FORMAT;
    }
    else if (digits == 1 || digits == 2) {
        char sep = buf[digits];
        if (sep != '/' && sep != '-' && sep != '.')
            return RS_E_FORMAT;
        s_number (&q, 2, &a);
        q++;
        if (!s_number (&q, 2, &b) || *q++ != sep)
            return RS_E_FORMAT;
        int ny = s_number (&q, 4, &c);
        if (*q || (ny != 2 && ny != 4))
            return RS_E_FORMAT;
        year = ny == 2 ? s_two_digit_year (c) : c;
        //  Dots are always day first (European); slashes and dashes follow order.
        if (sep == '.' || order == RS_DATE_DMY) {
            day = a;
            month = b;
        }
        else {
            month = a;
            day = b;
        }
    }
    else
        return RS_E_FORMAT;
    if (!s_valid_date (year, month, day))
        return RS_E_FORMAT;
    *days = rs_timeparse_days (year, month, day);
    return RS_OK;
}

//  A fraction of a second after '.', in µs (digits past the sixth dropped).
static int
s_fraction (const char **p, int64_t *us)
{
    int64_t v = 0;
    int n = 0;
    while (isdigit ((unsigned char) **p)) {
        if (n < 6)
            v = v * 10 + (**p - '0');
        n++;
        (*p)++;
    }
    if (n == 0)
        return -1;
    for (int i = n; i < 6; i++)
        v *= 10;
    *us = v;
    return 0;
}

rs_err_t
rs_timeparse_time (const char *text, int64_t *us)
{
    if (!text)
        return RS_E_FORMAT;
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    int hour = 0, minute = 0, second = 0;
    int64_t frac = 0;
    size_t digits = strspn (p, "0123456789");
    if (digits >= 1 && digits <= 2 && p[digits] == ':') {
        s_number (&p, 2, &hour);
        p++;
        if (s_number (&p, 2, &minute) != 2)
            return RS_E_FORMAT;
        if (*p == ':') {
            p++;
            if (s_number (&p, 2, &second) != 2)
                return RS_E_FORMAT;
            if ((*p == '.' || *p == ',') && (p++, s_fraction (&p, &frac) != 0))
                return RS_E_FORMAT;
        }
    }
    else if (digits >= 1 && digits <= 6) {
        int v;
        s_number (&p, 6, &v);
        hour = v / 10000;
        minute = v / 100 % 100;
        second = v % 100;
        if (*p == '.' && (p++, s_fraction (&p, &frac) != 0))
            return RS_E_FORMAT;
    }
    else
        return RS_E_FORMAT;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p) {
        bool pm = strncasecmp (p, "PM", 2) == 0;
        if (!pm && strncasecmp (p, "AM", 2) != 0)
            return RS_E_FORMAT;
        if (hour < 1 || hour > 12)
            return RS_E_FORMAT;
        hour = hour % 12 + (pm ? 12 : 0);
        p += 2;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p)
            return RS_E_FORMAT;
    }
    if (hour > 23 || minute > 59 || second > 59)
        return RS_E_FORMAT;
    *us = ((int64_t) hour * 3600 + minute * 60 + second) * US_PER_S + frac;
    return RS_OK;
}

rs_err_t
rs_timeparse_datetime (const char *text, rs_date_order_t order, int64_t offset_us, int64_t *ts_us)
{
    if (!text)
        return RS_E_FORMAT;
    char buf[64];
    size_t len;
    const char *p = s_trim (text, &len);
    if (len == 0 || len >= sizeof buf)
        return RS_E_FORMAT;
    memcpy (buf, p, len);
    buf[len] = 0;

    //  Seconds since the epoch: a number and nothing else.
    if (strspn (buf + (buf[0] == '-' || buf[0] == '+'), "0123456789.") == len - (buf[0] == '-' || buf[0] == '+'))
        return rs_clock_parse (buf, ts_us);

    //  Split into date and time at a 'T' between digits or at blanks.
    size_t split = 0;
    for (size_t i = 1; i + 1 < len; i++)
        if (buf[i] == ' ' || buf[i] == '\t'
            || ((buf[i] == 'T' || buf[i] == 't') && isdigit ((unsigned char) buf[i - 1])
                && isdigit ((unsigned char) buf[i + 1]))) {
            split = i;
            break;
        }
    if (!split)
        return RS_E_FORMAT;
    const char *time = buf + split + 1;
    while (*time == ' ' || *time == '\t')
        time++;
    //  A zone (Z, +hh:mm, -hh:mm after the time): ISO 8601 with its own offset.
    if (strpbrk (time, "Zz+-")) {
        if (len < 10 || buf[4] != '-')
            return RS_E_FORMAT;
        return rs_clock_parse (buf, ts_us);
    }
    buf[split] = 0;
    int64_t days, us;
    if (rs_timeparse_date (buf, order, &days) != 0 || rs_timeparse_time (time, &us) != 0)
        return RS_E_FORMAT;
    *ts_us = days * US_PER_DAY + us - offset_us;
    return RS_OK;
}
