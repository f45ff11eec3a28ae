/*  rs_log: leveled logging to stderr (and optionally a file), one line per event.
    Line format: 2026-11-23T10:15:02.123Z WARN  broker: message
    Not thread-safe by design beyond single-line writes: each line is formatted
    into a buffer and written with one write(2), so lines never interleave. */
#ifndef RS_LOG_H
#define RS_LOG_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    RS_LOG_ERROR = 0,
    RS_LOG_WARN  = 1,
    RS_LOG_INFO  = 2,
    RS_LOG_DEBUG = 3,
    RS_LOG_TRACE = 4
} rs_log_level_t;

//  Sets the component name shown on each line, the threshold and an optional
//  file (appended to, in addition to stderr). Returns 0, or -1 if the file
//  cannot be opened (the message says why; logging to stderr continues).
int rs_log_init (const char *component, rs_log_level_t level, const char *file);
void rs_log_close (void);

//  Parses "error|warn|info|debug|trace" (case-insensitive). Returns -1 if unknown.
int rs_log_level_parse (const char *text);
const char *rs_log_level_name (rs_log_level_t level);
bool rs_log_enabled (rs_log_level_t level);

void rs_log (rs_log_level_t level, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Logs at most once per interval_ms for a given call site's `last_ms` state;
//  suppressed lines are counted and reported on the next line that passes.
//  Used for per-message errors (bad frames) so a flood cannot flood the log.
typedef struct {
    int64_t last_ms;
    uint64_t suppressed;
} rs_log_limit_t;
void rs_log_limited (rs_log_limit_t *limit, int interval_ms, rs_log_level_t level,
                     const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

#define rs_error(...) rs_log (RS_LOG_ERROR, __VA_ARGS__)
#define rs_warn(...)  rs_log (RS_LOG_WARN, __VA_ARGS__)
#define rs_info(...)  rs_log (RS_LOG_INFO, __VA_ARGS__)
#define rs_debug(...) do { if (rs_log_enabled (RS_LOG_DEBUG)) rs_log (RS_LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
