/*  rs_alerts: the web bridge's memory of alerts, built from the live
    alert.<well> topic (docs/WEB.md, "Alerts"): the active ones, a bounded
    history of cleared ones, and operators' acknowledgements. Thread-safe
    (its own mutex: the loop feeds it, HTTP threads read and ack); no I/O.

    An engine that manages alarms (its messages carry alarm_state) owns
    their lifecycle: ids are unique across its restarts, an alarm stays in
    the active list until it is back to normal (cleared and acknowledged),
    and acknowledgements are the engine's (acked_by, ack_comment). The
    store is rebuilt from the engine's status at start (rs_alerts_seed).

    Other alerts are keyed by their alert_id within one engine incarnation
    (pub, epoch). A message from a newer incarnation of a publisher retires the
    old incarnation's active alerts to the history ("ended": "publisher
    restarted"): a stopped engine never clears them itself. */
#ifndef RS_ALERTS_H
#define RS_ALERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_ALERTS_ACTIVE_MAX  1000
#define RS_ALERTS_HISTORY_MAX 1000

typedef struct rs_alerts_t rs_alerts_t;

//  Returns a fresh store keeping at most history_max cleared alerts
//  (0 = RS_ALERTS_HISTORY_MAX), or NULL.
rs_alerts_t *rs_alerts_new (size_t history_max);
void rs_alerts_destroy (rs_alerts_t **self_p);

//  Feeds one alert message as a JSON object (the body's fields: alert_id,
//  well, state raised/updated/cleared, severity, type, rule, message,
//  channel, value, threshold, pub, epoch, ts...). Returns the alert as the
//  store now holds it, with "acked" and "active" (fresh reference, to
//  broadcast), or NULL when the message is not a usable alert (no positive
//  alert_id, no well); then *reason says why.
json_t *rs_alerts_feed (rs_alerts_t *self, const json_t *msg, const char **reason);

//  {"active":[...newest first], "history":[...newest first]}, optionally
//  only one well's (well NULL = all). Fresh reference.
json_t *rs_alerts_json (rs_alerts_t *self, const char *well);

//  Acknowledges an alert (active or in the history) at ts_us by `by`
//  (NULL or "" = "operator"). Returns the alert (fresh reference) or NULL
//  when no alert has that id.
json_t *rs_alerts_ack (rs_alerts_t *self, uint64_t alert_id, const char *by, int64_t ts_us);

//  The audit records of what the bridge did alone (acknowledgements of alerts
//  whose engine does not manage alarms), waiting to be published: push
//  takes rec (an object: action, by, addr, detail, well, alert_id); take
//  returns those waiting (a fresh array, possibly empty) and forgets them.
//  At most RS_ALERTS_AUDIT_MAX wait; push drops older ones beyond that.
#define RS_ALERTS_AUDIT_MAX 1000
void rs_alerts_audit_push (rs_alerts_t *self, json_t *rec);
json_t *rs_alerts_audit_take (rs_alerts_t *self);

//  Feeds the alarms an engine lists in its status (managed ones only).
//  Returns how many were taken.
size_t rs_alerts_seed (rs_alerts_t *self, const json_t *alarms);

//  Whether alert_id is known (*known) and managed by its engine.
bool rs_alerts_is_managed (rs_alerts_t *self, uint64_t alert_id, bool *known);

//  Number of active alerts.
size_t rs_alerts_active (rs_alerts_t *self);

#endif
