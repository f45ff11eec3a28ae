/*  rs_config: one option table per program drives command-line flags,
    environment variables, an optional .env file, --help and the README table,
    so they never drift apart.

    Precedence: --flag value  >  environment  >  .env file  >  table default.
    One .env file is read, the first of:
      1. the one named by --env-file or else RIGSTREAM_ENV_FILE (then it must
         exist, and the search stops there; /dev/null means none);
      2. ./.env in the current directory;
      3. the checkout's .env (the source tree the program was built from),
         for a program run from that checkout's build tree;
      4. /etc/rigstream/rigstream.env, the installation's.
    RIGSTREAM_ENV_SEARCH (files separated by ':') replaces 3 and 4. Which
    file was read, or that none was, is logged at INFO by
    rs_config_apply_logging.
    Lines are NAME=value; blank lines and lines starting with '#' are skipped;
    after an unquoted value, " #" starts a comment; values may be wrapped in
    single quotes (literal) or double quotes (\n, \" and \\ escapes); an
    `export ` prefix is accepted. Names not in the table are ignored, since
    one .env serves every program, but a malformed line is an error (file:line).
    An empty value in the environment or .env means "unset" for INT, DOUBLE,
    BOOL and ENDPOINT options (the next source applies); for STRING options it
    is a real, empty value (LOG_FILE= turns the file off).
    Flags are --name value or --name=value; BOOL flags take no value
    (--name sets, --no-name clears, --name=false also works); -- ends flags.
    Every program also gets the common options LOG_LEVEL and LOG_FILE and the
    flags --help (-h), --version, --env-file and the hidden --print-env-table.
    A client of the broker (a table with RS_OPTIONS_BROKER_CLIENT) also gets
    --name, the instance name, whose variable is the program's own
    (rigstream-wits0: WITS0_NAME; see rs_config_name). */
#ifndef RS_CONFIG_H
#define RS_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "rs_err.h"

typedef enum {
    RS_OPT_STRING,
    RS_OPT_INT,        // decimal integer within [min, max]
    RS_OPT_DOUBLE,     // finite number within [min, max]
    RS_OPT_BOOL,       // flag without value, or 1/0/true/false/yes/no/on/off
    RS_OPT_ENDPOINT    // ZeroMQ endpoint: tcp://host:port, ipc://path or inproc://name
} rs_opt_type_t;

typedef struct {
    const char *flag;      // long flag without dashes, e.g. "frontend-port"
    const char *env;       // environment / .env name, e.g. "BROKER_FRONTEND_PORT"; NULL = flag only
    rs_opt_type_t type;
    const char *def;       // default as text; NULL = empty / unset
    const char *help;      // one line
    double min, max;       // for INT and DOUBLE; both 0 = unbounded
} rs_option_t;

//  Terminates an option table.
#define RS_OPTION_END { NULL, NULL, RS_OPT_STRING, NULL, NULL, 0, 0 }

typedef struct rs_config_t rs_config_t;

//  Creates a configuration for `program` (shown in --help) with the given
//  table (terminated by RS_OPTION_END; the common options are appended).
//  `usage` is a one-line summary; `positional` names extra arguments
//  (NULL = none accepted).
rs_config_t *rs_config_new (const char *program, const char *usage,
                            const rs_option_t *table, const char *positional);
void rs_config_destroy (rs_config_t **self_p);
//  A table of `own` with the options of `front` before it and those of
//  `back` after it, each left out when `own` has an option of that flag (a
//  program's table may already hold the shared ones). Any of the three may
//  be NULL. Returns a fresh table (free it), or NULL when out of memory.
rs_option_t *rs_config_table (const rs_option_t *front, const rs_option_t *own, const rs_option_t *back);

//  Loads flags, environment and .env. Returns RS_OK to run, RS_E_EXIT when
//  --help or --version was printed (exit 0), RS_E_CONFIG on a bad value or
//  unknown flag (a message naming the option and the reason is already
//  printed to stderr: exit 2).
int rs_config_load (rs_config_t *self, int argc, char **argv);

//  The usual start of a main: rs_config_load, then rs_config_apply_logging
//  for `component`. Returns RS_OK to go on; else RS_E_EXIT (after --help or
//  --version) or RS_E_CONFIG (a bad value, with the message printed), having
//  then destroyed *self_p: rs_exit_status gives the status to return. A
//  NULL *self_p gives RS_E_CONFIG.
int rs_config_start (rs_config_t **self_p, int argc, char **argv, const char *component);

//  Typed getters by flag name. Asking for a name not in the table, or with
//  the wrong getter for its type, aborts: that is a programming error, not a
//  user error. An unset option reads as "", 0 or false; rs_config_double
//  also reads INT options.
const char *rs_config_str (rs_config_t *self, const char *flag);
long rs_config_int (rs_config_t *self, const char *flag);
double rs_config_double (rs_config_t *self, const char *flag);
bool rs_config_bool (rs_config_t *self, const char *flag);
//  Splits a list option (items separated by commas or spaces) into items:
//  copies into buf (size bytes) and points items[0..n-1] into it, with
//  items[n] = NULL (items holds max + 1). Returns n, or -1 when there are
//  more than max items or buf is too small.
int rs_config_list (rs_config_t *self, const char *flag, char *buf, size_t size,
                    const char **items, size_t max);
//  True when the table has the option (the getters abort on unknown names).
bool rs_config_has (rs_config_t *self, const char *flag);
//  True when the option was given by flag, environment or .env (not default).
bool rs_config_is_set (rs_config_t *self, const char *flag);
//  Where the value came from: "flag", "env", ".env" or "default".
const char *rs_config_source (rs_config_t *self, const char *flag);

//  Positional arguments left after the flags.
int rs_config_argc (rs_config_t *self);
const char *rs_config_argv (rs_config_t *self, int index);

//  Applies LOG_LEVEL / LOG_FILE to rs_log with the given component name, or
//  the instance name when --name is set, and logs which settings file was
//  read. From then on, rs_config_instance (component) gives the instance
//  name, which rs_pub and rs_sub use. Returns RS_OK, or RS_E_IO with a
//  message when LOG_FILE cannot be opened.
int rs_config_apply_logging (rs_config_t *self, const char *component);

//  The instance name given by --name (or its variable), "" when not set or
//  when the program has no such option. A valid id when set.
const char *rs_config_name (rs_config_t *self);
//  The name this process goes by for `component`: the instance name when
//  rs_config_apply_logging was called for that component with --name set,
//  else component itself. So two WITS0 readers, wits0_mud and wits0_mwd,
//  heartbeat on sys.wits0_mud and sys.wits0_mwd without any change to their
//  main, which still says "wits0".
const char *rs_config_instance (const char *component);

//  ZeroMQ CURVE on the rig network (see rs_curve.h and docs/SECURITY.md);
//  rs_curve_new_config reads them. The listening side, shared by the broker
//  and the programs that serve endpoints of their own (replay journals,
//  engine control):
#define RS_OPTIONS_CURVE_LISTEN \
    { "curve-allow-dir", "CURVE_ALLOW_DIR", RS_OPT_STRING, NULL, \
      "directory of the client certificates allowed to connect to this program's endpoints", 0, 0 }, \
    { "allow-insecure-bind", "ALLOW_INSECURE_BIND", RS_OPT_BOOL, "false", \
      "let an endpoint without CURVE listen on a non-loopback address (logged as INSECURE)", 0, 0 }
//  A client's keys (alone: rigstream-ctl, which serves nothing).
#define RS_OPTIONS_CURVE_KEYS \
    { "curve-server-key", "CURVE_SERVER_KEY", RS_OPT_STRING, NULL, \
      "the broker's public key (40 Z85 characters) or its public certificate file; turns CURVE on", 0, 0 }, \
    { "curve-cert", "CURVE_CERT", RS_OPT_STRING, NULL, \
      "this program's own certificate (NAME.cert_secret from rigstream-keys); needed with CURVE", 0, 0 }
//  Every client of the broker (part of RS_OPTIONS_BROKER_CLIENT).
#define RS_OPTIONS_CURVE \
    RS_OPTIONS_CURVE_KEYS, \
    RS_OPTIONS_CURVE_LISTEN
//  The broker.
#define RS_OPTIONS_CURVE_SERVER \
    { "curve-server-cert", "CURVE_SERVER_CERT", RS_OPT_STRING, NULL, \
      "the broker's certificate (NAME.cert_secret from rigstream-keys); turns CURVE on", 0, 0 }, \
    RS_OPTIONS_CURVE_LISTEN

//  The options every program that talks to the broker shares. Put this macro
//  in a program's table, then call rs_config_broker_endpoint.
#define RS_OPTIONS_BROKER_CLIENT \
    { "broker-host", "BROKER_HOST", RS_OPT_STRING, "127.0.0.1", \
      "host of the broker to connect to", 0, 0 }, \
    { "frontend-port", "BROKER_FRONTEND_PORT", RS_OPT_INT, "5555", \
      "broker port that publishers connect to (XSUB side)", 1, 65535 }, \
    { "backend-port", "BROKER_BACKEND_PORT", RS_OPT_INT, "5556", \
      "broker port that subscribers connect to (XPUB side)", 1, 65535 }, \
    { "frontend", "BROKER_FRONTEND_ENDPOINT", RS_OPT_ENDPOINT, NULL, \
      "full frontend endpoint (tcp://host:port or ipc://path); overrides host and port", 0, 0 }, \
    { "backend", "BROKER_BACKEND_ENDPOINT", RS_OPT_ENDPOINT, NULL, \
      "full backend endpoint (tcp://host:port or ipc://path); overrides host and port", 0, 0 }, \
    { "heartbeat-ms", "HEARTBEAT_MS", RS_OPT_INT, "1000", \
      "interval between heartbeats on sys.<component>, ms", 100, 60000 }, \
    RS_OPTIONS_CURVE

//  Writes the endpoint to connect to: the frontend (publishers) or the
//  backend (subscribers), from --frontend/--backend or broker-host and port.
//  Returns RS_OK, or RS_E_CONFIG if it does not fit, the broker host is
//  empty, or the table lacks RS_OPTIONS_BROKER_CLIENT.
int rs_config_broker_endpoint (rs_config_t *self, bool backend, char *buf, size_t size);

//  Prints the table as Markdown rows (| VAR | --flag | default | meaning |),
//  for the README. Exposed as the hidden flag --print-env-table.
void rs_config_print_table (rs_config_t *self, FILE *out);

#endif
