/*  rs_logset: the logs of one wellbore, opened, mapped and merged. Each
    path is a WITSML 1.4 time log or a directory (its *.xml and those of its
    folders, as a store exports a wellbore, in path order);
    every log is read by rs_witsml (streaming), its curves mapped by
    rs_chanmap (alias table, description fallback, unit conversion, one curve
    per channel) and its rows fed, converted, to rs_logmerge. The files of
    one log (the same <name> and curves: a store cuts a long log into parts)
    make one source of the merge, read one after another in time order, so
    a wellbore of hundreds of files keeps one file open per log. */
#ifndef RS_LOGSET_H
#define RS_LOGSET_H

#include <stddef.h>
#include <stdint.h>

#include "rs_chanmap.h"
#include "rs_logmerge.h"
#include "rs_witsml.h"

#define RS_LOGSET_MAX_FILES 4096

typedef struct rs_logset_t rs_logset_t;

//  Opens the logs. Returns NULL, rs_errmsg () saying why, when a path cannot
//  be read, a directory holds no time log, a file is not a WITSML time log,
//  there are more than RS_LOGSET_MAX_FILES files or RS_LOGMERGE_MAX_SOURCES
//  different logs, or the logs name different wells or wellbores (nameWell,
//  nameWellbore). A directory's files that are WITSML of another kind
//  (depth-indexed logs, well objects) are passed over.
rs_logset_t *rs_logset_open (const char *const *paths, size_t n);
void rs_logset_destroy (rs_logset_t **self_p);

//  How many files, and each one's path, log name (its <name>, "" when
//  absent) and settled curve map (map[i] for the file's curve i; map[0],
//  the index, unused).
size_t rs_logset_count (const rs_logset_t *self);
const char *rs_logset_path (const rs_logset_t *self, size_t i);
const char *rs_logset_name (const rs_logset_t *self, size_t i);
const rs_chanmap_t *rs_logset_map (const rs_logset_t *self, size_t i, size_t *n);
//  A file's rows read so far, those skipped for a bad time, and those left
//  out as no later than the row before (its own, or the end of the log's
//  previous file where the two overlap).
uint64_t rs_logset_rows (const rs_logset_t *self, size_t i);
uint64_t rs_logset_bad_rows (const rs_logset_t *self, size_t i);
uint64_t rs_logset_dropped (const rs_logset_t *self, size_t i);
//  How many sources the merge has (one per log), and the one a file feeds.
size_t rs_logset_sources (const rs_logset_t *self);
size_t rs_logset_source (const rs_logset_t *self, size_t i);
//  How many files a source reads (0: no such source), the earliest into *first.
size_t rs_logset_source_files (const rs_logset_t *self, size_t g, size_t *first);
//  The merge over every log (rs_logmerge_next gives the stream).
rs_logmerge_t *rs_logset_merge (const rs_logset_t *self);
//  The directory files passed over (the first 8), each with why
//  ("path: indexType 'measured depth': not a time log ..."), and how many
//  were passed over in all.
size_t rs_logset_skipped_count (const rs_logset_t *self);
const char *rs_logset_skipped (const rs_logset_t *self, size_t i);
size_t rs_logset_passed_over (const rs_logset_t *self);
//  The wells' nameWell, "" when no log gives one.
const char *rs_logset_well (const rs_logset_t *self);
//  The error of the log whose reading failed (after rs_logmerge_next
//  returned -1), "" when none: the set's own detail, as sqlite3_errmsg.
const char *rs_logset_error (const rs_logset_t *self);

#endif
