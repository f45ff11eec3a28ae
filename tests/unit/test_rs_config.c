/*  test_rs_config: precedence (flag > env > .env > default), flag syntax,
    every rejection path with its message, .env syntax, the order in which
    the .env file is looked for, --help/--version, positional arguments, the
    broker endpoint, the instance name (--name) and logging setup. Runs in a
    private temporary directory, with RIGSTREAM_ENV_SEARCH pointing into it,
    so a stray ./.env or the checkout's .env cannot interfere. */
#include "rs_config.h"
#include "rs_log.h"
#include "rs_test.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef RS_VERSION
#define RS_VERSION "dev"
#endif

static const rs_option_t s_table [] = {
    RS_OPTIONS_BROKER_CLIENT,
    { "name", "TEST_NAME", RS_OPT_STRING, "anon", "a name", 0, 0 },
    { "ratio", "TEST_RATIO", RS_OPT_DOUBLE, "0.5", "a ratio", 0, 1 },
    { "gain", "TEST_GAIN", RS_OPT_DOUBLE, NULL, "an unbounded number", 0, 0 },
    { "verbose", "TEST_VERBOSE", RS_OPT_BOOL, NULL, "talk more", 0, 0 },
    { "count", "TEST_COUNT", RS_OPT_INT, "3", "an unbounded integer", 0, 0 },
    { "only-flag", NULL, RS_OPT_STRING, NULL, "has no | variable", 0, 0 },
    { "listen", "TEST_LISTEN", RS_OPT_ENDPOINT, "tcp://*:7000", "where to bind", 0, 0 },
    RS_OPTION_END
};

static const char *s_env_names [] = {
    "BROKER_HOST", "BROKER_FRONTEND_PORT", "BROKER_BACKEND_PORT", "BROKER_FRONTEND_ENDPOINT",
    "BROKER_BACKEND_ENDPOINT", "HEARTBEAT_MS", "TEST_NAME", "TEST_RATIO", "TEST_GAIN",
    "TEST_VERBOSE", "TEST_COUNT", "TEST_LISTEN", "LOG_LEVEL", "LOG_FILE", "RIGSTREAM_ENV_FILE",
    "RIGSTREAM_ENV_SEARCH", "WITS0_NAME", NULL
};

static char s_dir [] = "/tmp/test_rs_config_XXXXXX";
static char s_out [16384];          // captured stdout or stderr of the last s_load

static char *s_path (const char *name);

//  Clears the variables the tests set; the files tried after ./.env are
//  one that never exists, so only the test's own files are ever read.
static void
s_clean_env (void)
{
    for (int i = 0; s_env_names [i]; i++)
        unsetenv (s_env_names [i]);
    setenv ("RIGSTREAM_ENV_SEARCH", s_path ("never.env"), 1);
}

static char *
s_path (const char *name)
{
    static char paths [8][256];
    static int next = 0;
    char *path = paths [next++ % 8];
    snprintf (path, sizeof paths [0], "%s/%s", s_dir, name);
    return path;
}

//  Writes an env file in the test directory and returns its path.
static const char *
s_env_file (const char *name, const char *content)
{
    const char *path = s_path (name);
    FILE *file = fopen (path, "w");
    if (file) {
        fputs (content, file);
        fclose (file);
    }
    return path;
}

//  Runs rs_config_load with the NULL-terminated arguments after argv[0],
//  capturing the given fd (1 or 2) into s_out.
static int
s_load_fd (rs_config_t *config, int fd, ...)
{
    char *argv [32];
    int argc = 0;
    argv [argc++] = "test";
    va_list args;
    va_start (args, fd);
    char *arg;
    while ((arg = va_arg (args, char *)) != NULL && argc < 31)
        argv [argc++] = arg;
    va_end (args);
    argv [argc] = NULL;

    const char *capture = s_path ("capture.txt");
    fflush (stdout);
    fflush (stderr);
    int saved = dup (fd);
    int out = open (capture, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2 (out, fd);
    close (out);
    int rc = rs_config_load (config, argc, argv);
    fflush (stdout);
    fflush (stderr);
    dup2 (saved, fd);
    close (saved);

    FILE *file = fopen (capture, "r");
    size_t len = file ? fread (s_out, 1, sizeof s_out - 1, file) : 0;
    s_out [len] = '\0';
    if (file)
        fclose (file);
    return rc;
}

#define s_load(config, ...) s_load_fd (config, 2, __VA_ARGS__, (char *) NULL)
#define s_load_out(config, ...) s_load_fd (config, 1, __VA_ARGS__, (char *) NULL)

static bool
s_starts_with (const char *text, const char *prefix)
{
    return strncmp (text, prefix, strlen (prefix)) == 0;
}

static rs_config_t *
s_new (void)
{
    s_clean_env ();
    return rs_config_new ("test", "tests the option table", s_table, NULL);
}

static void
test_defaults (void)
{
    rs_config_t *config = s_new ();
    RS_CHECK (config != NULL);
    //  Defaults are readable before load, and after a load with nothing set.
    RS_CHECK_INT (rs_config_int (config, "frontend-port"), 5555);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "broker-host"), "127.0.0.1");
    RS_CHECK_INT (rs_config_int (config, "frontend-port"), 5555);
    RS_CHECK_INT (rs_config_int (config, "backend-port"), 5556);
    RS_CHECK_INT (rs_config_int (config, "heartbeat-ms"), 1000);
    RS_CHECK_STR (rs_config_str (config, "frontend"), "");
    RS_CHECK_STR (rs_config_str (config, "name"), "anon");
    RS_CHECK_NEAR (rs_config_double (config, "ratio"), 0.5, 1e-12);
    RS_CHECK_NEAR (rs_config_double (config, "gain"), 0, 0);
    RS_CHECK_NEAR (rs_config_double (config, "count"), 3, 0);
    RS_CHECK (!rs_config_bool (config, "verbose"));
    RS_CHECK_INT (rs_config_int (config, "count"), 3);
    RS_CHECK_STR (rs_config_str (config, "listen"), "tcp://*:7000");
    RS_CHECK_STR (rs_config_str (config, "log-level"), "info");
    RS_CHECK_STR (rs_config_str (config, "log-file"), "");
    RS_CHECK_STR (rs_config_source (config, "name"), "default");
    RS_CHECK (!rs_config_is_set (config, "name"));
    RS_CHECK (rs_config_has (config, "name"));
    RS_CHECK (rs_config_has (config, "curve-server-key"));   // from RS_OPTIONS_BROKER_CLIENT
    RS_CHECK (!rs_config_has (config, "curve-server-cert"));
    RS_CHECK (!rs_config_has (config, NULL));
    RS_CHECK_INT (rs_config_argc (config), 0);
    RS_CHECK (rs_config_argv (config, 0) == NULL);
    rs_config_destroy (&config);
    RS_CHECK (config == NULL);
    rs_config_destroy (&config);
}

static void
test_precedence (void)
{
    rs_config_t *config = s_new ();
    const char *dotenv = s_env_file ("prec.env",
        "BROKER_HOST=dotenv-host\n"
        "BROKER_FRONTEND_PORT=6000\n"
        "BROKER_BACKEND_PORT=6001\n"
        "TEST_NAME=from-dotenv\n"
        "HEARTBEAT_MS=2000\n");
    setenv ("BROKER_BACKEND_PORT", "7001", 1);
    setenv ("TEST_NAME", "from-env", 1);
    setenv ("HEARTBEAT_MS", "3000", 1);
    RS_CHECK_INT (s_load (config, "--env-file", dotenv, "--heartbeat-ms", "4000"), RS_OK);
    //  .env beats default
    RS_CHECK_STR (rs_config_str (config, "broker-host"), "dotenv-host");
    RS_CHECK_STR (rs_config_source (config, "broker-host"), ".env");
    RS_CHECK_INT (rs_config_int (config, "frontend-port"), 6000);
    //  env beats .env
    RS_CHECK_INT (rs_config_int (config, "backend-port"), 7001);
    RS_CHECK_STR (rs_config_source (config, "backend-port"), "env");
    RS_CHECK_STR (rs_config_str (config, "name"), "from-env");
    //  flag beats env and .env
    RS_CHECK_INT (rs_config_int (config, "heartbeat-ms"), 4000);
    RS_CHECK_STR (rs_config_source (config, "heartbeat-ms"), "flag");
    RS_CHECK (rs_config_is_set (config, "heartbeat-ms"));
    RS_CHECK (rs_config_is_set (config, "broker-host"));
    RS_CHECK (!rs_config_is_set (config, "ratio"));

    //  RIGSTREAM_ENV_FILE names the file when no --env-file is given.
    setenv ("RIGSTREAM_ENV_FILE", dotenv, 1);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_INT (rs_config_int (config, "frontend-port"), 6000);
    //  --env-file wins over RIGSTREAM_ENV_FILE.
    const char *other = s_env_file ("other.env", "BROKER_FRONTEND_PORT=6100\n");
    RS_CHECK_INT (s_load (config, "--env-file=", NULL), RS_E_CONFIG);
    RS_CHECK_INT (s_load (config, "--env-file", other), RS_OK);
    RS_CHECK_INT (rs_config_int (config, "frontend-port"), 6100);
    //  A reload forgets the previous load's flags.
    RS_CHECK_INT (rs_config_int (config, "heartbeat-ms"), 3000);
    RS_CHECK_STR (rs_config_source (config, "heartbeat-ms"), "env");

    //  Empty values: unset for typed options, a real value for strings.
    const char *empties = s_env_file ("empty.env", "BROKER_FRONTEND_PORT=\nTEST_NAME=dn\n");
    setenv ("BROKER_BACKEND_PORT", "", 1);
    setenv ("TEST_NAME", "", 1);
    setenv ("TEST_VERBOSE", "", 1);
    setenv ("TEST_LISTEN", "", 1);
    RS_CHECK_INT (s_load (config, "--env-file", empties), RS_OK);
    RS_CHECK_INT (rs_config_int (config, "frontend-port"), 5555);
    RS_CHECK_STR (rs_config_source (config, "frontend-port"), "default");
    RS_CHECK_INT (rs_config_int (config, "backend-port"), 5556);
    RS_CHECK_STR (rs_config_str (config, "name"), "");
    RS_CHECK_STR (rs_config_source (config, "name"), "env");
    RS_CHECK (!rs_config_bool (config, "verbose"));
    RS_CHECK_STR (rs_config_str (config, "listen"), "tcp://*:7000");
    //  ...but an empty flag value for a typed option is an error.
    RS_CHECK_INT (s_load (config, "--env-file", empties, "--frontend-port="), RS_E_CONFIG);
    rs_config_destroy (&config);
}

static void
test_flag_forms (void)
{
    rs_config_t *config = s_new ();
    RS_CHECK_INT (s_load (config, "--name=alpha", "--count", "-7", "--ratio=0.25",
                          "--verbose", "--gain", "-1e3", "--only-flag", "x=y"), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "alpha");
    RS_CHECK_INT (rs_config_int (config, "count"), -7);
    RS_CHECK_NEAR (rs_config_double (config, "ratio"), 0.25, 1e-12);
    RS_CHECK_NEAR (rs_config_double (config, "gain"), -1000, 1e-9);
    RS_CHECK (rs_config_bool (config, "verbose"));
    RS_CHECK_STR (rs_config_str (config, "verbose"), "true");
    RS_CHECK_STR (rs_config_str (config, "only-flag"), "x=y");

    setenv ("TEST_VERBOSE", "yes", 1);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK (rs_config_bool (config, "verbose"));
    RS_CHECK_INT (s_load (config, "--no-verbose"), RS_OK);
    RS_CHECK (!rs_config_bool (config, "verbose"));
    RS_CHECK_STR (rs_config_source (config, "verbose"), "flag");
    RS_CHECK_INT (s_load (config, "--verbose=false"), RS_OK);
    RS_CHECK (!rs_config_bool (config, "verbose"));
    const char *truthy [] = { "1", "true", "YES", "On", NULL };
    const char *falsy [] = { "0", "False", "no", "OFF", NULL };
    for (int i = 0; truthy [i]; i++) {
        setenv ("TEST_VERBOSE", truthy [i], 1);
        RS_CHECK_INT (s_load (config, NULL), RS_OK);
        RS_CHECK (rs_config_bool (config, "verbose"));
        setenv ("TEST_VERBOSE", falsy [i], 1);
        RS_CHECK_INT (s_load (config, NULL), RS_OK);
        RS_CHECK (!rs_config_bool (config, "verbose"));
    }
    unsetenv ("TEST_VERBOSE");
    //  A BOOL flag does not eat the next argument.
    rs_config_t *with_args = rs_config_new ("test", NULL, s_table, "FILE...");
    RS_CHECK_INT (s_load (with_args, "--verbose", "false"), RS_OK);
    RS_CHECK (rs_config_bool (with_args, "verbose"));
    RS_CHECK_INT (rs_config_argc (with_args), 1);
    RS_CHECK_STR (rs_config_argv (with_args, 0), "false");
    rs_config_destroy (&with_args);

    //  The last of repeated flags wins.
    RS_CHECK_INT (s_load (config, "--name", "a", "--name", "b"), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "b");

    const char *endpoints [] = {
        "tcp://*:5555", "tcp://127.0.0.1:*", "tcp://10.0.0.1:1", "tcp://host.example:65535", "tcp://[::1]:5555",
        "tcp://eth0:5555", "ipc:///tmp/rig.sock", "inproc://broker", NULL
    };
    for (int i = 0; endpoints [i]; i++) {
        RS_CHECK_INT (s_load (config, "--listen", endpoints [i]), RS_OK);
        RS_CHECK_STR (rs_config_str (config, "listen"), endpoints [i]);
    }
    rs_config_destroy (&config);
}

//  Loads with one bad input and checks it fails with the expected message.
static void
s_expect_error (rs_config_t *config, const char *expected, const char *arg1, const char *arg2)
{
    int rc = arg2 ? s_load (config, arg1, arg2) : s_load (config, arg1);
    RS_CHECK_INT (rc, RS_E_CONFIG);
    if (!strstr (s_out, expected)) {
        fprintf (stderr, "expected \"%s\" in: %s", expected, s_out);
        RS_CHECK (false);
    }
}

static void
test_rejections (void)
{
    rs_config_t *config = s_new ();

    setenv ("BROKER_FRONTEND_PORT", "abc", 1);
    RS_CHECK_INT (s_load (config, NULL), RS_E_CONFIG);
    RS_CHECK_STR (s_out, "test: invalid value \"abc\" for BROKER_FRONTEND_PORT (from environment): "
                         "expected an integer between 1 and 65535\n");
    //  A flag overrides the bad environment value, so it is never looked at.
    RS_CHECK_INT (s_load (config, "--frontend-port", "5000"), RS_OK);
    unsetenv ("BROKER_FRONTEND_PORT");

    //  Every bad value is reported, not only the first.
    setenv ("TEST_COUNT", "12x", 1);
    setenv ("TEST_RATIO", "2", 1);
    RS_CHECK_INT (s_load (config, NULL), RS_E_CONFIG);
    RS_CHECK (strstr (s_out, "\"12x\" for TEST_COUNT (from environment): expected an integer\n"));
    RS_CHECK (strstr (s_out, "\"2\" for TEST_RATIO (from environment): "
                             "expected a number between 0 and 1\n"));
    unsetenv ("TEST_COUNT");
    unsetenv ("TEST_RATIO");

    const char *port_bad = "expected an integer between 1 and 65535";
    s_expect_error (config, "test: invalid value \"70000\" for --frontend-port: ", "--frontend-port", "70000");
    s_expect_error (config, port_bad, "--frontend-port", "0");
    s_expect_error (config, port_bad, "--frontend-port", " 80");
    s_expect_error (config, port_bad, "--frontend-port", "80 ");
    s_expect_error (config, port_bad, "--frontend-port", "8.0");
    s_expect_error (config, port_bad, "--frontend-port=", NULL);
    s_expect_error (config, "expected an integer between 100 and 60000", "--heartbeat-ms", "99");
    s_expect_error (config, "expected an integer\n", "--count", "99999999999999999999999");
    s_expect_error (config, "expected an integer\n", "--count", "0x10");
    s_expect_error (config, "expected a number between 0 and 1", "--ratio", "1.5");
    s_expect_error (config, "expected a number between 0 and 1", "--ratio", "-0.1");
    s_expect_error (config, "expected a finite number", "--gain", "nan");
    s_expect_error (config, "expected a finite number", "--gain", "inf");
    s_expect_error (config, "expected a finite number", "--gain", "1e999");
    s_expect_error (config, "expected a finite number", "--gain", "1,5");
    s_expect_error (config, "invalid value \"maybe\" for --verbose: expected true/false",
                    "--verbose=maybe", NULL);
    s_expect_error (config, "invalid value \"loud\" for --log-level: expected error, warn",
                    "--log-level", "loud");
    const char *endpoints [] = {
        "tcp://host", "tcp://:5555", "tcp://h:0", "tcp://h:65536", "tcp://h:12a", "tcp://h:",
        "tcp://h:000005555", "udp://h:5555", "ipc://", "inproc://", "tcp://h :5555",
        "host:5555", "", NULL
    };
    for (int i = 0; endpoints [i]; i++)
        s_expect_error (config, "expected tcp://host:port (port 1-65535 or *), ipc://path or inproc://name",
                        "--listen", endpoints [i]);

    s_expect_error (config, "test: unknown option --bogus (see --help)\n", "--bogus", NULL);
    s_expect_error (config, "test: unknown option --bogus (see --help)\n", "--bogus=1", NULL);
    s_expect_error (config, "test: unknown option -x (see --help)\n", "-x", NULL);
    s_expect_error (config, "test: unknown option --no-name (see --help)\n", "--no-name", NULL);
    s_expect_error (config, "test: unknown option --print-env (see --help)\n", "--print-env", NULL);
    s_expect_error (config, "option --no-verbose takes no value", "--no-verbose=1", NULL);
    s_expect_error (config, "option --version takes no value", "--version=2", NULL);
    s_expect_error (config, "test: option --name needs a value (see --help)\n", "--name", NULL);
    s_expect_error (config, "option --name needs a value", "--name", "--verbose");
    s_expect_error (config, "option --env-file needs a value", "--env-file", NULL);
    s_expect_error (config, "test: unexpected argument \"stray\" (see --help)\n", "stray", NULL);
    s_expect_error (config, "unexpected argument \"-\"", "-", NULL);
    s_expect_error (config, "unexpected argument \"--x\"", "--", "--x");

    //  Missing env files, by flag and by variable.
    const char *missing = s_path ("missing.env");
    s_expect_error (config, "test: cannot open env file ", "--env-file", missing);
    RS_CHECK (strstr (s_out, "missing.env: No such file or directory"));
    setenv ("RIGSTREAM_ENV_FILE", missing, 1);
    s_expect_error (config, "missing.env: No such file or directory", NULL, NULL);
    //  /dev/null is an empty file: "no .env".
    setenv ("RIGSTREAM_ENV_FILE", "/dev/null", 1);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    unsetenv ("RIGSTREAM_ENV_FILE");
    //  A directory is not a file.
    s_expect_error (config, "test: cannot read env file /tmp", "--env-file", "/tmp");

    //  A bad value inside a .env names the file and line.
    const char *bad_value = s_env_file ("badvalue.env", "# ports\n\nBROKER_BACKEND_PORT=99999\n");
    s_expect_error (config, "", "--env-file", bad_value);
    char expected [512];
    snprintf (expected, sizeof expected, "test: invalid value \"99999\" for BROKER_BACKEND_PORT "
              "(from %s:3): expected an integer between 1 and 65535\n", bad_value);
    RS_CHECK_STR (s_out, expected);
    rs_config_destroy (&config);
}

static void
test_dotenv_syntax (void)
{
    rs_config_t *config = s_new ();
    const char *path = s_env_file ("syntax.env",
        "# a comment line\n"
        "\n"
        "   \t\n"
        "  # indented comment\n"
        "export BROKER_HOST=exported-host\n"
        "TEST_NAME = 'single # not a comment \\n'\n"
        "BROKER_FRONTEND_ENDPOINT=\"tcp://dq:5000\"   # trailing comment\n"
        "BROKER_BACKEND_ENDPOINT=ipc:///tmp/a#b\n"
        "LOG_FILE=\"line1\\nq\\\"uote\\\\back\\tslash\"\n"
        "TEST_LISTEN=tcp://*:7100 # comment after unquoted\n"
        "OTHER_PROGRAM_SETTING=whatever\n"
        "TEST_COUNT=5\r\n"
        "TEST_COUNT=6\n"
        "only-flag=ignored-because-not-a-name-we-know\n"
        "TEST_RATIO=  0.75  \n"
        "LOG_LEVEL='debug'#c\n"
        "TEST_GAIN=''\n"
        "HEARTBEAT_MS=2500");      // no final newline
    RS_CHECK_INT (s_load (config, "--env-file", path), RS_E_CONFIG);
    //  "only-flag=..." is not a valid NAME: a malformed line.
    RS_CHECK (strstr (s_out, "syntax.env:14: expected NAME=value"));

    path = s_env_file ("syntax2.env",
        "# a comment line\n"
        "\n"
        "   \t\n"
        "  # indented comment\n"
        "export BROKER_HOST=exported-host\n"
        "TEST_NAME = 'single # not a comment \\n'\n"
        "BROKER_FRONTEND_ENDPOINT=\"tcp://dq:5000\"   # trailing comment\n"
        "BROKER_BACKEND_ENDPOINT=ipc:///tmp/a#b\n"
        "LOG_FILE=\"line1\\nq\\\"uote\\\\back\\tslash\"\n"
        "TEST_LISTEN=tcp://*:7100 # comment after unquoted\n"
        "OTHER_PROGRAM_SETTING=whatever\n"
        "TEST_COUNT=5\r\n"
        "TEST_COUNT=6\n"
        "TEST_RATIO=  0.75  \n"
        "LOG_LEVEL='debug'#c\n"
        "TEST_GAIN=''\n"
        "TEST_VERBOSE= # empty, then a comment\n"
        "HEARTBEAT_MS=2500");
    RS_CHECK_INT (s_load (config, "--env-file", path), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "broker-host"), "exported-host");
    RS_CHECK_STR (rs_config_str (config, "name"), "single # not a comment \\n");
    RS_CHECK_STR (rs_config_str (config, "frontend"), "tcp://dq:5000");
    RS_CHECK_STR (rs_config_str (config, "backend"), "ipc:///tmp/a#b");
    RS_CHECK_STR (rs_config_str (config, "log-file"), "line1\nq\"uote\\back\\tslash");
    RS_CHECK_STR (rs_config_str (config, "listen"), "tcp://*:7100");
    RS_CHECK_INT (rs_config_int (config, "count"), 6);
    RS_CHECK_NEAR (rs_config_double (config, "ratio"), 0.75, 1e-12);
    RS_CHECK_STR (rs_config_str (config, "log-level"), "debug");
    RS_CHECK_STR (rs_config_source (config, "gain"), "default");
    RS_CHECK_STR (rs_config_source (config, "verbose"), "default");
    RS_CHECK_INT (rs_config_int (config, "heartbeat-ms"), 2500);

    //  Each malformed line is an error naming file:line.
    struct { const char *content; const char *reason; } bad [] = {
        { "JUSTTEXT\n", ":1: expected NAME=value" },
        { "\n\nexport\n", ":3: expected NAME=value" },
        { "1BAD=x\n", ":1: expected NAME=value" },
        { "=x\n", ":1: expected NAME=value" },
        { "BAD-NAME=x\n", ":1: expected NAME=value" },
        { "A=1\nTEST_NAME=\"open\n", ":2: unterminated double quote" },
        { "TEST_NAME='open\n", ":1: unterminated single quote" },
        { "TEST_NAME=\"a\"b\n", ":1: unexpected text after the closing quote" },
        { "TEST_NAME='a' b\n", ":1: unexpected text after the closing quote" },
        { "UNKNOWN_BUT_BROKEN=\"x\n", ":1: unterminated double quote" },
        { NULL, NULL }
    };
    for (int i = 0; bad [i].content; i++) {
        const char *file = s_env_file ("bad.env", bad [i].content);
        RS_CHECK_INT (s_load (config, "--env-file", file), RS_E_CONFIG);
        char expected [512];
        snprintf (expected, sizeof expected, "test: %s%s\n", file, bad [i].reason);
        RS_CHECK_STR (s_out, expected);
    }

    //  A NUL byte in a line is malformed, not a silent cut.
    const char *nul_path = s_path ("nul.env");
    FILE *file = fopen (nul_path, "w");
    if (file) {
        fwrite ("TEST_NAME=a\0b\n", 1, 14, file);
        fclose (file);
    }
    RS_CHECK_INT (s_load (config, "--env-file", nul_path), RS_E_CONFIG);
    RS_CHECK (strstr (s_out, "nul.env:1: NUL byte in line"));
    rs_config_destroy (&config);
}

static void
test_dotenv_in_cwd (void)
{
    rs_config_t *config = s_new ();
    //  The test runs inside s_dir, so ./.env is s_dir/.env.
    s_env_file (".env", "TEST_NAME=from-cwd\n");
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "from-cwd");
    RS_CHECK_STR (rs_config_source (config, "name"), ".env");
    //  An explicit file replaces ./.env; /dev/null switches it off.
    const char *other = s_env_file ("cwd-other.env", "TEST_NAME=from-other\n");
    RS_CHECK_INT (s_load (config, "--env-file", other), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "from-other");
    setenv ("RIGSTREAM_ENV_FILE", "/dev/null", 1);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "anon");
    unsetenv ("RIGSTREAM_ENV_FILE");
    //  A malformed ./.env is an error too.
    s_env_file (".env", "garbage\n");
    RS_CHECK_INT (s_load (config, NULL), RS_E_CONFIG);
    RS_CHECK_STR (s_out, "test: .env:1: expected NAME=value\n");
    unlink (s_path (".env"));
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    rs_config_destroy (&config);
}


//  rs_config_apply_logging for component, its stderr (the log) in s_out.
static int
s_apply (rs_config_t *config, const char *component)
{
    const char *capture = s_path ("capture.txt");
    fflush (stderr);
    int saved = dup (2);
    int out = open (capture, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2 (out, 2);
    close (out);
    int rc = rs_config_apply_logging (config, component);
    fflush (stderr);
    dup2 (saved, 2);
    close (saved);
    FILE *file = fopen (capture, "r");
    size_t len = file ? fread (s_out, 1, sizeof s_out - 1, file) : 0;
    s_out [len] = '\0';
    if (file)
        fclose (file);
    return rc;
}

//  Each level of the search shadows the next one whole (one file is read),
//  and the log names the file and why it was chosen.
static void
test_env_search (void)
{
    rs_config_t *config = s_new ();
    //  The checkout's and the installation's files, as RIGSTREAM_ENV_SEARCH names them.
    char checkout [300], install [300], named [300];    //  s_path's buffers are reused
    snprintf (checkout, sizeof checkout, "%s", s_path ("checkout.env"));
    snprintf (install, sizeof install, "%s", s_path ("install.env"));
    snprintf (named, sizeof named, "%s", s_path ("named.env"));
    char search [PATH_MAX + 200], line [PATH_MAX + 100];
    snprintf (search, sizeof search, "%s:%s", checkout, install);
    setenv ("RIGSTREAM_ENV_SEARCH", search, 1);
    s_env_file ("install.env", "TEST_NAME=install\nTEST_COUNT=4\n");
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "install");
    RS_CHECK_INT (rs_config_int (config, "count"), 4);
    RS_CHECK_INT (s_apply (config, "cfgtest"), RS_OK);
    snprintf (line, sizeof line, " INFO  cfgtest: settings from %s (RIGSTREAM_ENV_SEARCH)\n", install);
    RS_CHECK (strstr (s_out, line) != NULL);

    //  The checkout's shadows the installation's, whole: TEST_COUNT is back to its default.
    s_env_file ("checkout.env", "TEST_NAME=checkout\n");
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "checkout");
    RS_CHECK_INT (rs_config_int (config, "count"), 3);
    RS_CHECK_INT (s_apply (config, "cfgtest"), RS_OK);
    snprintf (line, sizeof line, "settings from %s (RIGSTREAM_ENV_SEARCH)\n", checkout);
    RS_CHECK (strstr (s_out, line) != NULL);

    //  ./.env shadows both.
    s_env_file (".env", "TEST_NAME=cwd\n");
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "cwd");
    RS_CHECK_INT (s_apply (config, "cfgtest"), RS_OK);
    RS_CHECK (strstr (s_out, "settings from .env (the current directory)\n") != NULL);

    //  RIGSTREAM_ENV_FILE shadows every other, and ends the search even when
    //  it names no file: /dev/null is "none at all".
    s_env_file ("named.env", "TEST_NAME=named\n");
    setenv ("RIGSTREAM_ENV_FILE", named, 1);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "named");
    RS_CHECK_INT (s_apply (config, "cfgtest"), RS_OK);
    snprintf (line, sizeof line, "settings from %s (RIGSTREAM_ENV_FILE)\n", named);
    RS_CHECK (strstr (s_out, line) != NULL);
    setenv ("RIGSTREAM_ENV_FILE", "/dev/null", 1);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "anon");
    RS_CHECK_INT (s_apply (config, "cfgtest"), RS_OK);
    RS_CHECK (strstr (s_out, "no settings file (RIGSTREAM_ENV_FILE=/dev/null)\n") != NULL);
    //  --env-file wins over RIGSTREAM_ENV_FILE.
    RS_CHECK_INT (s_load (config, "--env-file", named), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "named");
    RS_CHECK_INT (s_apply (config, "cfgtest"), RS_OK);
    snprintf (line, sizeof line, "settings from %s (--env-file)\n", named);
    RS_CHECK (strstr (s_out, line) != NULL);
    unsetenv ("RIGSTREAM_ENV_FILE");

    //  None at all: the log lists what was looked for, in order.
    unlink (s_path (".env"));
    unlink (checkout);
    unlink (install);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_str (config, "name"), "anon");
    RS_CHECK_INT (s_apply (config, "cfgtest"), RS_OK);
    snprintf (line, sizeof line, "no settings file (looked for ./.env, %s, %s)\n", checkout, install);
    RS_CHECK (strstr (s_out, line) != NULL);

    //  By default, for a program run from the build tree (this test), the
    //  checkout's .env, then the installation's.
    unsetenv ("RIGSTREAM_ENV_SEARCH");
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_INT (s_apply (config, "cfgtest"), RS_OK);
    snprintf (line, sizeof line, "%s/.env", RS_SOURCE_DIR);
    if (access (line, F_OK) == 0) {
        snprintf (search, sizeof search, "settings from %s (the checkout)\n", line);
        RS_CHECK (strstr (s_out, search) != NULL);
    }
    else {
        snprintf (search, sizeof search, "no settings file (looked for ./.env, %s, /etc/rigstream/rigstream.env)",
                  line);
        RS_CHECK (strstr (s_out, search) != NULL || access ("/etc/rigstream/rigstream.env", F_OK) == 0);
    }
    if (!strstr (s_out, "cfgtest: "))
        fprintf (stderr, "log: %s\n", s_out);
    rs_config_destroy (&config);
    rs_log_init (NULL, RS_LOG_INFO, NULL);
}

static const rs_option_t s_client_table [] = {
    RS_OPTIONS_BROKER_CLIENT,
    RS_OPTION_END
};

//  --name: every broker client has it, with the program's own variable; it
//  must be an id; it replaces the component's name in the log, heartbeats
//  (rs_config_instance) and, by default, the publisher id.
static void
test_instance_name (void)
{
    s_clean_env ();
    rs_config_t *config = rs_config_new ("rigstream-wits0", "a reader", s_client_table, NULL);
    RS_CHECK (rs_config_has (config, "name"));
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_name (config), "");
    RS_CHECK_INT (s_apply (config, "wits0"), RS_OK);
    RS_CHECK_STR (rs_config_instance ("wits0"), "wits0");
    RS_CHECK (strstr (s_out, " INFO  wits0: ") != NULL);

    RS_CHECK_INT (s_load (config, "--name", "wits0_mud"), RS_OK);
    RS_CHECK_STR (rs_config_name (config), "wits0_mud");
    RS_CHECK_INT (s_apply (config, "wits0"), RS_OK);
    RS_CHECK (strstr (s_out, " INFO  wits0_mud: ") != NULL);
    RS_CHECK_STR (rs_config_instance ("wits0"), "wits0_mud");
    RS_CHECK_STR (rs_config_instance ("other"), "other");
    RS_CHECK (rs_config_instance (NULL) == NULL);

    //  The variable is the program's own.
    setenv ("WITS0_NAME", "wits0-mwd", 1);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_STR (rs_config_name (config), "wits0-mwd");
    RS_CHECK_STR (rs_config_source (config, "name"), "env");
    //  Not an id: refused, naming the option.
    setenv ("WITS0_NAME", "mud pit", 1);
    RS_CHECK_INT (s_load (config, NULL), RS_E_CONFIG);
    RS_CHECK (strstr (s_out, "invalid value \"mud pit\" for WITS0_NAME (from environment): expected 1-64 of "
                             "A-Z a-z 0-9 _ -") != NULL);
    unsetenv ("WITS0_NAME");
    RS_CHECK_INT (s_load (config, "--name", "a.b"), RS_E_CONFIG);
    RS_CHECK (strstr (s_out, "invalid value \"a.b\" for --name") != NULL);
    char longer [80];
    memset (longer, 'x', 65);
    longer [65] = '\0';
    RS_CHECK_INT (s_load (config, "--name", longer), RS_E_CONFIG);
    RS_CHECK_INT (s_load (config, "--name", longer + 1), RS_OK);

    //  Unset again: the component's own name.
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_INT (s_apply (config, "wits0"), RS_OK);
    RS_CHECK_STR (rs_config_instance ("wits0"), "wits0");
    RS_CHECK_INT (s_load_out (config, "--print-env-table"), RS_E_EXIT);
    RS_CHECK (strstr (s_out, "| `WITS0_NAME` | `--name` |  | instance name: heartbeat topic sys.NAME") != NULL);
    rs_config_destroy (&config);

    config = rs_config_new ("rigstream-wits0-out", "a server", s_client_table, NULL);
    RS_CHECK_INT (s_load_out (config, "--print-env-table"), RS_E_EXIT);
    RS_CHECK (strstr (s_out, "| `WITS0_OUT_NAME` | `--name` |") != NULL);
    rs_config_destroy (&config);
    //  Not a broker client (the broker itself, ctl): no --name.
    static const rs_option_t plain [] = { { "heartbeat-ms", "HEARTBEAT_MS", RS_OPT_INT, "1000", "hb", 1, 9999 },
                                          RS_OPTION_END };
    config = rs_config_new ("rigstream-broker", "a broker", plain, NULL);
    RS_CHECK (!rs_config_has (config, "name"));
    RS_CHECK_STR (rs_config_name (config), "");
    rs_config_destroy (&config);
    //  A table with a --name of its own keeps it as a plain option.
    config = s_new ();
    RS_CHECK_INT (s_load (config, "--name", "any thing"), RS_OK);
    RS_CHECK_STR (rs_config_name (config), "");
    rs_config_destroy (&config);
    rs_log_init (NULL, RS_LOG_INFO, NULL);
}

static void
test_help_version_table (void)
{
    rs_config_t *config = rs_config_new ("test", "tests the option table", s_table, "[FILE...]");
    RS_CHECK_INT (s_load_out (config, "--help"), RS_E_EXIT);
    RS_CHECK (s_starts_with (s_out, "test: tests the option table\n\nUsage: test [options] [FILE...]\n"));
    RS_CHECK (strstr (s_out, "\n  --frontend-port N "));
    RS_CHECK (strstr (s_out, " broker port that publishers connect to (XSUB side) "
                             "(env BROKER_FRONTEND_PORT, default 5555)\n"));
    RS_CHECK (strstr (s_out, "\n  --verbose "));
    RS_CHECK (strstr (s_out, "talk more (env TEST_VERBOSE, default false)\n"));
    RS_CHECK (strstr (s_out, "\n  --frontend ENDPOINT "));
    RS_CHECK (strstr (s_out, "overrides host and port (env BROKER_FRONTEND_ENDPOINT)\n"));
    RS_CHECK (strstr (s_out, "\n  --only-flag TEXT "));
    RS_CHECK (strstr (s_out, "has no | variable\n"));
    RS_CHECK (strstr (s_out, "(env LOG_LEVEL, default info)\n"));
    RS_CHECK (strstr (s_out, "\n  --env-file PATH "));
    RS_CHECK (strstr (s_out, "\n  -h, --help "));
    RS_CHECK (strstr (s_out, "\n  --version "));
    RS_CHECK (!strstr (s_out, "print-env-table"));
    //  Help columns line up: every help text starts at the same column.
    const char *a = strstr (s_out, "\n  --frontend-port N");
    const char *b = strstr (s_out, "\n  --verbose");
    if (a && b) {
        size_t col_a = strspn (a + 1 + strlen ("  --frontend-port N"), " ") + strlen ("  --frontend-port N");
        size_t col_b = strspn (b + 1 + strlen ("  --verbose"), " ") + strlen ("  --verbose");
        RS_CHECK_INT (col_a, col_b);
    }
    RS_CHECK_INT (s_load_out (config, "-h"), RS_E_EXIT);
    RS_CHECK (strstr (s_out, "Usage: test"));
    //  --help stops at once, before later bad flags are looked at.
    RS_CHECK_INT (s_load_out (config, "--help", "--bogus"), RS_E_EXIT);
    RS_CHECK_INT (s_load (config, "--bogus", "--help"), RS_E_CONFIG);

    RS_CHECK_INT (s_load_out (config, "--version"), RS_E_EXIT);
    RS_CHECK (s_starts_with (s_out, "test rigstream " RS_VERSION "\n"));
    RS_CHECK (strlen (s_out) > 16 && s_out [strlen (s_out) - 1] == '\n');

    RS_CHECK_INT (s_load_out (config, "--print-env-table"), RS_E_EXIT);
    RS_CHECK (s_starts_with (s_out, "| Variable | Flag | Default | Meaning |\n|---|---|---|---|\n"));
    RS_CHECK (strstr (s_out, "| `BROKER_HOST` | `--broker-host` | `127.0.0.1` | host of the broker to connect to |\n"));
    RS_CHECK (strstr (s_out, "| `BROKER_FRONTEND_ENDPOINT` | `--frontend` |  | full frontend endpoint"));
    RS_CHECK (strstr (s_out, "|  | `--only-flag` |  | has no \\| variable |\n"));
    RS_CHECK (strstr (s_out, "| `LOG_LEVEL` | `--log-level` | `info` |"));
    RS_CHECK (strstr (s_out, "| `RIGSTREAM_ENV_FILE` | `--env-file` |"));

    //  Without a summary line the help starts at "Usage:".
    rs_config_t *bare = rs_config_new ("bare", NULL, NULL, NULL);
    RS_CHECK (bare != NULL);
    RS_CHECK_INT (s_load_out (bare, "--help"), RS_E_EXIT);
    RS_CHECK (s_starts_with (s_out, "Usage: bare [options]\n"));
    rs_config_destroy (&bare);
    rs_config_destroy (&config);
}

static void
test_positional (void)
{
    rs_config_t *config = rs_config_new ("test", NULL, s_table, "FILE...");
    s_clean_env ();
    RS_CHECK_INT (s_load (config, "a.csv", "--name", "x", "-", "b.csv", "--", "--verbose", "-h"), RS_OK);
    RS_CHECK_INT (rs_config_argc (config), 5);
    RS_CHECK_STR (rs_config_argv (config, 0), "a.csv");
    RS_CHECK_STR (rs_config_argv (config, 1), "-");
    RS_CHECK_STR (rs_config_argv (config, 2), "b.csv");
    RS_CHECK_STR (rs_config_argv (config, 3), "--verbose");
    RS_CHECK_STR (rs_config_argv (config, 4), "-h");
    RS_CHECK (rs_config_argv (config, 5) == NULL);
    RS_CHECK (rs_config_argv (config, -1) == NULL);
    RS_CHECK_STR (rs_config_str (config, "name"), "x");
    RS_CHECK (!rs_config_bool (config, "verbose"));
    //  A reload starts from no positional arguments.
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_INT (rs_config_argc (config), 0);
    rs_config_destroy (&config);
}

static void
test_broker_endpoint (void)
{
    rs_config_t *config = s_new ();
    char buf [128];
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_INT (rs_config_broker_endpoint (config, false, buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://127.0.0.1:5555");
    RS_CHECK_INT (rs_config_broker_endpoint (config, true, buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://127.0.0.1:5556");
    //  Too small: -1 and an empty string, never a cut endpoint.
    RS_CHECK_INT (rs_config_broker_endpoint (config, false, buf, 10), RS_E_CONFIG);
    RS_CHECK_STR (buf, "");
    RS_CHECK_INT (rs_config_broker_endpoint (config, false, buf, 0), RS_E_CONFIG);

    setenv ("BROKER_HOST", "rig-broker", 1);
    RS_CHECK_INT (s_load (config, "--backend-port", "6001"), RS_OK);
    RS_CHECK_INT (rs_config_broker_endpoint (config, true, buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://rig-broker:6001");
    RS_CHECK_INT (s_load (config, "--broker-host", "::1"), RS_OK);
    RS_CHECK_INT (rs_config_broker_endpoint (config, false, buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://[::1]:5555");

    //  A full endpoint overrides host and port, per side.
    setenv ("BROKER_BACKEND_ENDPOINT", "ipc:///tmp/rig-backend", 1);
    RS_CHECK_INT (s_load (config, "--frontend", "tcp://10.1.1.1:9000"), RS_OK);
    RS_CHECK_INT (rs_config_broker_endpoint (config, false, buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://10.1.1.1:9000");
    RS_CHECK_INT (rs_config_broker_endpoint (config, true, buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "ipc:///tmp/rig-backend");

    setenv ("BROKER_HOST", "", 1);
    unsetenv ("BROKER_BACKEND_ENDPOINT");
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_INT (rs_config_broker_endpoint (config, false, buf, sizeof buf), RS_E_CONFIG);
    rs_config_destroy (&config);

    //  Without RS_OPTIONS_BROKER_CLIENT there is no endpoint to give.
    rs_config_t *plain = rs_config_new ("plain", NULL, NULL, NULL);
    RS_CHECK_INT (s_load (plain, NULL), RS_OK);
    RS_CHECK_INT (rs_config_broker_endpoint (plain, false, buf, sizeof buf), RS_E_CONFIG);
    rs_config_destroy (&plain);
    s_clean_env ();
}

static void
test_logging (void)
{
    rs_config_t *config = s_new ();
    const char *log_path = s_path ("config.log");
    setenv ("LOG_LEVEL", "DEBUG", 1);
    setenv ("LOG_FILE", log_path, 1);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    RS_CHECK_INT (rs_config_apply_logging (config, "cfgtest"), RS_OK);
    RS_CHECK (rs_log_enabled (RS_LOG_DEBUG));
    RS_CHECK (!rs_log_enabled (RS_LOG_TRACE));
    rs_debug ("to the file");
    rs_log_close ();
    FILE *file = fopen (log_path, "r");
    char text [1024] = "";
    if (file) {
        text [fread (text, 1, sizeof text - 1, file)] = '\0';
        fclose (file);
    }
    RS_CHECK (strstr (text, " INFO  cfgtest: no settings file (looked for ./.env, "));
    RS_CHECK (strstr (text, " DEBUG cfgtest: to the file\n"));

    //  An unopenable LOG_FILE is reported by apply_logging, not by load.
    setenv ("LOG_FILE", "/nonexistent-dir/x.log", 1);
    setenv ("LOG_LEVEL", "error", 1);
    RS_CHECK_INT (s_load (config, NULL), RS_OK);
    fflush (stderr);
    int saved = dup (2);
    int null_fd = open ("/dev/null", O_WRONLY);
    dup2 (null_fd, 2);
    close (null_fd);
    int rc = rs_config_apply_logging (config, NULL);
    dup2 (saved, 2);
    close (saved);
    RS_CHECK_INT (rc, RS_E_IO);
    RS_CHECK (!rs_log_enabled (RS_LOG_WARN));

    setenv ("LOG_LEVEL", "chatty", 1);
    RS_CHECK_INT (s_load (config, NULL), RS_E_CONFIG);
    RS_CHECK (strstr (s_out, "invalid value \"chatty\" for LOG_LEVEL (from environment)"));
    rs_log_init (NULL, RS_LOG_INFO, NULL);
    rs_config_destroy (&config);
    s_clean_env ();
}

static void
test_bad_tables (void)
{
    const rs_option_t twice [] = {
        { "port", "A_PORT", RS_OPT_INT, "1", "x", 0, 0 },
        { "port", "B_PORT", RS_OPT_INT, "1", "x", 0, 0 },
        RS_OPTION_END
    };
    const rs_option_t same_env [] = {
        { "a", "SAME", RS_OPT_STRING, NULL, "x", 0, 0 },
        { "b", "SAME", RS_OPT_STRING, NULL, "x", 0, 0 },
        RS_OPTION_END
    };
    const rs_option_t reserved [] = {
        { "help", NULL, RS_OPT_BOOL, NULL, "x", 0, 0 },
        RS_OPTION_END
    };
    const rs_option_t common [] = {
        { "log-level", "MY_LEVEL", RS_OPT_STRING, NULL, "x", 0, 0 },
        RS_OPTION_END
    };
    const rs_option_t bad_default [] = {
        { "port", "A_PORT", RS_OPT_INT, "seven", "x", 1, 10 },
        RS_OPTION_END
    };
    fflush (stderr);
    int saved = dup (2);
    int null_fd = open ("/dev/null", O_WRONLY);
    dup2 (null_fd, 2);
    close (null_fd);
    rs_config_t *c1 = rs_config_new ("t", NULL, twice, NULL);
    rs_config_t *c2 = rs_config_new ("t", NULL, same_env, NULL);
    rs_config_t *c3 = rs_config_new ("t", NULL, reserved, NULL);
    rs_config_t *c4 = rs_config_new ("t", NULL, common, NULL);
    rs_config_t *c5 = rs_config_new ("t", NULL, bad_default, NULL);
    dup2 (saved, 2);
    close (saved);
    RS_CHECK (c1 == NULL);
    RS_CHECK (c2 == NULL);
    RS_CHECK (c3 == NULL);
    RS_CHECK (c4 == NULL);
    RS_CHECK (c5 == NULL);
}

//  Runs fn in a child and reports whether it died by SIGABRT.
static bool
s_aborts (void (*fn) (rs_config_t *), rs_config_t *config)
{
    fflush (stdout);
    fflush (stderr);
    pid_t pid = fork ();
    if (pid == 0) {
        int null_fd = open ("/dev/null", O_WRONLY);
        dup2 (null_fd, 2);
        fn (config);
        _exit (0);
    }
    int status = 0;
    if (pid < 0 || waitpid (pid, &status, 0) != pid)
        return false;
    return WIFSIGNALED (status) && WTERMSIG (status) == SIGABRT;
}

static void s_get_unknown_str (rs_config_t *c) { rs_config_str (c, "no-such-option"); }
static void s_get_unknown_int (rs_config_t *c) { rs_config_int (c, "no-such-option"); }
static void s_get_unknown_double (rs_config_t *c) { rs_config_double (c, "no-such-option"); }
static void s_get_unknown_bool (rs_config_t *c) { rs_config_bool (c, "no-such-option"); }
static void s_get_unknown_source (rs_config_t *c) { rs_config_source (c, "no-such-option"); }
static void s_get_unknown_is_set (rs_config_t *c) { rs_config_is_set (c, "no-such-option"); }
static void s_get_wrong_int (rs_config_t *c) { rs_config_int (c, "name"); }
static void s_get_wrong_bool (rs_config_t *c) { rs_config_bool (c, "count"); }
static void s_get_wrong_double (rs_config_t *c) { rs_config_double (c, "verbose"); }
static void s_get_broker_host (rs_config_t *c) { rs_config_str (c, "broker-host"); }
static void s_get_fine (rs_config_t *c) { rs_config_str (c, "name"); }

static void
test_programming_errors (void)
{
    rs_config_t *config = s_new ();
    RS_CHECK (s_aborts (s_get_unknown_str, config));
    RS_CHECK (s_aborts (s_get_unknown_int, config));
    RS_CHECK (s_aborts (s_get_unknown_double, config));
    RS_CHECK (s_aborts (s_get_unknown_bool, config));
    RS_CHECK (s_aborts (s_get_unknown_source, config));
    RS_CHECK (s_aborts (s_get_unknown_is_set, config));
    RS_CHECK (s_aborts (s_get_wrong_int, config));
    RS_CHECK (s_aborts (s_get_wrong_bool, config));
    RS_CHECK (s_aborts (s_get_wrong_double, config));
    RS_CHECK (!s_aborts (s_get_fine, config));
    rs_config_destroy (&config);
    rs_config_t *plain = rs_config_new ("plain", NULL, NULL, NULL);
    RS_CHECK (s_aborts (s_get_broker_host, plain));
    rs_config_destroy (&plain);
}

//  List options: commas or spaces, bounded in count and size.
static void
test_lists (void)
{
    rs_config_t *config = s_new ();
    RS_CHECK_INT (s_load (config, "--name", "telemetry.,event. alert.,,"), RS_OK);
    char buf[64];
    const char *items[4];
    RS_CHECK_INT (rs_config_list (config, "name", buf, sizeof buf, items, 3), 3);
    RS_CHECK_STR (items[0], "telemetry.");
    RS_CHECK_STR (items[2], "alert.");
    RS_CHECK (items[3] == NULL);
    RS_CHECK_INT (rs_config_list (config, "name", buf, sizeof buf, items, 2), -1);
    RS_CHECK_INT (rs_config_list (config, "name", buf, 8, items, 3), -1);
    rs_config_destroy (&config);
    config = s_new ();
    RS_CHECK_INT (s_load (config, "--name", ""), RS_OK);
    RS_CHECK_INT (rs_config_list (config, "name", buf, sizeof buf, items, 3), 0);
    RS_CHECK (items[0] == NULL);
    rs_config_destroy (&config);
}

int
main (void)
{
    if (!mkdtemp (s_dir) || chdir (s_dir) != 0) {
        perror (s_dir);
        return 1;
    }
    test_defaults ();
    test_precedence ();
    test_flag_forms ();
    test_rejections ();
    test_dotenv_syntax ();
    test_dotenv_in_cwd ();
    test_env_search ();
    test_instance_name ();
    test_help_version_table ();
    test_positional ();
    test_broker_endpoint ();
    test_logging ();
    test_bad_tables ();
    test_programming_errors ();
    test_lists ();
    s_clean_env ();
    const char *files [] = {
        "capture.txt", "prec.env", "other.env", "empty.env", "badvalue.env", "syntax.env",
        "syntax2.env", "bad.env", "nul.env", "cwd-other.env", "config.log", "named.env", NULL
    };
    for (int i = 0; files [i]; i++)
        unlink (s_path (files [i]));
    if (chdir ("/") != 0 || rmdir (s_dir) != 0)
        fprintf (stderr, "could not remove %s\n", s_dir);
    return RS_TEST_DONE ();
}
