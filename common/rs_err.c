/*  rs_err: texts and names of the library's result codes, and the calling
    thread's last failure detail (rs_err_set, rs_errmsg). */
#include <stdarg.h>
#include <stdio.h>

#include "rs_err.h"

static const struct {
    const char *name;
    const char *text;
} s_errors[RS_E_COUNT] = {
    { "ok", "success" },
    { "topic", "bad topic" },
    { "too_big", "message too big" },
    { "msgpack", "malformed MessagePack" },
    { "not_map", "body is not a map with string keys" },
    { "missing", "required field missing" },
    { "type", "field has the wrong type" },
    { "version", "unsupported schema version" },
    { "range", "value out of range" },
    { "nonfinite", "NaN or infinite number" },
    { "mismatch", "body does not match topic" },
    { "nomem", "out of memory" },
    { "io", "I/O error" },
    { "inval", "invalid argument" },
    { "config", "invalid configuration" },
    { "socket", "socket error" },
    { "timeout", "timed out" },
    { "stopped", "stopped by a signal" },
    { "exit", "nothing to do (help or version printed)" },
    { "format", "input not in the expected format" },
};

//  Per thread, as errno: a failure in one thread never hides another's.
static _Thread_local rs_err_t s_last_code;
static _Thread_local char s_last_detail[1024];

const char *
rs_strerror (int err)
{
    return err >= 0 && err < RS_E_COUNT ? s_errors[err].text : "unknown error";
}

const char *
rs_errname (int err)
{
    return err >= 0 && err < RS_E_COUNT ? s_errors[err].name : "unknown";
}

int
rs_exit_status (int err)
{
    switch (err) {
    case RS_OK:
    case RS_E_STOPPED:
    case RS_E_EXIT:
        return 0;
    case RS_E_CONFIG:
        return 2;
    default:
        return 1;
    }
}

rs_err_t
rs_err_set (rs_err_t err, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (s_last_detail, sizeof s_last_detail, format, args);
    va_end (args);
    s_last_code = err;
    return err;
}

const char *
rs_errmsg (void)
{
    return s_last_detail;
}

rs_err_t
rs_errcode (void)
{
    return s_last_code;
}
