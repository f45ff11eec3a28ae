/*  rs_err: the library's one error convention, as SQLite's result codes or
    mosquitto's MOSQ_ERR_*: a function of the public API that can fail
    returns an rs_err_t (RS_OK = 0), and rs_strerror gives the text. The
    decode codes (RS_E_TOPIC .. RS_E_MISMATCH) name why a frame from the
    network was rejected; the rest are the failures of set-up, I/O and input
    files. Functions that return an object return NULL on failure instead
    (czmq's _new).

    The human detail (file, line, what is wrong) is kept apart from the code,
    where the caller can read it and decide what to do with it (log it, print
    it for a bad option, put it in a test's check):
    - an object that exists keeps the detail of its own failure, read with
      its _error (self) accessor, as sqlite3_errmsg (rs_csv_error,
      rs_witsml_error, rs_logset_error);
    - a function with no such object (a constructor that returned NULL, a
      parser of a list) records it for the calling thread with rs_err_set,
      read with rs_errmsg () until the next failure, as dlerror. Library code
      that is pure (formats/) never logs; the program's edge does.
    Readers that hand out rows (rs_csv_line, rs_witsml_next, rs_logmerge_next)
    return a row / end / failed result instead, as sqlite3_step does, the
    failure's detail by the reader's accessor. */
#ifndef RS_ERR_H
#define RS_ERR_H

typedef enum {
    RS_OK = 0,
    RS_E_TOPIC,       // topic empty, too long, bad characters or unknown kind
    RS_E_TOO_BIG,     // body larger than RS_MAX_BODY
    RS_E_MSGPACK,     // body is not one complete MessagePack object (truncated, trailing bytes)
    RS_E_NOT_MAP,     // body is not a map, or a map key is not a string
    RS_E_MISSING,     // a required field is missing
    RS_E_TYPE,        // a field has the wrong type
    RS_E_VERSION,     // schema version not supported
    RS_E_RANGE,       // a value is out of range (empty id, seq 0, too many channels, bad name)
    RS_E_NONFINITE,   // a number is NaN or infinite
    RS_E_MISMATCH,    // the body's well/component does not match the topic
    RS_E_NOMEM,
    RS_E_IO,          // a socket or file operation failed
    RS_E_INVAL,       // a bad argument from the caller (a programming error)
    RS_E_CONFIG,      // a bad setting from the user: a flag, a variable, a key, an address (exit 2)
    RS_E_SOCKET,      // a ZeroMQ socket could not be made, bound or connected
    RS_E_TIMEOUT,     // the time allowed ran out
    RS_E_STOPPED,     // SIGINT or SIGTERM arrived while waiting: a clean stop, not a failure
    RS_E_EXIT,        // --help or --version was printed: nothing more to do (exit 0)
    RS_E_FORMAT,      // input data (a file, a mapping, a log, a list) not in the format expected
    RS_E_COUNT
} rs_err_t;

//  Static, human-readable text for an rs_err_t ("malformed MessagePack", ...).
const char *rs_strerror (int err);
//  Short stable identifier for counters and JSON: "topic", "too_big", ...
const char *rs_errname (int err);
//  The exit status a program gives for err: 0 for RS_OK, RS_E_STOPPED and
//  RS_E_EXIT, 2 for RS_E_CONFIG (a usage error, as getopt programs do), 1
//  for anything else.
int rs_exit_status (int err);
//  Records err and its detail (printf-style) as the calling thread's last
//  failure, and returns err: `return rs_err_set (RS_E_FORMAT, "%s:%d: ...", ...)`.
rs_err_t rs_err_set (rs_err_t err, const char *format, ...) __attribute__ ((format (printf, 2, 3)));
//  The detail of the calling thread's last failure recorded by rs_err_set,
//  "" when none; valid until the next failure in this thread.
const char *rs_errmsg (void);
//  The code of that failure, RS_OK when none.
rs_err_t rs_errcode (void);

#endif
