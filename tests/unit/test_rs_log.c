/*  test_rs_log: level parsing, the line format on stderr and in a log file,
    truncation of long messages and rs_log_limited's suppression count. */
#include "rs_log.h"
#include "rs_test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static char s_dir [] = "/tmp/test_rs_log_XXXXXX";
static int s_saved_stderr = -1;
static char s_capture_path [128];

//  Sends fd 2 to a fresh file until s_capture_end; checks run after it.
static void
s_capture_begin (void)
{
    snprintf (s_capture_path, sizeof s_capture_path, "%s/stderr.txt", s_dir);
    fflush (stderr);
    s_saved_stderr = dup (STDERR_FILENO);
    int fd = open (s_capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2 (fd, STDERR_FILENO);
    close (fd);
}

static void
s_capture_end (char *buf, size_t size)
{
    fflush (stderr);
    dup2 (s_saved_stderr, STDERR_FILENO);
    close (s_saved_stderr);
    FILE *file = fopen (s_capture_path, "r");
    size_t len = file ? fread (buf, 1, size - 1, file) : 0;
    buf [len] = '\0';
    if (file)
        fclose (file);
}

static void
s_read_file (const char *path, char *buf, size_t size)
{
    FILE *file = fopen (path, "r");
    size_t len = file ? fread (buf, 1, size - 1, file) : 0;
    buf [len] = '\0';
    if (file)
        fclose (file);
}

static int
s_count_lines (const char *text)
{
    int lines = 0;
    for (; *text; text++)
        lines += *text == '\n';
    return lines;
}

//  "2026-11-23T10:15:02.123Z " shape, without caring about the time.
static bool
s_has_stamp (const char *line)
{
    if (strlen (line) < 25)
        return false;
    for (int i = 0; i < 24; i++) {
        char c = line [i];
        bool ok;
        switch (i) {
            case 4: case 7: ok = c == '-'; break;
            case 10: ok = c == 'T'; break;
            case 13: case 16: ok = c == ':'; break;
            case 19: ok = c == '.'; break;
            case 23: ok = c == 'Z'; break;
            default: ok = c >= '0' && c <= '9';
        }
        if (!ok)
            return false;
    }
    return line [24] == ' ';
}

static void
test_levels (void)
{
    RS_CHECK_INT (rs_log_level_parse ("error"), RS_LOG_ERROR);
    RS_CHECK_INT (rs_log_level_parse ("warn"), RS_LOG_WARN);
    RS_CHECK_INT (rs_log_level_parse ("info"), RS_LOG_INFO);
    RS_CHECK_INT (rs_log_level_parse ("debug"), RS_LOG_DEBUG);
    RS_CHECK_INT (rs_log_level_parse ("trace"), RS_LOG_TRACE);
    RS_CHECK_INT (rs_log_level_parse ("WARN"), RS_LOG_WARN);
    RS_CHECK_INT (rs_log_level_parse ("Debug"), RS_LOG_DEBUG);
    RS_CHECK_INT (rs_log_level_parse (""), -1);
    RS_CHECK_INT (rs_log_level_parse ("warning"), -1);
    RS_CHECK_INT (rs_log_level_parse ("info "), -1);
    RS_CHECK_INT (rs_log_level_parse (NULL), -1);
    for (int level = RS_LOG_ERROR; level <= RS_LOG_TRACE; level++)
        RS_CHECK_INT (rs_log_level_parse (rs_log_level_name ((rs_log_level_t) level)), level);
    RS_CHECK_STR (rs_log_level_name ((rs_log_level_t) 99), "unknown");
}

static void
test_defaults (void)
{
    //  Before rs_log_init: component "rigstream", threshold INFO.
    RS_CHECK (rs_log_enabled (RS_LOG_INFO));
    RS_CHECK (!rs_log_enabled (RS_LOG_DEBUG));
    char out [4096];
    s_capture_begin ();
    rs_info ("hello %d", 42);
    rs_debug ("not shown");
    rs_warn ("careful");
    s_capture_end (out, sizeof out);
    RS_CHECK_INT (s_count_lines (out), 2);
    RS_CHECK (s_has_stamp (out));
    RS_CHECK (strncmp (out + 24, " INFO  rigstream: hello 42\n", 27) == 0);
    char *second = strchr (out, '\n') + 1;
    RS_CHECK (s_has_stamp (second));
    RS_CHECK_STR (second + 24, " WARN  rigstream: careful\n");
}

static void
test_file_and_format (void)
{
    char path [128];
    snprintf (path, sizeof path, "%s/app.log", s_dir);
    //  O_APPEND: what is already there stays.
    FILE *seed = fopen (path, "w");
    fputs ("old line\n", seed);
    fclose (seed);

    char out [8192];
    s_capture_begin ();
    RS_CHECK_INT (rs_log_init ("comp", RS_LOG_WARN, path), 0);
    rs_info ("below threshold");
    rs_warn ("with newline\n");
    rs_error ("two\nlines\r\n\n");
    rs_log (RS_LOG_TRACE, "trace off");
    rs_log ((rs_log_level_t) 17, "bogus level");
    s_capture_end (out, sizeof out);

    char file [8192];
    s_read_file (path, file, sizeof file);
    RS_CHECK (strncmp (file, "old line\n", 9) == 0);
    const char *first = file + 9;
    RS_CHECK_INT (s_count_lines (file), 3);
    RS_CHECK (s_has_stamp (first));
    RS_CHECK (strncmp (first + 24, " WARN  comp: with newline\n", 26) == 0);
    const char *second = strchr (first, '\n') + 1;
    RS_CHECK_STR (second + 24, " ERROR comp: two lines\n");
    //  stderr got the same lines.
    RS_CHECK_STR (out, first);

    RS_CHECK (!rs_log_enabled (RS_LOG_INFO));
    RS_CHECK (rs_log_enabled (RS_LOG_ERROR));

    //  Long messages are cut to one bounded line ending in "...".
    char *big = malloc (10000);
    RS_CHECK (big != NULL);
    if (big) {
        memset (big, 'x', 9999);
        big [9999] = '\0';
        s_capture_begin ();
        rs_warn ("%s", big);
        s_capture_end (out, sizeof out);
        size_t len = strlen (out);
        RS_CHECK_INT (s_count_lines (out), 1);
        RS_CHECK (len > 1000 && len < 2048);
        RS_CHECK (len > 4 && strcmp (out + len - 4, "...\n") == 0);

        //  A cut never leaves half a UTF-8 sequence before the "...".
        for (size_t i = 0; i + 2 < 9999; i += 2)
            memcpy (big + i, "\xc3\xa9", 2);   // é
        big [9998] = '\0';
        s_capture_begin ();
        rs_warn ("%s", big);
        s_capture_end (out, sizeof out);
        len = strlen (out);
        RS_CHECK (len > 6 && strcmp (out + len - 4, "...\n") == 0);
        const char *tail = out + len - 6;      // the two bytes before "..."
        RS_CHECK (tail [0] == '\xc3' && tail [1] == '\xa9');
        free (big);
    }

    //  After close, lines go to stderr only.
    rs_log_close ();
    s_capture_begin ();
    rs_warn ("after close");
    s_capture_end (out, sizeof out);
    s_read_file (path, file, sizeof file);
    RS_CHECK (strstr (out, "after close") != NULL);
    RS_CHECK (strstr (file, "after close") == NULL);

    //  An unopenable file fails but stderr logging goes on.
    s_capture_begin ();
    int rc = rs_log_init ("comp2", RS_LOG_INFO, "/nonexistent-dir/x.log");
    rs_info ("still here");
    s_capture_end (out, sizeof out);
    RS_CHECK_INT (rc, -1);
    RS_CHECK (strstr (out, "ERROR comp2: cannot open log file /nonexistent-dir/x.log") != NULL);
    RS_CHECK (strstr (out, " INFO  comp2: still here\n") != NULL);

    //  Empty or NULL component falls back to "rigstream".
    s_capture_begin ();
    rs_log_init (NULL, RS_LOG_INFO, NULL);
    rs_info ("anon");
    s_capture_end (out, sizeof out);
    RS_CHECK (strstr (out, " INFO  rigstream: anon\n") != NULL);
}

static void
test_limited (void)
{
    char path [128];
    snprintf (path, sizeof path, "%s/limited.log", s_dir);
    char out [8192];
    char file [8192];
    rs_log_limit_t limit = { 0, 0 };

    s_capture_begin ();
    rs_log_init ("lim", RS_LOG_INFO, path);
    for (int i = 0; i < 5; i++)
        rs_log_limited (&limit, 60000, RS_LOG_WARN, "bad frame %d", i);
    s_capture_end (out, sizeof out);
    s_read_file (path, file, sizeof file);
    RS_CHECK_INT (s_count_lines (file), 1);
    RS_CHECK (strstr (file, " WARN  lim: bad frame 0\n") != NULL);
    RS_CHECK_INT (limit.suppressed, 4);

    //  Pretend the interval passed: the next line reports the count.
    limit.last_ms -= 60000;
    s_capture_begin ();
    rs_log_limited (&limit, 60000, RS_LOG_WARN, "bad frame %d", 5);
    rs_log_limited (&limit, 60000, RS_LOG_WARN, "bad frame %d", 6);
    s_capture_end (out, sizeof out);
    s_read_file (path, file, sizeof file);
    RS_CHECK_INT (s_count_lines (file), 2);
    RS_CHECK (strstr (file, " WARN  lim: bad frame 5 (4 similar suppressed)\n") != NULL);
    RS_CHECK_INT (limit.suppressed, 1);
    RS_CHECK_STR (out, strchr (file, '\n') + 1);

    //  A disabled level is neither printed nor counted.
    rs_log_limit_t quiet = { 0, 0 };
    rs_log_limited (&quiet, 60000, RS_LOG_DEBUG, "debug");
    rs_log_limited (&quiet, 60000, RS_LOG_DEBUG, "debug");
    RS_CHECK_INT (quiet.suppressed, 0);
    RS_CHECK_INT (quiet.last_ms, 0);

    //  The suffix survives truncation of a huge message.
    char *big = malloc (5000);
    RS_CHECK (big != NULL);
    if (big) {
        memset (big, 'y', 4999);
        big [4999] = '\0';
        limit.last_ms -= 60000;
        s_capture_begin ();
        rs_log_limited (&limit, 60000, RS_LOG_WARN, "%s", big);
        s_capture_end (out, sizeof out);
        RS_CHECK_INT (s_count_lines (out), 1);
        RS_CHECK (strstr (out, "yyy... (1 similar suppressed)\n") != NULL);
        free (big);
    }

    //  interval 0 never suppresses.
    rs_log_limit_t every = { 0, 0 };
    s_capture_begin ();
    rs_log_limited (&every, 0, RS_LOG_INFO, "a");
    rs_log_limited (&every, 0, RS_LOG_INFO, "b");
    s_capture_end (out, sizeof out);
    RS_CHECK_INT (s_count_lines (out), 2);
    rs_log_close ();
}

int
main (void)
{
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    test_levels ();
    test_defaults ();
    test_file_and_format ();
    test_limited ();
    const char *files [] = { "stderr.txt", "app.log", "limited.log", NULL };
    for (int i = 0; files [i]; i++) {
        char path [128];
        snprintf (path, sizeof path, "%s/%s", s_dir, files [i]);
        unlink (path);
    }
    rmdir (s_dir);
    return RS_TEST_DONE ();
}
