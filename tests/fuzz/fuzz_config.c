/*  libFuzzer harness for rs_config's .env handling: the input bytes become a
    .env file read through rs_config_load (--env-file), so reading, line
    parsing and typed validation are all exercised. Every input must end in 0
    or -1, never a crash, and an accepted load must satisfy the table's types.
    The parser reports bad lines on stderr; run with -close_fd_mask=2 to keep
    the fuzzer's output readable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_config.h"
#include "rs_log.h"

static const rs_option_t s_table [] = {
    RS_OPTIONS_BROKER_CLIENT,
    { "name", "FUZZ_NAME", RS_OPT_STRING, "x", "a string", 0, 0 },
    { "ratio", "FUZZ_RATIO", RS_OPT_DOUBLE, "0.5", "a bounded number", 0, 1 },
    { "verbose", "FUZZ_VERBOSE", RS_OPT_BOOL, NULL, "a switch", 0, 0 },
    RS_OPTION_END
};

static char s_path [] = "/tmp/fuzz_config_XXXXXX";
static int s_fd = -1;

static void
s_cleanup (void)
{
    if (s_fd >= 0) {
        close (s_fd);
        unlink (s_path);
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (s_fd < 0) {
        s_fd = mkstemp (s_path);
        if (s_fd < 0)
            abort ();
        atexit (s_cleanup);
        //  Only the input may decide the outcome.
        for (size_t i = 0; s_table [i].flag; i++)
            if (s_table [i].env)
                unsetenv (s_table [i].env);
        unsetenv ("LOG_LEVEL");
        unsetenv ("LOG_FILE");
        unsetenv ("RIGSTREAM_ENV_FILE");
    }
    if (ftruncate (s_fd, 0) != 0 || (size > 0 && pwrite (s_fd, data, size, 0) != (ssize_t) size))
        abort ();

    rs_config_t *config = rs_config_new ("fuzz", NULL, s_table, NULL);
    if (!config)
        abort ();
    char *argv [] = { "fuzz", "--env-file", s_path, NULL };
    int rc = rs_config_load (config, 3, argv);
    if (rc != RS_OK && rc != RS_E_CONFIG)
        abort ();
    if (rc == RS_OK) {
        long port = rs_config_int (config, "frontend-port");
        double ratio = rs_config_double (config, "ratio");
        if (port < 1 || port > 65535 || !(ratio >= 0 && ratio <= 1))
            abort ();
        if (rs_log_level_parse (rs_config_str (config, "log-level")) < 0)
            abort ();
        const char *frontend = rs_config_str (config, "frontend");
        if (*frontend && strncmp (frontend, "tcp://", 6) != 0 && strncmp (frontend, "ipc://", 6) != 0
        &&  strncmp (frontend, "inproc://", 9) != 0)
            abort ();
        char endpoint [256];
        rs_config_broker_endpoint (config, false, endpoint, sizeof endpoint);
        (void) rs_config_bool (config, "verbose");
        (void) rs_config_source (config, "name");
    }
    rs_config_destroy (&config);
    return 0;
}
