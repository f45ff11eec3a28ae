/*  rs_resume: the marks a durable subscriber resumes from after a restart,
    read back from its own SQLite file. The recorder keeps them in its
    streams table (rs_store), the uplink in its spool's marks table
    (rs_spool); both read them here, one (publisher, topic, epoch, mark) a
    row, and hand each to rs_sub_resume through the same callback. */
#ifndef RS_RESUME_H
#define RS_RESUME_H

#include <sqlite3.h>
#include <stdint.h>

//  One stream to resume: every seq up to `mark` of (pub, topic, epoch) is
//  already held.
typedef void (rs_resume_fn) (const char *pub, const char *topic, uint64_t epoch, uint64_t mark, void *arg);

//  Runs `select` on db, a SELECT of exactly (pub, topic, epoch, mark), and
//  calls fn for each row. Returns how many rows, or -1 when the statement
//  cannot be prepared or a step fails (sqlite3_errmsg (db) says why; the
//  rows before the failure were handed over).
int rs_resume_foreach (sqlite3 *db, const char *select, rs_resume_fn *fn, void *arg);

#endif
