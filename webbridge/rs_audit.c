/*  rs_audit: reading the audit view (see rs_audit.h). */
#include "rs_audit.h"

#include <sqlite3.h>
#include <stdio.h>

#include "rs_err.h"

static json_t *
s_column (sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type (st, i)) {
    case SQLITE_INTEGER:
        return json_integer ((json_int_t) sqlite3_column_int64 (st, i));
    case SQLITE_TEXT:
        return json_string ((const char *) sqlite3_column_text (st, i));
    default:
        return json_null ();
    }
}

//  The saver's database, read-only, with a busy timeout; NULL when it
//  cannot be opened.
static sqlite3 *
s_open (const char *db_path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close (db);
        return NULL;
    }
    sqlite3_busy_timeout (db, 2000);
    return db;
}

json_t *
rs_audit_read (const char *db_path, const rs_audit_query_t *q, int *status)
{
    static const char *cols[] = { "ts_us", "who", "addr", "action", "alert_id", "well", "detail" };
    sqlite3 *db = s_open (db_path);
    sqlite3_stmt *st = NULL;
    json_t *out = NULL;
    *status = 503;
    if (!db) {
        rs_err_set (RS_E_IO, "no database at %s yet (is the saver running?)", db_path);
        goto done;
    }
    int rc = sqlite3_prepare_v2 (db,
        "SELECT ts_us, who, addr, action, alert_id, well, detail FROM audit"
        " WHERE ts_us >= ?1 AND ts_us < ?2 AND (?3 IS NULL OR well = ?3) AND (?4 IS NULL OR action = ?4)"
        " ORDER BY ts_us DESC LIMIT ?5", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        rs_err_set (RS_E_IO, "the database has no audit trail yet (%s): the saver adds it when it starts",
                    sqlite3_errmsg (db));
        goto done;
    }
    sqlite3_bind_int64 (st, 1, q->since_us);
    sqlite3_bind_int64 (st, 2, q->until_us);
    if (q->well)
        sqlite3_bind_text (st, 3, q->well, -1, SQLITE_STATIC);
    if (q->action)
        sqlite3_bind_text (st, 4, q->action, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (st, 5, q->limit);
    json_t *entries = json_array ();
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        json_t *e = json_object ();
        for (int i = 0; i < 7; i++)
            json_object_set_new (e, cols[i], s_column (st, i));
        json_array_append_new (entries, e);
    }
    if (rc != SQLITE_DONE) {
        *status = 500;
        rs_err_set (RS_E_IO, "reading the audit trail: %s", sqlite3_errmsg (db));
        json_decref (entries);
        goto done;
    }
    out = json_pack ("{s:o}", "entries", entries);
    *status = 200;
done:
    sqlite3_finalize (st);
    sqlite3_close (db);
    return out;
}

json_t *
rs_audit_recent_normal (const char *db_path, long limit)
{
    sqlite3 *db = s_open (db_path);
    sqlite3_stmt *st = NULL;
    json_t *out = NULL;
    if (!db) {
        rs_err_set (RS_E_IO, "no database at %s", db_path);
        goto done;
    }
    if (sqlite3_prepare_v2 (db,
            "SELECT w.name, x.ts, x.body FROM alerts x JOIN wells w ON w.id = x.well"
            " WHERE json_extract (x.body, '$.alarm_state') = 'normal' ORDER BY x.ts DESC LIMIT ?1", -1, &st, NULL)
        != SQLITE_OK) {
        rs_err_set (RS_E_IO, "%s", sqlite3_errmsg (db));
        goto done;
    }
    sqlite3_bind_int64 (st, 1, limit);
    out = json_array ();
    int rc;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        json_t *body = json_loads ((const char *) sqlite3_column_text (st, 2), 0, NULL);
        if (!json_is_object (body)) {
            json_decref (body);
            continue;
        }
        json_object_set_new (body, "well", json_string ((const char *) sqlite3_column_text (st, 0)));
        json_object_set_new (body, "ts", json_integer ((json_int_t) sqlite3_column_int64 (st, 1)));
        json_array_insert_new (out, 0, body);
    }
    if (rc != SQLITE_DONE) {
        rs_err_set (RS_E_IO, "%s", sqlite3_errmsg (db));
        json_decref (out);
        out = NULL;
    }
done:
    sqlite3_finalize (st);
    sqlite3_close (db);
    return out;
}
