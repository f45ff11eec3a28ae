/*  rs_schema: the recorder's SQLite schema (docs/STORAGE.md) and its
    migrations. PRAGMA user_version holds the version; each migration brings
    it from i to i + 1 in one transaction with the version bump, so a failed
    one leaves the file as it was. Known channels (rs_channels) are columns;
    a channel added later gets its columns when the database is opened. */
#ifndef RS_SCHEMA_H
#define RS_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>

//  Schema version written to PRAGMA user_version.
#define RS_STORE_SCHEMA 4

//  Runs SQL statements; on failure writes SQLite's reason into err (may be
//  NULL). Returns SQLITE_OK or the error.
int rs_schema_exec (sqlite3 *db, const char *sql, char *err, size_t errsize);
//  Brings the schema of an open read-write database to RS_STORE_SCHEMA.
//  Returns SQLITE_OK, or an error with the reason in err (a newer schema
//  than this program's is refused with SQLITE_ERROR).
int rs_schema_migrate (sqlite3 *db, char *err, size_t errsize);
//  Adds the columns of known channels that samples, agg_1m or agg_1h lack.
//  Returns SQLITE_OK or an error with the reason in err.
int rs_schema_sync_columns (sqlite3 *db, char *err, size_t errsize);

#endif
