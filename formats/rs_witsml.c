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
    char name[128];
    char index_type[64];    //  the log's indexType, "" when absent
    char direction[32];     //  the log's direction, "" when absent
    double null_value;
    bool have_null;
    //  From logData's mnemonicList / unitList (the columns of the rows).
    rs_witsml_curve_t curves[MAX_CURVES];
    char *names[MAX_CURVES];
    char *units[MAX_CURVES];
    size_t n_curves;
    //  From logCurveInfo: units (for files without a unitList) and
    //  descriptions by mnemonic.
    char *info_mnem[MAX_CURVES];
    char *info_unit[MAX_CURVES];
    char *info_desc[MAX_CURVES];
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

//  Reads a logCurveInfo element: its mnemonic, unit and curveDescription.
static void
s_curve_info (rs_witsml_t *self)
{
    int depth = xmlTextReaderDepth (self->reader);
    char *mnem = NULL, *unit = NULL, *desc = NULL;
    while (xmlTextReaderRead (self->reader) == 1 && xmlTextReaderDepth (self->reader) > depth) {
        if (xmlTextReaderNodeType (self->reader) != XML_READER_TYPE_ELEMENT)
            continue;
        if (s_is (self->reader, "mnemonic") && !mnem)
            mnem = s_text (self->reader);
        else if (s_is (self->reader, "unit") && !unit)
            unit = s_text (self->reader);
        else if (s_is (self->reader, "curveDescription") && !desc)
            desc = s_text (self->reader);
    }
    if (mnem && self->n_info < MAX_CURVES) {
        self->info_mnem[self->n_info] = mnem;
        self->info_unit[self->n_info] = unit ? unit : strdup ("");
        self->info_desc[self->n_info] = desc ? desc : strdup ("");
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
                 || s_child_text (self, "name", log_depth, self->name, sizeof self->name)
                 || s_child_text (self, "indexType", log_depth, self->index_type, sizeof self->index_type)
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
    else if (!mnemonics || !at_data)
        rs_err_set (RS_E_FORMAT, "%s: %s", path,
                    !in_log ? "not well-formed XML"
                    : !mnemonics ? "no logData/mnemonicList: not a WITSML 1.4 time log, or truncated"
                    : "no data rows");
    else
        ok = true;
    if (!ok) {
        free (mnemonics);
        free (units);
        rs_witsml_close (&self);
        return NULL;
    }
    self->n_curves = s_split (mnemonics, self->names, MAX_CURVES);
    size_t n_units = units ? s_split (units, self->units, MAX_CURVES) : 0;
    for (size_t i = 0; i < self->n_curves; i++) {
        int info = s_info (self, self->names[i]);
        if (i >= n_units)
            self->units[i] = strdup (info >= 0 ? self->info_unit[info] : "");
        self->curves[i].mnemonic = self->names[i];
        self->curves[i].unit = self->units[i] ? self->units[i] : "";
        self->curves[i].description = info >= 0 && self->info_desc[info] ? self->info_desc[info] : "";
    }
    for (size_t i = self->n_curves; i < n_units; i++)
        free (self->units[i]);
    free (mnemonics);
    free (units);
    if (self->n_curves < 2) {
        rs_err_set (RS_E_FORMAT, "%s: mnemonicList names %zu column(s); a time log needs the index and "
                    "at least one curve", path, self->n_curves);
        rs_witsml_close (&self);
        return NULL;
    }
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
rs_witsml_name (rs_witsml_t *self)
{
    return self->name;
}

//  Parses one row's text into ts and values; -1 if its time is not usable.
static int
s_row (rs_witsml_t *self, const char *text, int64_t *ts_us)
{
    const char *p = text;
    const char *comma = strchr (p, ',');
    if (!comma)
        return -1;
    char stamp[64];
    size_t len = (size_t) (comma - p);
    if (len == 0 || len >= sizeof stamp)
        return -1;
    memcpy (stamp, p, len);
    stamp[len] = 0;
    //  A time log's index is an xsd:dateTime; a bare number is a depth (a
    //  log that does not say its indexType), not seconds since 1970.
    if (len < 5 || stamp[4] != '-' || rs_clock_parse (stamp, ts_us) != 0)
        return -1;
    p = comma + 1;
    for (size_t i = 1; i < self->n_curves; i++) {
        comma = strchr (p, ',');
        const char *end_field = comma ? comma : p + strlen (p);
        while (p < end_field && (*p == ' ' || *p == '\t'))
            p++;
        double v = NAN;
        if (p < end_field) {
            char *end = NULL;
            v = strtod (p, &end);
            while (end < end_field && (*end == ' ' || *end == '\t'))
                end++;
            //  A cell that is not a number (a date in a text curve, junk)
            //  is blank: the row's other readings are still good.
            if (end != end_field || !isfinite (v)) {
                v = NAN;
                self->bad_cells++;
            }
            if (self->have_null && v == self->null_value)
                v = NAN;
        }
        self->values[i] = v;
        if (!comma) {
            //  A short row: the missing cells are blank.
            for (size_t k = i + 1; k < self->n_curves; k++)
                self->values[k] = NAN;
            return 0;
        }
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
