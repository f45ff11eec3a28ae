/*  rs_schema: the recorder's SQLite schema (docs/STORAGE.md) and its
    migrations. PRAGMA user_version holds the version; each migration brings
    it from i to i + 1 in one transaction with the version bump, so a failed
    one leaves the file as it was. Known channels (rs_channels) are columns;
    a channel added later gets its columns when the database is opened. */
#ifndef RS_SCHEMA_H
#define RS_SCHEMA_H

#include <sqlite3.h>

//  Schema version written to PRAGMA user_version.
#define RS_STORE_SCHEMA 4

//  These return SQLite result codes, not rs_err_t, as the store around them
//  does (its failure handling and logs speak SQLite's codes); on failure the
//  reason is recorded with rs_err_set, read with rs_errmsg ().

//  Runs SQL statements. Returns SQLITE_OK or the error.
int rs_schema_exec (sqlite3 *db, const char *sql);
//  Brings the schema of an open read-write database to RS_STORE_SCHEMA.
//  Returns SQLITE_OK or an error (a newer schema than this program's is
//  refused with SQLITE_ERROR).
int rs_schema_migrate (sqlite3 *db);
//  Adds the columns of known channels that samples, agg_1m or agg_1h lack.
//  Returns SQLITE_OK or an error.
int rs_schema_sync_columns (sqlite3 *db);

#endif
