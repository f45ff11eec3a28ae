/*  rs_witsml: a streaming reader for WITSML 1.4.1.1 time logs (<logs><log>),
    and 1.3.1.1 ones. Reads logCurveInfo (mnemonic, unit, curveDescription,
    columnIndex, nullValue), the log's nullValue and indexCurve, and
    logData's mnemonicList and unitList (1.4; without them, 1.3.1, the
    columns are the logCurveInfos at their columnIndex), then hands out one
    data row at a time: real logs run to hundreds of MB, so the file is never
    loaded whole (libxml2's reader). */
#ifndef RS_WITSML_H
#define RS_WITSML_H

#include <stddef.h>
#include <stdint.h>

#include "rs_err.h"

typedef struct rs_witsml_t rs_witsml_t;

typedef struct {
    const char *mnemonic;
    const char *unit;       //  "" when the file gives none
    const char *description;    //  logCurveInfo's curveDescription, "" when none
} rs_witsml_curve_t;

//  Opens a log and reads up to its first data row. Returns NULL when the
//  file cannot be read or is not a WITSML time log, rs_errmsg () saying why
//  (file, what is wrong); rs_errcode () is RS_E_TYPE when the file is
//  well-formed XML of another kind (a depth-indexed log, a well or wellbore
//  object), RS_E_FORMAT or RS_E_IO when it is broken or unreadable.
rs_witsml_t *rs_witsml_open (const char *path);
void rs_witsml_close (rs_witsml_t **self_p);

//  The data columns, the index curve (time) first, then the others in the
//  file's order.
size_t rs_witsml_curves (rs_witsml_t *self, const rs_witsml_curve_t **curves);
//  The well's name (nameWell), and the wellbore's (nameWellbore), "" if absent.
const char *rs_witsml_well (rs_witsml_t *self);
const char *rs_witsml_wellbore (rs_witsml_t *self);
//  The log's name (the log's <name>, e.g. "GenTime"), "" if absent.
const char *rs_witsml_name (rs_witsml_t *self);

//  Reads the next row: *ts_us gets its time, values[i] (i >= 1, one per curve;
//  values[0] is unused) the numbers, NAN for blank cells, the file's
//  nullValue and cells that are not numbers (rs_witsml_bad_cells). Returns 1 for a row, 0 at the end, -1 on malformed or truncated
//  XML or a bad row (rs_witsml_error says what, with the row count reached).
int rs_witsml_next (rs_witsml_t *self, int64_t *ts_us, const double **values);
//  Why rs_witsml_next returned -1, "" before: the reader's own detail, as sqlite3_errmsg.
const char *rs_witsml_error (rs_witsml_t *self);
uint64_t rs_witsml_rows (rs_witsml_t *self);
//  Rows skipped because their time was invalid.
uint64_t rs_witsml_bad_rows (rs_witsml_t *self);
//  Cells read as blank because they were not numbers.
uint64_t rs_witsml_bad_cells (rs_witsml_t *self);

#endif
