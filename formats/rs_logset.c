/*  rs_logset: files and directories to an rs_logmerge. Each file's header
    is read at open (its curves mapped, the well checked, its first row's
    time taken) and the file closed again; the parts of one log (same name,
    same curves: a WITSML store cuts a long log into files of 10,000 rows)
    are chained into one source of the merge in time order, each file
    opened when its turn comes and closed at its end. So a wellbore of
    hundreds of files holds one open file per log, and the merge sees a
    source per log. */
#include "rs_logset.h"

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rs_channels.h"

#define MAX_SKIPPED 8         //  passed-over files whose reason is kept (a store's export has hundreds)
#define MAX_DIR_DEPTH 8       //  folders below a directory given (a store's export: 4)

typedef struct {
    char *path;
    char name[128];             //  the log's <name>
    char *curves;               //  its mnemonics, joined: the parts of one log share them
    rs_chanmap_t *map;
    size_t n_curves;
    int64_t first_ts;           //  its first row's time (INT64_MAX: none)
    size_t source;              //  the merge source it feeds
    rs_witsml_t *log;           //  open while its rows are read
    uint64_t rows, bad_rows, dropped;
    char *error;                //  why its reading failed (NULL: it did not)
} entry_t;

//  A merge source: the files of one log in time order, read one after
//  another.
typedef struct {
    rs_logset_t *set;
    size_t *files;
    size_t n, at;
    size_t n_curves;
    double *conv;               //  a row's values converted, one per data column
    int64_t last_ts;            //  the last row handed out
} source_t;

struct rs_logset_t {
    entry_t *e;
    size_t n, cap;
    source_t src[RS_LOGMERGE_MAX_SOURCES];
    size_t n_src;
    rs_logmerge_t *merge;
    char well[128], wellbore[128];
    char *skipped[MAX_SKIPPED];     //  why each passed-over file was (rs_errmsg), the first ones
    size_t n_skipped, n_passed;     //  ... how many kept, how many in all
    int failed;                 //  the file whose reading failed, -1
};

//  Ends the reading of a file: its counts kept, the file closed.
static void
s_finish (entry_t *e)
{
    if (!e->log)
        return;
    e->rows = rs_witsml_rows (e->log);
    e->bad_rows = rs_witsml_bad_rows (e->log);
    rs_witsml_close (&e->log);
}

//  The merge's row source: the next row of the log's files in the
//  channels' units. A row no later than the last one handed out (where one
//  file of the log overlaps the one before) is left out and counted.
static int
s_next (void *arg, int64_t *ts_us, const double **values)
{
    source_t *g = arg;
    rs_logset_t *set = g->set;
    while (g->at < g->n) {
        entry_t *e = &set->e[g->files[g->at]];
        if (!e->log) {
            e->log = rs_witsml_open (e->path);
            if (!e->log) {
                e->error = strdup (rs_errmsg ());
                set->failed = (int) g->files[g->at];
                return -1;
            }
        }
        const double *raw;
        int rc = rs_witsml_next (e->log, ts_us, &raw);
        if (rc < 0) {
            e->error = strdup (rs_witsml_error (e->log));
            s_finish (e);
            set->failed = (int) g->files[g->at];
            return -1;
        }
        if (rc == 0) {
            s_finish (e);
            g->at++;
            continue;
        }
        if (*ts_us <= g->last_ts) {
            e->dropped++;
            continue;
        }
        g->last_ts = *ts_us;
        for (size_t i = 1; i < g->n_curves; i++) {
            double v = raw[i];
            g->conv[i - 1] = isnan (v) ? v : v * e->map[i].scale + e->map[i].offset;
        }
        *values = g->conv;
        return 1;
    }
    return 0;
}

static bool
s_has_xml_suffix (const char *name)
{
    size_t len = strlen (name);
    return len > 4 && strcmp (name + len - 4, ".xml") == 0;
}

static int
s_not_hidden (const struct dirent *d)
{
    return d->d_name[0] != '.';
}

//  Reads a file's header and its first row's time, then closes it.
static rs_err_t
s_add_file (rs_logset_t *self, const char *path)
{
    if (self->n == RS_LOGSET_MAX_FILES)
        return rs_err_set (RS_E_RANGE, "%s: more than %d log files", path, RS_LOGSET_MAX_FILES);
    if (self->n == self->cap) {
        size_t cap = self->cap ? 2 * self->cap : 16;
        entry_t *e = realloc (self->e, cap * sizeof *e);
        if (!e)
            return rs_err_set (RS_E_NOMEM, "out of memory");
        self->e = e;
        self->cap = cap;
    }
    entry_t *e = &self->e[self->n];
    memset (e, 0, sizeof *e);
    e->path = strdup (path);
    if (!e->path)
        return rs_err_set (RS_E_NOMEM, "out of memory");
    self->n++;
    rs_witsml_t *log = rs_witsml_open (path);
    if (!log)
        return rs_errcode ();
    const rs_witsml_curve_t *curves;
    e->n_curves = rs_witsml_curves (log, &curves);
    e->map = calloc (e->n_curves, sizeof *e->map);
    size_t len = 1;
    for (size_t i = 0; i < e->n_curves; i++)
        len += strlen (curves[i].mnemonic) + 1;
    e->curves = calloc (1, len);
    if (!e->map || !e->curves) {
        rs_witsml_close (&log);
        return rs_err_set (RS_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < e->n_curves; i++) {
        strcat (e->curves, curves[i].mnemonic);
        strcat (e->curves, ",");
    }
    for (size_t i = 1; i < e->n_curves; i++)
        rs_chanmap_curve_desc (curves[i].mnemonic, curves[i].unit, curves[i].description, &e->map[i]);
    rs_chanmap_log (e->map + 1, e->n_curves - 1);
    //  rs_chanmap_log numbers the curves from the first data column.
    for (size_t i = 1; i < e->n_curves; i++)
        if (e->map[i].lost_to >= 0)
            e->map[i].lost_to++;
    snprintf (e->name, sizeof e->name, "%s", rs_witsml_name (log));
    const double *values;
    if (rs_witsml_next (log, &e->first_ts, &values) != 1)
        e->first_ts = INT64_MAX;
    char well[128], wellbore[128];
    snprintf (well, sizeof well, "%s", rs_witsml_well (log));
    snprintf (wellbore, sizeof wellbore, "%s", rs_witsml_wellbore (log));
    rs_witsml_close (&log);
    if (*well && !*self->well)
        snprintf (self->well, sizeof self->well, "%s", well);
    else if (*well && strcmp (well, self->well) != 0)
        return rs_err_set (RS_E_FORMAT, "%s: well '%s', while the logs before are of well '%s': one wellbore's "
                           "logs are merged, not several wells'", path, well, self->well);
    //  A well's folder holds its wellbores (a sidetrack beside the first
    //  bore), each with its own logs over its own hours.
    if (*wellbore && !*self->wellbore)
        snprintf (self->wellbore, sizeof self->wellbore, "%s", wellbore);
    else if (*wellbore && strcmp (wellbore, self->wellbore) != 0)
        return rs_err_set (RS_E_FORMAT, "%s: wellbore '%s', while the logs before are of wellbore '%s': one "
                           "wellbore's logs are merged (give its own folder)", path, wellbore, self->wellbore);
    return RS_OK;
}

static void
s_entry_free (entry_t *e)
{
    rs_witsml_close (&e->log);
    free (e->path);
    free (e->curves);
    free (e->map);
    free (e->error);
    memset (e, 0, sizeof *e);
}

//  A file of a directory that is WITSML but no time log (RS_E_TYPE) is
//  passed over and remembered; any other failure stands.
static rs_err_t
s_add_listed (rs_logset_t *self, const char *path)
{
    rs_err_t rc = s_add_file (self, path);
    if (rc != RS_E_TYPE)
        return rc;
    s_entry_free (&self->e[--self->n]);
    self->n_passed++;
    if (self->n_skipped < MAX_SKIPPED) {
        self->skipped[self->n_skipped] = strdup (rs_errmsg ());
        if (!self->skipped[self->n_skipped])
            return rs_err_set (RS_E_NOMEM, "out of memory");
        self->n_skipped++;
    }
    return RS_OK;
}

//  A directory's .xml files and, as a store exports a wellbore
//  (log/1/<log>/<part>/<file>.xml), those of its folders, in path order.
static rs_err_t
s_add_dir (rs_logset_t *self, const char *path, int depth, size_t *found)
{
    struct dirent **list;
    int n = scandir (path, &list, s_not_hidden, alphasort);
    if (n < 0)
        return rs_err_set (RS_E_IO, "%s: cannot read the directory", path);
    rs_err_t rc = RS_OK;
    for (int i = 0; i < n; i++) {
        char file[4096];
        struct stat st;
        if (rc == RS_OK && (size_t) snprintf (file, sizeof file, "%s/%s", path, list[i]->d_name) < sizeof file
            && stat (file, &st) == 0) {
            if (S_ISDIR (st.st_mode) && depth < MAX_DIR_DEPTH)
                rc = s_add_dir (self, file, depth + 1, found);
            else if (S_ISREG (st.st_mode) && s_has_xml_suffix (list[i]->d_name)) {
                (*found)++;
                rc = s_add_listed (self, file);
            }
        }
        free (list[i]);
    }
    free (list);
    return rc;
}

static rs_err_t
s_add_path (rs_logset_t *self, const char *path)
{
    struct stat st;
    if (stat (path, &st) != 0)
        return rs_err_set (RS_E_IO, "%s: cannot open", path);
    if (!S_ISDIR (st.st_mode))
        return s_add_file (self, path);
    size_t before = self->n, found = 0;
    rs_err_t rc = s_add_dir (self, path, 0, &found);
    if (rc == RS_OK && !found)
        rc = rs_err_set (RS_E_IO, "%s: no .xml log in the directory or its folders", path);
    if (rc == RS_OK && self->n == before)
        rc = rs_err_set (RS_E_FORMAT, "%s: no WITSML time log in the directory (%zu other file(s) passed over%s%s)",
                         path, self->n_passed, self->n_skipped ? ", the first: " : "",
                         self->n_skipped ? self->skipped[0] : "");
    return rc;
}

//  The files into sources: one per log (its name and curves), its files
//  by their first row's time.
static rs_err_t
s_group (rs_logset_t *self)
{
    for (size_t i = 0; i < self->n; i++) {
        entry_t *e = &self->e[i];
        size_t g = 0;
        while (g < self->n_src) {
            const entry_t *first = &self->e[self->src[g].files[0]];
            if (*e->name && strcmp (e->name, first->name) == 0 && strcmp (e->curves, first->curves) == 0)
                break;
            g++;
        }
        if (g == self->n_src) {
            if (g == RS_LOGMERGE_MAX_SOURCES)
                return rs_err_set (RS_E_RANGE, "%s: more than %d different logs", e->path,
                                   RS_LOGMERGE_MAX_SOURCES);
            source_t *s = &self->src[g];
            s->set = self;
            s->files = calloc (self->n, sizeof *s->files);
            s->n_curves = e->n_curves;
            s->conv = calloc (e->n_curves, sizeof *s->conv);
            s->last_ts = INT64_MIN;
            if (!s->files || !s->conv)
                return rs_err_set (RS_E_NOMEM, "out of memory");
            self->n_src++;
        }
        source_t *s = &self->src[g];
        //  Insertion by the first row's time (ties: in the order given).
        size_t at = s->n;
        while (at > 0 && self->e[s->files[at - 1]].first_ts > e->first_ts) {
            s->files[at] = s->files[at - 1];
            at--;
        }
        s->files[at] = i;
        s->n++;
        e->source = g;
    }
    return RS_OK;
}

rs_logset_t *
rs_logset_open (const char *const *paths, size_t n)
{
    rs_logset_t *self = calloc (1, sizeof *self);
    if (!self) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
    self->failed = -1;
    for (size_t i = 0; i < n; i++)
        if (s_add_path (self, paths[i]) != RS_OK) {
            rs_logset_destroy (&self);
            return NULL;
        }
    if (!self->n) {
        rs_err_set (RS_E_INVAL, "no log given");
        rs_logset_destroy (&self);
        return NULL;
    }
    self->merge = rs_logmerge_new ();
    if (!self->merge) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        rs_logset_destroy (&self);
        return NULL;
    }
    if (s_group (self) != RS_OK) {
        rs_logset_destroy (&self);
        return NULL;
    }
    for (size_t g = 0; g < self->n_src; g++) {
        source_t *s = &self->src[g];
        const entry_t *e = &self->e[s->files[0]];
        rs_value_t *cols = calloc (e->n_curves, sizeof *cols);
        rs_err_t added = cols ? RS_OK : RS_E_NOMEM;
        if (cols) {
            for (size_t i = 1; i < e->n_curves; i++)
                cols[i - 1] = (rs_value_t) { e->map[i].name, e->map[i].channel, NAN };
            added = rs_logmerge_add (self->merge, cols, e->n_curves - 1, s_next, s);
            free (cols);
        }
        if (added != RS_OK) {
            rs_err_set (RS_E_RANGE, "%s: too many channels in all (at most %d) or out of memory", e->path,
                        RS_LOGMERGE_MAX_CHANNELS);
            rs_logset_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
rs_logset_destroy (rs_logset_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_logset_t *self = *self_p;
    rs_logmerge_destroy (&self->merge);
    for (size_t i = 0; i < self->n; i++)
        s_entry_free (&self->e[i]);
    free (self->e);
    for (size_t g = 0; g < self->n_src; g++) {
        free (self->src[g].files);
        free (self->src[g].conv);
    }
    for (size_t i = 0; i < self->n_skipped; i++)
        free (self->skipped[i]);
    free (self);
    *self_p = NULL;
}

size_t
rs_logset_count (const rs_logset_t *self)
{
    return self->n;
}

const char *
rs_logset_path (const rs_logset_t *self, size_t i)
{
    return i < self->n ? self->e[i].path : "";
}

const char *
rs_logset_name (const rs_logset_t *self, size_t i)
{
    return i < self->n ? self->e[i].name : "";
}

const rs_chanmap_t *
rs_logset_map (const rs_logset_t *self, size_t i, size_t *n)
{
    *n = i < self->n ? self->e[i].n_curves : 0;
    return i < self->n ? self->e[i].map : NULL;
}

//  The counts of a file being read are its reader's; of one read, kept.
uint64_t
rs_logset_rows (const rs_logset_t *self, size_t i)
{
    if (i >= self->n)
        return 0;
    return self->e[i].log ? rs_witsml_rows (self->e[i].log) : self->e[i].rows;
}

uint64_t
rs_logset_bad_rows (const rs_logset_t *self, size_t i)
{
    if (i >= self->n)
        return 0;
    return self->e[i].log ? rs_witsml_bad_rows (self->e[i].log) : self->e[i].bad_rows;
}

uint64_t
rs_logset_dropped (const rs_logset_t *self, size_t i)
{
    return i < self->n ? self->e[i].dropped : 0;
}

size_t
rs_logset_sources (const rs_logset_t *self)
{
    return self->n_src;
}

size_t
rs_logset_source (const rs_logset_t *self, size_t i)
{
    return i < self->n ? self->e[i].source : 0;
}

size_t
rs_logset_source_files (const rs_logset_t *self, size_t g, size_t *first)
{
    if (g >= self->n_src)
        return 0;
    *first = self->src[g].files[0];
    return self->src[g].n;
}

rs_logmerge_t *
rs_logset_merge (const rs_logset_t *self)
{
    return self->merge;
}

const char *
rs_logset_well (const rs_logset_t *self)
{
    return self->well;
}

const char *
rs_logset_error (const rs_logset_t *self)
{
    return self->failed >= 0 && self->e[self->failed].error ? self->e[self->failed].error : "";
}

size_t
rs_logset_skipped_count (const rs_logset_t *self)
{
    return self->n_skipped;
}

const char *
rs_logset_skipped (const rs_logset_t *self, size_t i)
{
    return i < self->n_skipped ? self->skipped[i] : "";
}

size_t
rs_logset_passed_over (const rs_logset_t *self)
{
    return self->n_passed;
}
