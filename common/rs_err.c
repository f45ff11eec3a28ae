/*  rs_err: texts and names of the library's result codes. */
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
};

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
