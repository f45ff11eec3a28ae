/*  rs_journal: a publisher's bounded replay journal. Keeps the most recent
    messages of each topic (by count and by bytes) so a durable subscriber can
    ask for a range it missed. Pure data structure, no sockets, no locking:
    rs_pub guards it with a mutex because its replay server runs in a thread. */
#ifndef RS_JOURNAL_H
#define RS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct rs_journal_t rs_journal_t;

//  Called for each journaled message in a range; return 0 to go on, -1 to stop.
typedef int (rs_journal_fn) (const char *topic, uint64_t seq, const void *body, size_t len,
                             void *arg);

//  Keeps at most max_msgs messages and max_bytes body bytes per topic.
rs_journal_t *rs_journal_new (size_t max_msgs, size_t max_bytes);
void rs_journal_destroy (rs_journal_t **self_p);

//  Appends a message. seq must follow the topic's last one; anything else
//  (a reset) starts the topic afresh. Returns 0, or -1 on out of memory
//  (the topic is then emptied, so ranges never have holes).
int rs_journal_put (rs_journal_t *self, const char *topic, uint64_t seq, const void *body,
                    size_t len);

//  Calls fn for every message of topic with from <= seq <= to that is still
//  held, at most `limit` of them, in order. *first and *last get the range
//  held for the topic (0, 0 when none). Returns how many were passed to fn.
size_t rs_journal_range (rs_journal_t *self, const char *topic, uint64_t from, uint64_t to,
                         size_t limit, rs_journal_fn *fn, void *arg, uint64_t *first,
                         uint64_t *last);

//  Totals over all topics, for heartbeats.
size_t rs_journal_messages (rs_journal_t *self);
size_t rs_journal_bytes (rs_journal_t *self);

#endif
