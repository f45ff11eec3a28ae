/*  rs_resume: resume marks read back from SQLite (see rs_resume.h). */
#include "rs_resume.h"

#include <stddef.h>

int
rs_resume_foreach (sqlite3 *db, const char *select, rs_resume_fn *fn, void *arg)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2 (db, select, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int n = 0, rc;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        fn ((const char *) sqlite3_column_text (st, 0), (const char *) sqlite3_column_text (st, 1),
            (uint64_t) sqlite3_column_int64 (st, 2), (uint64_t) sqlite3_column_int64 (st, 3), arg);
        n++;
    }
    sqlite3_finalize (st);
    return rc == SQLITE_DONE ? n : -1;
}
