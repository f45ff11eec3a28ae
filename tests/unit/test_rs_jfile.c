/*  Unit tests of rs_jfile, the replay journal on disk: records read back in
    order after a reopen, a torn last record cut off, whole segments dropped
    past the byte budget and the age, and the files removed after a clean
    end. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_jfile.h"
#include "rs_test.h"

typedef struct {
    int n;
    uint64_t first_seq, last_seq, epoch;
    char last_topic[64];
    char last_body[64];
} seen_t;

static int
s_seen (const char *topic, uint64_t epoch, uint64_t seq, const void *body, size_t len, void *arg)
{
    seen_t *s = arg;
    if (s->n++ == 0)
        s->first_seq = seq;
    s->last_seq = seq;
    s->epoch = epoch;
    snprintf (s->last_topic, sizeof s->last_topic, "%s", topic);
    snprintf (s->last_body, sizeof s->last_body, "%.*s", (int) len, (const char *) body);
    return 0;
}

static int
s_files (const char *dir)
{
    DIR *d = opendir (dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir (d)))
        n += strstr (e->d_name, ".jnl") != NULL;
    if (d)
        closedir (d);
    return n;
}

int
main (void)
{
    char dir[] = "/tmp/test_rs_jfile.XXXXXX";
    RS_CHECK (mkdtemp (dir) != NULL);
    char sub[64];
    snprintf (sub, sizeof sub, "%s/journal", dir);     //  created on open

    seen_t s = { 0 };
    rs_jfile_t *j = rs_jfile_open (sub, "wits0", 1 << 20, 3600LL * 1000000, s_seen, &s);
    RS_CHECK (j != NULL);
    RS_CHECK_INT (s.n, 0);
    for (uint64_t i = 1; i <= 100; i++) {
        char body[32];
        int n = snprintf (body, sizeof body, "body-%llu", (unsigned long long) i);
        RS_CHECK_INT (rs_jfile_append (j, "telemetry.W-1", 42, i, body, (size_t) n, 1000), 0);
    }
    RS_CHECK (rs_jfile_bytes (j) > 100 * 40);
    rs_jfile_close (&j, false);
    RS_CHECK (j == NULL);

    //  Read back in order; a crash mid-write leaves a torn record: cut off.
    char path[128];
    snprintf (path, sizeof path, "%s/wits0.1.jnl", sub);
    int fd = open (path, O_WRONLY | O_APPEND);
    RS_CHECK (fd >= 0 && write (fd, "RJNLtorn", 8) == 8);
    close (fd);
    s = (seen_t) { 0 };
    j = rs_jfile_open (sub, "wits0", 1 << 20, 3600LL * 1000000, s_seen, &s);
    RS_CHECK (j != NULL);
    RS_CHECK_INT (s.n, 100);
    RS_CHECK_INT (rs_jfile_loaded (j), 100);
    RS_CHECK_INT (s.first_seq, 1);
    RS_CHECK_INT (s.last_seq, 100);
    RS_CHECK_INT (s.epoch, 42);
    RS_CHECK_STR (s.last_topic, "telemetry.W-1");
    RS_CHECK_STR (s.last_body, "body-100");
    RS_CHECK_INT (rs_jfile_append (j, "event.W-1", 42, 1, "e", 1, 2000), 0);
    rs_jfile_close (&j, false);
    s = (seen_t) { 0 };
    j = rs_jfile_open (sub, "wits0", 1 << 20, 3600LL * 1000000, s_seen, &s);
    RS_CHECK_INT (s.n, 101);
    RS_CHECK_STR (s.last_topic, "event.W-1");
    //  Another publisher's files are not read.
    seen_t other = { 0 };
    rs_jfile_t *o = rs_jfile_open (sub, "wits0_mud", 1 << 20, 3600LL * 1000000, s_seen, &other);
    RS_CHECK_INT (other.n, 0);
    rs_jfile_close (&o, true);

    //  A clean end removes every segment.
    rs_jfile_close (&j, true);
    RS_CHECK_INT (s_files (sub), 0);

    //  The byte budget: whole segments (a quarter each) go, oldest first.
    j = rs_jfile_open (sub, "p", 40000, 3600LL * 1000000, NULL, NULL);
    char body[1000];
    memset (body, 'x', sizeof body);
    for (uint64_t i = 1; i <= 200; i++)
        rs_jfile_append (j, "telemetry.A", 1, i, body, sizeof body, 1000);
    RS_CHECK (rs_jfile_bytes (j) <= 40000 + 11000);
    rs_jfile_close (&j, false);
    s = (seen_t) { 0 };
    j = rs_jfile_open (sub, "p", 40000, 3600LL * 1000000, s_seen, &s);
    RS_CHECK (s.n > 20 && s.n < 60);
    RS_CHECK_INT (s.last_seq, 200);
    RS_CHECK_INT (s.last_seq - s.first_seq + 1, s.n);      //  the newest, contiguous
    //  The age: a segment whose newest record is too old goes at the next rotation.
    for (uint64_t i = 201; i <= 220; i++)
        rs_jfile_append (j, "telemetry.A", 1, i, body, sizeof body, 1000 + 7200LL * 1000000);
    rs_jfile_close (&j, false);
    s = (seen_t) { 0 };
    j = rs_jfile_open (sub, "p", 40000, 3600LL * 1000000, s_seen, &s);
    RS_CHECK (s.first_seq > 200);
    RS_CHECK_INT (s.last_seq, 220);
    rs_jfile_close (&j, true);
    RS_CHECK (rmdir (sub) == 0 && rmdir (dir) == 0);
    return RS_TEST_DONE ();
}
