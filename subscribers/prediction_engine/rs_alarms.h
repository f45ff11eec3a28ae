/*  rs_alarms: the engine's alarm book, the ISA-18.2 lifecycle on top of the
    detectors' raise / update / clear transitions. No sockets, no files, no
    clock: the engine feeds it transitions and operators' requests with
    their times, and persists what it returns (rs_alarms_state_json) so a
    restarted engine forgets nothing.

    An alarm point is well + type + rule. Each alarm in the book is in one
    of these states:
      unack_active   raised, not acknowledged
      ack_active     raised, acknowledged
      rtn_unack      returned to normal (cleared), not yet acknowledged: it
                     stays in the book until someone acknowledges it
      normal         cleared and acknowledged: it leaves the book
    A point may be shelved (for a limited time, with a reason; it expires by
    itself) or out of service (until put back, with a reason): its alarms
    are still tracked and published, marked so, but not annunciated.

    Ids: next_id survives restarts (in the state), so ids are never reused.
    Alarms that were active when the engine stopped are carried over: a
    detector that raises the same point again takes the old id back (the
    transition becomes an update); a carried alarm whose well has run
    recheck_s of sample time without it is cleared ("no longer holds").

    Floods (EEMUA 191): more than RS_ALARMS_FLOOD_N alarms raised on a well
    within RS_ALARMS_FLOOD_S put the well in a flood (flag on its alarms);
    an alarm raised with no other raise on its well in the previous
    RS_ALARMS_BURST_S is a burst's first-out. */
#ifndef RS_ALARMS_H
#define RS_ALARMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "rs_alert.h"
#include "rs_err.h"

#define RS_ALARMS_BY_MAX        64
#define RS_ALARMS_COMMENT_MAX   500
#define RS_ALARMS_REASON_MAX    200
#define RS_ALARMS_SHELVE_MAX_MIN 720
#define RS_ALARMS_FLOOD_N       10
#define RS_ALARMS_FLOOD_S       600
#define RS_ALARMS_BURST_S       60
//  Returned alarms nobody acknowledges (an unattended rig) are bounded: past
//  this many, the oldest leaves the book (action "dropped").
#define RS_ALARMS_RETURNED_MAX  1000

typedef struct rs_alarms_t rs_alarms_t;

//  Results of an operator's request.
typedef enum {
    RS_ALARMS_OK = 0,
    RS_ALARMS_UNKNOWN = -1,     // no alarm in the book has that id (404)
    RS_ALARMS_CONFLICT = -2,    // not allowed in the alarm's state (409)
    RS_ALARMS_INVALID = -3      // bad argument (400); the reason names the field
} rs_alarms_rc_t;

//  Returns a fresh empty book whose messages go to fn, or NULL.
rs_alarms_t *rs_alarms_new (rs_alert_fn *fn, void *arg);
void rs_alarms_destroy (rs_alarms_t **self_p);

//  The counter raised alerts are numbered from (for rs_alert_sink_t).
uint64_t *rs_alarms_next_id (rs_alarms_t *self);
//  For rs_alert_sink_t.claim: the id of a carried alarm of the same point.
uint64_t rs_alarms_claim (const rs_alert_t *alert, void *self);

//  A detector's transition: updates the book, completes the lifecycle fields
//  of a copy of *a and publishes it.
void rs_alarms_transition (rs_alarms_t *self, const rs_alert_t *a);

//  Operators' requests at now_us (wall clock), from `addr`. by: 1-64
//  characters; comment 0-500; reason 1-200; minutes 1-720. On an error,
//  the reason (naming the field) is recorded with rs_err_set (rs_errmsg). Each success publishes the
//  alarm with the action, who and from where.
rs_alarms_rc_t rs_alarms_ack (rs_alarms_t *self, uint64_t id, const char *by, const char *comment,
                              const char *addr, int64_t now_us);
rs_alarms_rc_t rs_alarms_shelve (rs_alarms_t *self, uint64_t id, const char *by, const char *reason,
                                 double minutes, const char *addr, int64_t now_us);
rs_alarms_rc_t rs_alarms_unshelve (rs_alarms_t *self, uint64_t id, const char *by, const char *addr,
                                   int64_t now_us);
rs_alarms_rc_t rs_alarms_out_of_service (rs_alarms_t *self, uint64_t id, const char *by, const char *reason,
                                         const char *addr, int64_t now_us);
rs_alarms_rc_t rs_alarms_in_service (rs_alarms_t *self, uint64_t id, const char *by, const char *addr,
                                     int64_t now_us);

//  Ends the shelves that expired by now_us (wall clock), publishing each.
void rs_alarms_expire (rs_alarms_t *self, int64_t now_us);
//  Clears the carried alarms of `well` that no detector took back within
//  recheck_s of the well's sample time since the restart.
void rs_alarms_recheck (rs_alarms_t *self, const char *well, int64_t ts_us, double recheck_s);

//  The book as the status command shows it: alarms (active and returned
//  unacknowledged), newest first. Fresh reference.
json_t *rs_alarms_json (const rs_alarms_t *self);
//  One alarm as in rs_alarms_json, also one that just left the book (its
//  last message); NULL when unknown. Fresh reference.
json_t *rs_alarms_alert_json (const rs_alarms_t *self, uint64_t id);
size_t rs_alarms_active (const rs_alarms_t *self);

//  What must survive a restart (next id, alarms, shelves, out-of-service
//  points) as a JSON document, and back. load replaces the book's content;
//  returns RS_OK or an error code with the reason (naming the place) recorded.
json_t *rs_alarms_state_json (const rs_alarms_t *self);
rs_err_t rs_alarms_load (rs_alarms_t *self, const json_t *doc);
//  True when the book changed since the last call (then it should be saved).
bool rs_alarms_take_dirty (rs_alarms_t *self);

//  Checks an operator's name: 1-64 characters, no control characters.
//  Returns RS_OK, or an error code with "<field>: <reason>" recorded.
rs_err_t rs_alarms_check_text (const char *field, const char *text, size_t min, size_t max);

#endif
