/*  rs_audit: the alarm audit trail as the recorder keeps it (the audit view
    of the database, docs/STORAGE.md): every alarm transition and operator
    request with who, from where, when and why, read back for
    GET /api/audit, and the alarms lately back to normal for the bridge's
    history after a restart. Read-only; opens the database per query. */
#ifndef RS_AUDIT_H
#define RS_AUDIT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define RS_AUDIT_LIMIT_MAX 5000

typedef struct {
    int64_t since_us, until_us;     //  [since, until)
    const char *well;               //  NULL = every well
    const char *action;             //  NULL = every action
    long limit;                     //  1..RS_AUDIT_LIMIT_MAX
} rs_audit_query_t;

//  {"entries": [{ts_us, who, addr, action, alert_id, well, detail}...]},
//  newest first (fresh reference), or NULL with the reason recorded
//  (rs_errmsg); *status is then 503 (no database, or one older than the
//  audit trail) or 500.
json_t *rs_audit_read (const char *db_path, const rs_audit_query_t *q, int *status);

//  The last message of the `limit` alarms most recently back to normal
//  (alarm_state "normal"), oldest first, as the recorder stored them: what
//  the bridge lists as history after it restarts. Fresh array, or NULL with
//  the reason recorded (rs_errmsg).
json_t *rs_audit_recent_normal (const char *db_path, long limit);

#endif
