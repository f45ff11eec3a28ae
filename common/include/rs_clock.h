/*  rs_clock: wall-clock and monotonic time in the units the wire format uses. */
#ifndef RS_CLOCK_H
#define RS_CLOCK_H

#include <stddef.h>
#include <stdint.h>

//  Microseconds since the Unix epoch, UTC (CLOCK_REALTIME).
int64_t rs_clock_now_us (void);
//  Milliseconds from an arbitrary start (CLOCK_MONOTONIC); for intervals.
int64_t rs_clock_mono_ms (void);
//  Formats a µs timestamp as ISO 8601 UTC with milliseconds: 2026-11-23T10:15:02.123Z.
//  buf must hold at least 25 bytes. Returns buf.
char *rs_clock_format (int64_t ts_us, char *buf, size_t size);
//  Parses ISO 8601 ("2026-11-23T10:15:02Z"; 'T' or a space; optional fraction;
//  'Z', +hh:mm / -hh:mm converted to UTC, or nothing meaning UTC) or seconds
//  since the epoch as an integer or decimal ("1795428902.5"). Returns 0 or -1.
//  Times outside years 0000-9999 are formatted clamped to that range.
int rs_clock_parse (const char *text, int64_t *ts_us);

#endif
