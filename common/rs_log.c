/*  rs_log: leveled logging, one line per event, to stderr and optionally a
    file. Each line is built in a stack buffer and written with one write(2)
    so that lines from several threads, or several processes appending to
    the same file, never interleave. */
#include "rs_log.h"
#include "rs_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

//  Long enough for any sane message; longer ones are cut and marked "...".
#define RS_LOG_LINE_MAX      2048
#define RS_LOG_COMPONENT_MAX 64
#define RS_LOG_SUFFIX_MAX    64

static char s_component [RS_LOG_COMPONENT_MAX] = "rigstream";
static rs_log_level_t s_level = RS_LOG_INFO;
static int s_file_fd = -1;

//  Names as rs_log_level_parse reads them, and as the log line shows them.
static const char *s_level_names [] = { "error", "warn", "info", "debug", "trace" };
static const char *s_level_tags [] = { "ERROR", "WARN", "INFO", "DEBUG", "TRACE" };

static bool
s_level_valid (rs_log_level_t level)
{
    return (int) level >= RS_LOG_ERROR && (int) level <= RS_LOG_TRACE;
}

int
rs_log_init (const char *component, rs_log_level_t level, const char *file)
{
    //  Names longer than the buffer are cut; the line stays readable.
    if (!component || !*component)
        component = "rigstream";
    int n = snprintf (s_component, sizeof s_component, "%s", component);
    if (n < 0)
        snprintf (s_component, sizeof s_component, "rigstream");
    if (s_level_valid (level))
        s_level = level;
    rs_log_close ();
    if (file && *file) {
        int fd = open (file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) {
            int err = errno;
            rs_log (RS_LOG_ERROR, "cannot open log file %s: %s (logging to stderr only)",
                    file, strerror (err));
            return -1;
        }
        s_file_fd = fd;
    }
    return 0;
}

void
rs_log_close (void)
{
    if (s_file_fd >= 0) {
        close (s_file_fd);
        s_file_fd = -1;
    }
}

int
rs_log_level_parse (const char *text)
{
    if (!text)
        return -1;
    for (int level = RS_LOG_ERROR; level <= RS_LOG_TRACE; level++)
        if (strcasecmp (text, s_level_names [level]) == 0)
            return level;
    return -1;
}

const char *
rs_log_level_name (rs_log_level_t level)
{
    return s_level_valid (level) ? s_level_names [level] : "unknown";
}

bool
rs_log_enabled (rs_log_level_t level)
{
    return s_level_valid (level) && level <= s_level;
}

//  Writes the whole buffer; a single write(2) in practice, the loop only
//  covers signals and short writes on full pipes.
static void
s_write_all (int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write (fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;             // nowhere left to report a failing log
        }
        data += n;
        len -= (size_t) n;
    }
}

static void
s_emit (rs_log_level_t level, const char *suffix, const char *fmt, va_list args)
    __attribute__ ((format (printf, 3, 0)));

static void
s_emit (rs_log_level_t level, const char *suffix, const char *fmt, va_list args)
{
    char line [RS_LOG_LINE_MAX];
    char stamp [32];
    rs_clock_format (rs_clock_now_us (), stamp, sizeof stamp);
    //  Stamp, tag and component are bounded, so the head always fits.
    int head = snprintf (line, sizeof line, "%s %-5s %s: ", stamp, s_level_tags [level], s_component);
    if (head < 0 || (size_t) head >= sizeof line / 2)
        return;
    size_t suffix_len = suffix ? strnlen (suffix, RS_LOG_SUFFIX_MAX) : 0;
    //  Room for the message and its NUL, keeping space for suffix and '\n'.
    size_t room = sizeof line - (size_t) head - suffix_len - 1;
    char *msg = line + head;
    int n = vsnprintf (msg, room, fmt, args);
    size_t len;
    if (n < 0) {
        static const char broken [] = "(log message could not be formatted)";
        memcpy (msg, broken, sizeof broken - 1);
        len = sizeof broken - 1;
    }
    else
    if ((size_t) n >= room) {
        //  Truncated: mark it, and back up to the start of a UTF-8 character
        //  so the cut never leaves half a sequence before the "...".
        size_t cut = room - 1 - 3;
        while (cut > 0 && ((unsigned char) msg [cut] & 0xC0) == 0x80)
            cut--;
        memcpy (msg + cut, "...", 3);
        len = cut + 3;
    }
    else
        len = (size_t) n;

    while (len > 0 && (msg [len - 1] == '\n' || msg [len - 1] == '\r'))
        len--;
    //  One event, one line: an embedded newline would forge a second line.
    for (size_t i = 0; i < len; i++)
        if (msg [i] == '\n' || msg [i] == '\r')
            msg [i] = ' ';
    if (suffix_len) {
        memcpy (msg + len, suffix, suffix_len);
        len += suffix_len;
    }
    msg [len++] = '\n';

    size_t total = (size_t) head + len;
    s_write_all (STDERR_FILENO, line, total);
    if (s_file_fd >= 0)
        s_write_all (s_file_fd, line, total);
}

void
rs_log (rs_log_level_t level, const char *fmt, ...)
{
    if (!rs_log_enabled (level) || !fmt)
        return;
    va_list args;
    va_start (args, fmt);
    s_emit (level, NULL, fmt, args);
    va_end (args);
}

void
rs_log_limited (rs_log_limit_t *limit, int interval_ms, rs_log_level_t level,
                const char *fmt, ...)
{
    if (!rs_log_enabled (level) || !fmt || !limit)
        return;
    //  last_ms == 0 means "never logged", so a zeroed struct logs at once.
    int64_t now = rs_clock_mono_ms ();
    if (limit->last_ms != 0 && now - limit->last_ms < interval_ms) {
        limit->suppressed++;
        return;
    }
    char suffix [RS_LOG_SUFFIX_MAX] = "";
    if (limit->suppressed > 0) {
        //  A uint64 count always fits; on the impossible failure, no suffix.
        int n = snprintf (suffix, sizeof suffix, " (%" PRIu64 " similar suppressed)",
                          limit->suppressed);
        if (n < 0 || (size_t) n >= sizeof suffix)
            suffix [0] = '\0';
    }
    limit->last_ms = now != 0 ? now : 1;
    limit->suppressed = 0;
    va_list args;
    va_start (args, fmt);
    s_emit (level, suffix, fmt, args);
    va_end (args);
}
