/*  rs_lvc: the broker's last-value cache. Keeps the latest body for each full
    topic so that a subscriber joining late gets the current state of every
    topic it subscribes to at once. Pure data structure, no I/O: an open
    addressing index over a dense array of entries (insertion order, which is
    also the replay order). The number of topics is capped; a new topic past
    the cap is refused (counted), existing topics keep updating. Only bodies
    that pass rs_decode, the check every SDK subscriber applies, are cached:
    an invalid one would be handed to every late joiner and rejected by each;
    refusals are counted by reason and the topic keeps its last valid body. */
#ifndef RS_LVC_H
#define RS_LVC_H

#include <stddef.h>
#include <stdint.h>

typedef struct rs_lvc_t rs_lvc_t;

typedef enum {
    RS_LVC_UPDATED = 0,   // topic was cached; its body replaced
    RS_LVC_ADDED,         // new topic cached
    RS_LVC_FULL,          // new topic refused: the cache holds max topics
    RS_LVC_INVALID,       // empty or too long topic
    RS_LVC_REJECTED,      // body fails rs_decode: not cached (rs_lvc_rejected)
    RS_LVC_NOMEM
} rs_lvc_result_t;

//  Called for each cached topic; return 0 to go on, -1 to stop.
typedef int (rs_lvc_fn) (const char *topic, size_t topic_len,
                         const void *body, size_t body_len, void *arg);

//  Returns a fresh cache for up to `max` topics (1..1000000), or NULL.
rs_lvc_t *rs_lvc_new (size_t max);
void rs_lvc_destroy (rs_lvc_t **self_p);

//  Stores a copy of body as the last value of topic (1..RS_MAX_TOPIC bytes).
rs_lvc_result_t rs_lvc_put (rs_lvc_t *self, const void *topic, size_t topic_len,
                            const void *body, size_t body_len);
//  The cached body of topic, or NULL; valid until the next put.
const void *rs_lvc_get (rs_lvc_t *self, const void *topic, size_t topic_len, size_t *body_len);
//  Calls fn for each cached topic starting with prefix (len 0 = all), oldest
//  first. Returns how many topics fn was called for.
size_t rs_lvc_foreach_prefix (rs_lvc_t *self, const void *prefix, size_t prefix_len,
                              rs_lvc_fn *fn, void *arg);

size_t rs_lvc_size (rs_lvc_t *self);
size_t rs_lvc_max (rs_lvc_t *self);
//  New topics refused because the cache was full.
uint64_t rs_lvc_refused (rs_lvc_t *self);
//  Messages not cached because rs_decode refused them, for one reason
//  (an rs_err_t, RS_E_TOPIC..RS_E_MISMATCH), or in all (reason RS_OK).
uint64_t rs_lvc_rejected (rs_lvc_t *self, int reason);
//  Why the last refused message was refused (rs_decoder_detail), "" if none.
const char *rs_lvc_reject_detail (rs_lvc_t *self);
//  Bytes held by cached bodies.
size_t rs_lvc_bytes (rs_lvc_t *self);

#endif
