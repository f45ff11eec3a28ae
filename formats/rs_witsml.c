/*  rs_witsml: libxml2's xmlTextReader walks the document; we keep only the
    element path we are in and the text of the few elements we need. */
#include "rs_witsml.h"

#include <libxml/xmlreader.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rs_clock.h"

#define MAX_CURVES 1024

struct rs_witsml_t {
    xmlTextReaderPtr reader;
    char path[512];
    char well[128];
    char wellbore[128];
    char name[128];
    char index_type[64];    //  the log's indexType, "" when absent
    char index_curve[128];  //  the log's indexCurve, "" when absent
    char direction[32];     //  the log's direction, "" when absent
    double null_value;
    bool have_null;
    //  The columns of the rows: logData's mnemonicList / unitList (1.4), or
    //  the logCurveInfos in columnIndex order (1.3.1, which has no lists).
    rs_witsml_curve_t curves[MAX_CURVES];
    char *names[MAX_CURVES];
    char *units[MAX_CURVES];
    double nulls[MAX_CURVES];   //  a column's own null value, NaN: none
    size_t n_curves;
    size_t index_col;           //  the file's column of the index curve (curves[0])
    //  From logCurveInfo: units (for files without a unitList),
    //  descriptions, column (1.3.1) and null value by mnemonic.
    char *info_mnem[MAX_CURVES];
    char *info_unit[MAX_CURVES];
    char *info_desc[MAX_CURVES];
    long info_col[MAX_CURVES];  //  columnIndex, 0 when absent
    double info_null[MAX_CURVES];
    size_t n_info;
    double values[MAX_CURVES];
    uint64_t rows;
    uint64_t bad_rows;
    uint64_t bad_cells;
    bool failed;            //  the XML broke after the last row handed out
    char error[800];
};

__attribute__ ((format (printf, 2, 3))) static void
s_error (rs_witsml_t *self, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    char what[200];
    vsnprintf (what, sizeof what, fmt, args);
    va_end (args);
    snprintf (self->error, sizeof self->error, "%s: %s (after %llu data rows)", self->path, what,
              (unsigned long long) self->rows);
}

static bool
s_is (xmlTextReaderPtr r, const char *name)
{
    const xmlChar *local = xmlTextReaderConstLocalName (r);
    return local && strcmp ((const char *) local, name) == 0;
}

//  The text content of the element the reader is on (fresh string), or NULL.
static char *
s_text (xmlTextReaderPtr r)
{
    if (xmlTextReaderIsEmptyElement (r))
        return strdup ("");
    xmlChar *t = xmlTextReaderReadString (r);
    if (!t)
        return strdup ("");
    char *copy = strdup ((const char *) t);
    xmlFree (t);
    return copy;
}

//  Splits a comma list into up to max fresh strings; returns the count.
static size_t
s_split (const char *list, char **out, size_t max)
{
    size_t n = 0;
    const char *p = list;
    while (n < max) {
        const char *comma = strchr (p, ',');
        size_t len = comma ? (size_t) (comma - p) : strlen (p);
        while (len && (p[0] == ' ' || p[0] == '\t')) {
            p++;
            len--;
        }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        out[n] = strndup (p, len);
        if (!out[n])
            break;
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    return n;
}

//  The logCurveInfo index of a mnemonic, or -1.
static int
s_info (rs_witsml_t *self, const char *mnemonic)
{
    for (size_t i = 0; i < self->n_info; i++)
        if (strcmp (self->info_mnem[i], mnemonic) == 0)
            return (int) i;
    return -1;
}

//  A number in text; NaN when it is not one.
static double
s_number (const char *t)
{
    char *end = NULL;
    double v = t ? strtod (t, &end) : NAN;
    while (end && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    return t && end != t && end && !*end ? v : NAN;
}

//  Reads a logCurveInfo element: its mnemonic, unit, curveDescription,
//  columnIndex and nullValue.
static void
s_curve_info (rs_witsml_t *self)
{
    int depth = xmlTextReaderDepth (self->reader);
    char *mnem = NULL, *unit = NULL, *desc = NULL;
    double col = NAN, null = NAN;
    while (xmlTextReaderRead (self->reader) == 1 && xmlTextReaderDepth (self->reader) > depth) {
        if (xmlTextReaderNodeType (self->reader) != XML_READER_TYPE_ELEMENT)
            continue;
        if (s_is (self->reader, "mnemonic") && !mnem)
            mnem = s_text (self->reader);
        else if (s_is (self->reader, "unit") && !unit)
            unit = s_text (self->reader);
        else if (s_is (self->reader, "curveDescription") && !desc)
            desc = s_text (self->reader);
        else if (s_is (self->reader, "columnIndex") || s_is (self->reader, "nullValue")) {
            bool is_col = s_is (self->reader, "columnIndex");
            char *t = s_text (self->reader);
            *(is_col ? &col : &null) = s_number (t);
            free (t);
        }
    }
    if (mnem && self->n_info < MAX_CURVES) {
        self->info_mnem[self->n_info] = mnem;
        self->info_unit[self->n_info] = unit ? unit : strdup ("");
        self->info_desc[self->n_info] = desc ? desc : strdup ("");
        self->info_col[self->n_info] = col >= 1 && col <= MAX_CURVES && col == floor (col) ? (long) col : 0;
        self->info_null[self->n_info] = null;
        self->n_info++;
    }
    else {
        free (mnem);
        free (unit);
        free (desc);
    }
}

//  The text of the log's own child element `name` into buf, the first one
//  only; false when the reader is not on it.
static bool
s_child_text (rs_witsml_t *self, const char *name, int log_depth, char *buf, size_t size)
{
    if (buf[0] || !s_is (self->reader, name) || xmlTextReaderDepth (self->reader) != log_depth + 1)
        return false;
    char *t = s_text (self->reader);
    snprintf (buf, size, "%s", t ? t : "");
    free (t);
    return true;
}

//  WITSML 1.3.1 has no mnemonicList: the rows' columns are the logCurveInfos,
//  each at its columnIndex (1 for the first). With `check` only says whether
//  they say so (every one a columnIndex, 1 to their count, none twice);
//  otherwise fills self->names in that order and returns how many.
static size_t
s_by_column (rs_witsml_t *self, bool check)
{
    if (self->n_info < 2)
        return 0;
    int at[MAX_CURVES];
    for (size_t c = 0; c < self->n_info; c++)
        at[c] = -1;
    for (size_t i = 0; i < self->n_info; i++) {
        long c = self->info_col[i] - 1;
        if (c < 0 || (size_t) c >= self->n_info || at[c] >= 0)
            return 0;
        at[c] = (int) i;
    }
    if (check)
        return self->n_info;
    size_t n = 0;
    for (size_t c = 0; c < self->n_info; c++) {
        self->names[n] = strdup (self->info_mnem[at[c]]);
        if (!self->names[n])
            break;
        n++;
    }
    return n;
}

//  The curves as the reader hands them out: the index curve first (the
//  log's indexCurve, else the first column), then the others in the
//  file's order, each with its unit (unitList, else logCurveInfo's),
//  description and null value.
static void
s_describe (rs_witsml_t *self, size_t n_units)
{
    self->index_col = 0;
    for (size_t c = 0; self->index_curve[0] && c < self->n_curves; c++)
        if (strcmp (self->names[c], self->index_curve) == 0) {
            self->index_col = c;
            break;
        }
    char *names[MAX_CURVES], *units[MAX_CURVES];
    for (size_t c = 0; c < self->n_curves; c++) {
        int info = s_info (self, self->names[c]);
        size_t slot = c == self->index_col ? 0 : c < self->index_col ? c + 1 : c;
        names[slot] = self->names[c];
        units[slot] = c < n_units ? self->units[c] : strdup (info >= 0 ? self->info_unit[info] : "");
        self->nulls[slot] = info >= 0 ? self->info_null[info] : NAN;
        self->curves[slot].description = info >= 0 && self->info_desc[info] ? self->info_desc[info] : "";
    }
    for (size_t i = 0; i < self->n_curves; i++) {
        self->names[i] = names[i];
        self->units[i] = units[i];
        self->curves[i].mnemonic = names[i];
        self->curves[i].unit = units[i] ? units[i] : "";
    }
}

rs_witsml_t *
rs_witsml_open (const char *path)
{
    rs_witsml_t *self = calloc (1, sizeof *self);
    if (!self) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
    snprintf (self->path, sizeof self->path, "%s", path);
    self->null_value = NAN;
    //  No network access, no entity expansion: a log is data, not a program.
    self->reader = xmlReaderForFile (path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR
                                     | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
    if (!self->reader) {
        rs_err_set (RS_E_IO, "%s: cannot open", path);
        free (self);
        return NULL;
    }
    char *mnemonics = NULL, *units = NULL;
    int rc;
    bool in_log = false, at_data = false;
    int log_depth = 0;
    while (!at_data && (rc = xmlTextReaderRead (self->reader)) == 1) {
        if (xmlTextReaderNodeType (self->reader) != XML_READER_TYPE_ELEMENT)
            continue;
        if (s_is (self->reader, "log") && !in_log) {
            in_log = true;
            log_depth = xmlTextReaderDepth (self->reader);
        }
        else if (!in_log)
            continue;
        else if (s_child_text (self, "nameWell", log_depth, self->well, sizeof self->well)
                 || s_child_text (self, "nameWellbore", log_depth, self->wellbore, sizeof self->wellbore)
                 || s_child_text (self, "name", log_depth, self->name, sizeof self->name)
                 || s_child_text (self, "indexType", log_depth, self->index_type, sizeof self->index_type)
                 || s_child_text (self, "indexCurve", log_depth, self->index_curve, sizeof self->index_curve)
                 || s_child_text (self, "direction", log_depth, self->direction, sizeof self->direction))
            continue;
        else if (s_is (self->reader, "nullValue")) {
            char *t = s_text (self->reader);
            char *end = NULL;
            double v = t ? strtod (t, &end) : NAN;
            if (t && end != t) {
                self->null_value = v;
                self->have_null = true;
            }
            free (t);
        }
        else if (s_is (self->reader, "logCurveInfo"))
            s_curve_info (self);
        else if (s_is (self->reader, "mnemonicList") && !mnemonics)
            mnemonics = s_text (self->reader);
        else if (s_is (self->reader, "unitList") && !units)
            units = s_text (self->reader);
        else if (s_is (self->reader, "data"))
            at_data = true;
    }
    //  Well-formed WITSML of another kind (a well or wellbore object, a log
    //  indexed by depth) is RS_E_TYPE: a wellbore's folder holds such files
    //  beside its time logs. A depth index read as time would put the rows
    //  in 1970 and stretch a merge over decades. Newest row first cannot be
    //  read as a stream: read forwards, every row but the first would be out
    //  of order and dropped.
    bool ok = false;
    if (rc >= 0 && !in_log)
        rs_err_set (RS_E_TYPE, "%s: not a WITSML log (no <log> element)", path);
    else if (rc >= 0 && self->index_type[0] && strcasecmp (self->index_type, "date time") != 0)
        rs_err_set (RS_E_TYPE, "%s: indexType '%s': not a time log (only date-time logs carry the times a replay "
                    "needs)", path, self->index_type);
    else if (in_log && strcasecmp (self->direction, "decreasing") == 0)
        rs_err_set (RS_E_FORMAT, "%s: direction 'decreasing': the rows run newest first; a time log is read "
                    "oldest first (export it with direction increasing)", path);
    else if ((!mnemonics && !s_by_column (self, true)) || !at_data)
        rs_err_set (RS_E_FORMAT, "%s: %s", path,
                    !in_log ? "not well-formed XML"
                    : !mnemonics && !s_by_column (self, true)
                    ? "no column list: neither logData/mnemonicList (WITSML 1.4) nor a columnIndex on every "
                      "logCurveInfo (1.3.1), or truncated"
                    : "no data rows");
    else
        ok = true;
    if (!ok) {
        free (mnemonics);
        free (units);
        rs_witsml_close (&self);
        return NULL;
    }
    size_t n_units = 0;
    if (mnemonics) {
        self->n_curves = s_split (mnemonics, self->names, MAX_CURVES);
        n_units = units ? s_split (units, self->units, MAX_CURVES) : 0;
    }
    else
        self->n_curves = s_by_column (self, false);
    for (size_t i = self->n_curves; i < n_units; i++)
        free (self->units[i]);
    free (mnemonics);
    free (units);
    if (self->n_curves < 2) {
        rs_err_set (RS_E_FORMAT, "%s: the rows have %zu column(s); a time log needs the index and at least one "
                    "curve", path, self->n_curves);
        rs_witsml_close (&self);
        return NULL;
    }
    s_describe (self, n_units);
    return self;
}

void
rs_witsml_close (rs_witsml_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_witsml_t *self = *self_p;
    if (self->reader)
        xmlFreeTextReader (self->reader);
    for (size_t i = 0; i < self->n_curves; i++) {
        free (self->names[i]);
        free (self->units[i]);
    }
    for (size_t i = 0; i < self->n_info; i++) {
        free (self->info_mnem[i]);
        free (self->info_unit[i]);
        free (self->info_desc[i]);
    }
    free (self);
    *self_p = NULL;
}

size_t
rs_witsml_curves (rs_witsml_t *self, const rs_witsml_curve_t **curves)
{
    *curves = self->curves;
    return self->n_curves;
}

const char *
rs_witsml_well (rs_witsml_t *self)
{
    return self->well;
}

const char *
rs_witsml_wellbore (rs_witsml_t *self)
{
    return self->wellbore;
}

const char *
rs_witsml_name (rs_witsml_t *self)
{
    return self->name;
}

//  One cell's number into self->values[slot]; NaN for a blank cell, a null
//  value (the log's or the column's own) or a cell that is not a number.
static void
s_cell (rs_witsml_t *self, size_t slot, const char *p, const char *end_field)
{
    while (p < end_field && (*p == ' ' || *p == '\t'))
        p++;
    double v = NAN;
    if (p < end_field) {
        char *end = NULL;
        v = strtod (p, &end);
        while (end < end_field && (*end == ' ' || *end == '\t'))
            end++;
        //  A cell that is not a number (a date in a text curve, junk) is
        //  blank: the row's other readings are still good.
        if (end != end_field || !isfinite (v)) {
            v = NAN;
            self->bad_cells++;
        }
        if ((self->have_null && v == self->null_value) || v == self->nulls[slot])
            v = NAN;
    }
    self->values[slot] = v;
}

//  Parses one row's text into ts and values (the index curve's column may
//  be any); -1 if its time is not usable.
static int
s_row (rs_witsml_t *self, const char *text, int64_t *ts_us)
{
    if (!strchr (text, ','))
        return -1;
    //  A short row: the missing cells are blank.
    for (size_t i = 1; i < self->n_curves; i++)
        self->values[i] = NAN;
    const char *p = text;
    for (size_t c = 0; c < self->n_curves; c++) {
        const char *comma = strchr (p, ',');
        const char *end_field = comma ? comma : p + strlen (p);
        if (c == self->index_col) {
            char stamp[64];
            size_t len = (size_t) (end_field - p);
            if (len == 0 || len >= sizeof stamp)
                return -1;
            memcpy (stamp, p, len);
            stamp[len] = 0;
            //  A time log's index is an xsd:dateTime; a bare number is a
            //  depth (a log that does not say its indexType), not seconds
            //  since 1970.
            if (len < 5 || stamp[4] != '-' || rs_clock_parse (stamp, ts_us) != 0)
                return -1;
        }
        else
            s_cell (self, c < self->index_col ? c + 1 : c, p, end_field);
        if (!comma)
            return c >= self->index_col ? 0 : -1;
        p = comma + 1;
    }
    return 0;
}

int
rs_witsml_next (rs_witsml_t *self, int64_t *ts_us, const double **values)
{
    //  The reader stands on a <data> element when open returns and after
    //  each row; look for the next one otherwise.
    for (;;) {
        if (self->failed) {
            s_error (self, "malformed or truncated XML");
            return -1;
        }
        int type = xmlTextReaderNodeType (self->reader);
        if (type == XML_READER_TYPE_ELEMENT && s_is (self->reader, "data")) {
            char *text = s_text (self->reader);
            int ok = text ? s_row (self, text, ts_us) : -1;
            free (text);
            //  A row read before the XML breaks is still good: hand it out
            //  and report the break on the next call.
            if (xmlTextReaderRead (self->reader) < 0)
                self->failed = true;
            if (ok == 0) {
                self->rows++;
                *values = self->values;
                return 1;
            }
            self->bad_rows++;
            continue;
        }
        if (type == XML_READER_TYPE_END_ELEMENT && s_is (self->reader, "logData")) {
            //  Read on to the end, so a truncated tail is still reported.
            int rc;
            while ((rc = xmlTextReaderRead (self->reader)) == 1)
                ;
            if (rc < 0) {
                s_error (self, "malformed or truncated XML");
                return -1;
            }
            return 0;
        }
        int rc = xmlTextReaderRead (self->reader);
        if (rc == 0)
            return 0;
        if (rc < 0) {
            s_error (self, "malformed or truncated XML");
            return -1;
        }
    }
}

const char *
rs_witsml_error (rs_witsml_t *self)
{
    return self->error;
}

uint64_t
rs_witsml_rows (rs_witsml_t *self)
{
    return self->rows;
}

uint64_t
rs_witsml_bad_rows (rs_witsml_t *self)
{
    return self->bad_rows;
}

uint64_t
rs_witsml_bad_cells (rs_witsml_t *self)
{
    return self->bad_cells;
}
