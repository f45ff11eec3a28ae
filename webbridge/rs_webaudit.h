/*  rs_webaudit: the web bridge's audit trail. Every write request (who
    acknowledged an alarm, who changed a threshold) and every refused
    request is one JSON line in the audit file: time, event, method, path,
    client address, Origin, Host, how it was authenticated (write token,
    read token, the dashboard's X-Rigstream header, or nothing), status and
    the reason of a refusal. The file is opened for appending, never
    emptied; past `max_bytes` it is rotated (file -> file.1 ... file.keep,
    the oldest dropped), so it stays bounded. A flood of refusals cannot
    push the writes out: past RS_WEBAUDIT_REFUSALS_S refusal lines in one
    second the rest are counted in one "suppressed" line. Thread-safe. */
#ifndef RS_WEBAUDIT_H
#define RS_WEBAUDIT_H

#include <stddef.h>
#include <stdint.h>

#define RS_WEBAUDIT_REFUSALS_S 50

typedef struct {
    const char *event;              //  "write" (answered, whatever its status) or "refused"
    const char *method, *path, *query;
    const char *remote_addr, *origin, *host;
    const char *auth;               //  "write-token", "read-token", "wrong-token", "x-rigstream", "none"
    int status;
    const char *reason;             //  why refused; NULL for a write that went through
} rs_webaudit_entry_t;

typedef struct rs_webaudit_t rs_webaudit_t;

//  Opens (creating it and its directory) the audit file for appending.
//  Returns a fresh log, or NULL with the reason recorded (rs_errmsg).
rs_webaudit_t *rs_webaudit_new (const char *path, size_t max_bytes, int keep);
void rs_webaudit_destroy (rs_webaudit_t **self_p);

//  Appends one entry at now_us (and logs it: writes at INFO, refusals at
//  WARN at most once every 5 s, with the number suppressed). Returns 0, or -1 when the file could not
//  be written (logged).
int rs_webaudit_write (rs_webaudit_t *self, const rs_webaudit_entry_t *e, int64_t now_us);

//  Lines written and refusal lines suppressed so far.
void rs_webaudit_counts (rs_webaudit_t *self, uint64_t *lines, uint64_t *suppressed);

#endif
