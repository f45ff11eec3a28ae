/*  Replay journal: bounds by count and bytes, ranges, resets. */
#include <stdlib.h>

#include "rs_journal.h"
#include "rs_test.h"

typedef struct {
    uint64_t seqs[64];
    size_t n;
    size_t bytes;
} seen_t;

static int
collect (const char *topic, uint64_t seq, const void *body, size_t len, void *arg)
{
    (void) topic;
    seen_t *s = arg;
    //  Each test body holds its own seq as text, so content is checked too.
    char want[32];
    snprintf (want, sizeof want, "m%llu", (unsigned long long) seq);
    if (len != strlen (want) || memcmp (body, want, len) != 0)
        return -1;
    if (s->n < 64)
        s->seqs[s->n++] = seq;
    s->bytes += len;
    return 0;
}

static void
put (rs_journal_t *j, const char *topic, uint64_t seq)
{
    char body[32];
    snprintf (body, sizeof body, "m%llu", (unsigned long long) seq);
    RS_CHECK_INT (rs_journal_put (j, topic, seq, body, strlen (body)), 0);
}

int
main (void)
{
    rs_journal_t *j = rs_journal_new (100, 1 << 20);
    uint64_t first, last;
    seen_t s = { 0 };
    RS_CHECK_INT (rs_journal_range (j, "t", 1, 10, 100, collect, &s, &first, &last), 0);
    RS_CHECK_INT (first, 0);
    //  Count bound: 250 puts keep the last 100 (151..250), across ring growth.
    for (uint64_t q = 1; q <= 250; q++)
        put (j, "t", q);
    RS_CHECK_INT (rs_journal_messages (j), 100);
    s.n = 0;
    RS_CHECK_INT (rs_journal_range (j, "t", 1, 1000, 10, collect, &s, &first, &last), 10);
    RS_CHECK_INT (first, 151);
    RS_CHECK_INT (last, 250);
    RS_CHECK_INT (s.seqs[0], 151);
    RS_CHECK_INT (s.seqs[9], 160);
    s.n = 0;
    RS_CHECK_INT (rs_journal_range (j, "t", 200, 205, 100, collect, &s, &first, &last), 6);
    RS_CHECK_INT (s.seqs[5], 205);
    //  A second topic is separate.
    put (j, "u", 7);
    s.n = 0;
    RS_CHECK_INT (rs_journal_range (j, "u", 1, 100, 100, collect, &s, &first, &last), 1);
    RS_CHECK_INT (first, 7);
    //  A seq that does not follow (publisher reset) starts the topic afresh.
    put (j, "u", 1);
    RS_CHECK_INT (rs_journal_range (j, "u", 1, 100, 100, collect, &s, &first, &last), 1);
    RS_CHECK_INT (first, 1);
    RS_CHECK_INT (last, 1);
    rs_journal_destroy (&j);
    RS_CHECK (j == NULL);

    //  Byte bound: bodies of 4-5 bytes, 40 bytes max keeps 8-10 messages.
    j = rs_journal_new (1000, 40);
    for (uint64_t q = 1; q <= 500; q++)
        put (j, "t", q);
    RS_CHECK (rs_journal_bytes (j) <= 40);
    s.n = 0;
    s.bytes = 0;
    rs_journal_range (j, "t", 1, 1000, 1000, collect, &s, &first, &last);
    RS_CHECK_INT (last, 500);
    RS_CHECK_INT (s.n, last - first + 1);
    RS_CHECK_INT (s.bytes, rs_journal_bytes (j));
    rs_journal_destroy (&j);
    return RS_TEST_DONE ();
}
