/*  rs_timeparse: the date and time spellings real rig data arrives in, for
    the CSV and WITS0 publishers. Pure functions; a local time (one without a
    zone) becomes UTC by subtracting the rig's offset from UTC. */
#ifndef RS_TIMEPARSE_H
#define RS_TIMEPARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "rs_err.h"

//  How to read a date written d/d/yyyy: month first (US, Pason) or day first.
typedef enum { RS_DATE_MDY = 0, RS_DATE_DMY = 1 } rs_date_order_t;

//  Days since 1970-01-01 of a date: YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD,
//  YYMMDD (WITS0), MM/DD/YYYY or DD/MM/YYYY (order), DD.MM.YYYY, and the
//  slashed forms with a two-digit year (70-99: 19xx, else 20xx).
//  Returns RS_OK, or RS_E_FORMAT when it is not a valid date (no detail:
//  these run once a cell, and the caller counts what it rejects).
rs_err_t rs_timeparse_date (const char *text, rs_date_order_t order, int64_t *days);

//  Microseconds since midnight: HH:MM, HH:MM:SS, HH:MM:SS.fff, each with an
//  optional AM/PM, or HHMMSS[.fff] and HMMSS (WITS0, leading zero dropped).
//  Returns RS_OK or RS_E_FORMAT.
rs_err_t rs_timeparse_time (const char *text, int64_t *us);

//  A timestamp in one field: ISO 8601 with or without a zone ('T' or space
//  between date and time), any date above followed by a time, or seconds
//  since the epoch. Times without a zone are local: offset_us (local time
//  minus UTC) is subtracted. Returns RS_OK or RS_E_FORMAT.
rs_err_t rs_timeparse_datetime (const char *text, rs_date_order_t order, int64_t offset_us, int64_t *ts_us);

//  Days since 1970-01-01 of a proleptic Gregorian date (no validation).
int64_t rs_timeparse_days (int year, int month, int day);

#endif
