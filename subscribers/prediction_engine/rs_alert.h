/*  rs_alert: what the prediction engine says about a well, and the lifecycle
    every alert goes through: raised, updated (severity change or periodic
    refresh), cleared. rs_alarm_t is that lifecycle as a small state machine
    fed a condition per sample (on, off or unknown) with minimum on and off
    durations, so a noisy condition does not flap. Detectors, threshold rules
    and the anomaly detector all use it; the engine numbers the alerts. */
#ifndef RS_ALERT_H
#define RS_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    RS_SEV_INFO = 0,
    RS_SEV_WARNING,
    RS_SEV_CRITICAL,
    RS_SEV_COUNT
} rs_severity_t;

typedef enum {
    RS_ALERT_NONE = 0,      // no transition this sample
    RS_ALERT_RAISED,
    RS_ALERT_UPDATED,
    RS_ALERT_CLEARED
} rs_alert_state_t;

//  "info", "warning", "critical"; "raised", "updated", "cleared".
const char *rs_severity_name (int severity);
//  Severity for a name, or -1.
int rs_severity_lookup (const char *name);
const char *rs_alert_state_name (int state);

//  One alert transition, as published on alert.<well>.
typedef struct {
    uint64_t alert_id;
    const char *well;
    const char *type;           // detector name or "threshold"
    const char *rule;           // threshold rule name, else NULL
    rs_alert_state_t state;
    rs_severity_t severity;
    const char *message;        // for an operator
    const char *channel;        // the channel (or KPI) concerned, or NULL
    double value;               // current value of that quantity; NaN = nil
    double threshold;           // threshold crossed; NaN = none
    int64_t started_us;         // when the alert was raised
    int64_t ts_us;              // sample time of this transition
    const char *rig_state;      // rig state at the transition
    //  The alarm's lifecycle (rs_alarms), filled in by the engine; NULL
    //  alarm_state = not managed (bench, unit tests of detectors).
    const char *alarm_state;    // unack_active, ack_active, rtn_unack, normal
    const char *acked_by;       // NULL = not acknowledged
    const char *ack_comment;
    int64_t acked_us;
    int64_t shelved_until_us;   // 0 = not shelved
    bool out_of_service;
    bool first_out;             // first alarm of a burst on its well
    bool flood;                 // the well is in an alarm flood
    //  What caused this message, for the audit trail (NULL = a periodic update).
    const char *action;         // raise, clear, ack, shelve, unshelve, shelve_expired, ...
    const char *by;             // operator, or "engine"
    const char *addr;           // the operator's client address, or NULL
    const char *detail;         // comment or reason, or NULL
} rs_alert_t;

//  A quantity in an operator message: "<number> <unit>" where the unit is one
//  the suite displays differently in another unit system (bar, L/min...).
typedef struct {
    double value;
    const char *unit;           // static (rs_units_displayed)
    int decimals;               // digits after the point as written
    bool plus;                  // written with an explicit "+"
} rs_alert_qty_t;

#define RS_ALERT_QTY_MAX 8

//  Splits an operator message into a template, where the i-th quantity is
//  "{i}", and the quantities, so a reader can show them in its own units
//  (docs/PROTOCOL.md, message_template). Returns how many (at most max); 0
//  when there are none, the message holds braces or tpl is too small.
size_t rs_alert_template (const char *msg, char *tpl, size_t tpl_size, rs_alert_qty_t *q, size_t max);

//  Where transitions go. next_id numbers raised alerts (1, 2, 3...); claim,
//  when set, may hand a raised alert the id an alarm of the same point had
//  before the engine restarted (0 = none: a new id).
typedef void (rs_alert_fn) (const rs_alert_t *alert, void *arg);
typedef uint64_t (rs_alert_claim_fn) (const rs_alert_t *alert, void *arg);
typedef struct {
    rs_alert_fn *fn;
    void *arg;
    uint64_t *next_id;
    rs_alert_claim_fn *claim;
    const char *well;           // filled in on each emitted alert
    const char *rig_state;      // filled in on each emitted alert
} rs_alert_sink_t;

typedef enum {
    RS_COND_OFF = 0,
    RS_COND_ON = 1,
    RS_COND_UNKNOWN = -1        // cannot tell (data missing, not applicable): hold
} rs_cond_t;

typedef struct {
    double on_s;                // condition on this long before raising (0 = at once)
    double off_s;               // condition off this long before clearing
    double update_s;            // periodic "updated" while raised; 0 = only on severity changes
    double stale_s;             // condition unknown this long clears the alert; 0 = never
} rs_alarm_cfg_t;

typedef struct {
    bool raised;
    uint64_t id;
    int64_t on_since;           // INT64_MIN when the condition is not pending on
    int64_t off_since;          // INT64_MIN when not pending off
    int64_t unknown_since;
    int64_t started_us;
    int64_t last_emit_us;
    rs_severity_t severity;
    bool stale;                 // the last clear was for lack of data
} rs_alarm_t;

void rs_alarm_init (rs_alarm_t *self);
//  Advances the lifecycle by one sample at ts_us. severity is the severity
//  the condition has now (used when raised or to escalate/de-escalate).
//  Returns the transition to publish, or RS_ALERT_NONE.
rs_alert_state_t rs_alarm_step (rs_alarm_t *self, const rs_alarm_cfg_t *cfg, int64_t ts_us,
                                rs_cond_t cond, rs_severity_t severity);
//  Forces a clear (rule removed, well reset). Returns RS_ALERT_CLEARED if the
//  alarm was raised, else RS_ALERT_NONE.
rs_alert_state_t rs_alarm_clear (rs_alarm_t *self, int64_t ts_us);

//  Fills the id (on RS_ALERT_RAISED, from sink->next_id), started_us,
//  state, severity, ts, well and rig_state of *alert from the alarm and sends it
//  to the sink. Does nothing for RS_ALERT_NONE.
void rs_alert_emit (const rs_alert_sink_t *sink, rs_alarm_t *alarm, rs_alert_state_t transition,
                    int64_t ts_us, rs_alert_t *alert);

#endif
