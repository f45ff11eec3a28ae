/*  rs_subs: live subscriptions on the broker's XPUB side, as prefix →
    reference count. With ZMQ_XPUB_VERBOSER the broker sees every subscribe and
    every unsubscribe (including the ones libzmq generates when a subscriber
    disconnects), so the counts are the number of subscriber sockets holding
    each prefix. Pure data structure; a handful of prefixes is the normal
    case, so a linear array is enough. */
#ifndef RS_SUBS_H
#define RS_SUBS_H

#include <stddef.h>
#include <stdint.h>

typedef struct rs_subs_t rs_subs_t;

//  Called for each prefix with a live count; return 0 to go on, -1 to stop.
typedef int (rs_subs_fn) (const char *prefix, size_t len, uint64_t count, void *arg);

//  Returns a fresh table tracking up to max distinct prefixes, or NULL.
rs_subs_t *rs_subs_new (size_t max);
void rs_subs_destroy (rs_subs_t **self_p);

//  Records a subscription; returns the prefix's new count, or -1 when the
//  prefix is longer than RS_MAX_TOPIC or the table is full (counted as untracked).
int64_t rs_subs_add (rs_subs_t *self, const void *prefix, size_t len);
//  Records an unsubscription; returns the new count (the prefix is forgotten
//  at 0), or -1 if the prefix was not tracked.
int64_t rs_subs_remove (rs_subs_t *self, const void *prefix, size_t len);
//  Live count for a prefix (0 if none).
uint64_t rs_subs_count (rs_subs_t *self, const void *prefix, size_t len);
//  Sum of all live counts.
uint64_t rs_subs_total (rs_subs_t *self);
//  Distinct prefixes with a live count.
size_t rs_subs_size (rs_subs_t *self);
//  Subscriptions not tracked (too long or table full).
uint64_t rs_subs_untracked (rs_subs_t *self);
void rs_subs_foreach (rs_subs_t *self, rs_subs_fn *fn, void *arg);

#endif
