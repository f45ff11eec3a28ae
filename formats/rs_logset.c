/*  rs_logset: files and directories to an rs_logmerge. */
#include "rs_logset.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rs_channels.h"

typedef struct {
    char *path;
    rs_witsml_t *log;
    rs_chanmap_t *map;
    size_t n_curves;
    double *conv;           //  a row's values converted, one per data column
} entry_t;

#define MAX_SKIPPED 64

struct rs_logset_t {
    entry_t e[RS_LOGMERGE_MAX_SOURCES];
    size_t n;
    char *skipped[MAX_SKIPPED];     //  why each passed-over file was (rs_errmsg)
    size_t n_skipped;
    rs_logmerge_t *merge;
    char well[128];
};

//  The merge's row source: the reader's next row in the channels' units.
static int
s_next (void *arg, int64_t *ts_us, const double **values)
{
    entry_t *e = arg;
    const double *raw;
    int rc = rs_witsml_next (e->log, ts_us, &raw);
    if (rc != 1)
        return rc;
    for (size_t i = 1; i < e->n_curves; i++) {
        double v = raw[i];
        e->conv[i - 1] = isnan (v) ? v : v * e->map[i].scale + e->map[i].offset;
    }
    *values = e->conv;
    return 1;
}

static int
s_has_xml_suffix (const struct dirent *d)
{
    size_t len = strlen (d->d_name);
    return d->d_name[0] != '.' && len > 4 && strcmp (d->d_name + len - 4, ".xml") == 0;
}

static rs_err_t s_add_file (rs_logset_t *self, const char *path);

//  A file of a directory that is WITSML but no time log (RS_E_TYPE) is
//  passed over and remembered; any other failure stands.
static rs_err_t
s_add_listed (rs_logset_t *self, const char *path)
{
    rs_err_t rc = s_add_file (self, path);
    if (rc != RS_E_TYPE)
        return rc;
    entry_t *e = &self->e[--self->n];
    free (e->path);
    free (e->map);
    free (e->conv);
    memset (e, 0, sizeof *e);
    if (self->n_skipped < MAX_SKIPPED) {
        self->skipped[self->n_skipped] = strdup (rs_errmsg ());
        if (!self->skipped[self->n_skipped])
            return rs_err_set (RS_E_NOMEM, "out of memory");
        self->n_skipped++;
    }
    return RS_OK;
}

static rs_err_t
s_add_file (rs_logset_t *self, const char *path)
{
    if (self->n == RS_LOGMERGE_MAX_SOURCES)
        return rs_err_set (RS_E_RANGE, "%s: more than %d logs", path, RS_LOGMERGE_MAX_SOURCES);
    entry_t *e = &self->e[self->n];
    e->path = strdup (path);
    if (!e->path)
        return rs_err_set (RS_E_NOMEM, "out of memory");
    self->n++;
    e->log = rs_witsml_open (path);
    if (!e->log)
        return rs_errcode ();
    const rs_witsml_curve_t *curves;
    e->n_curves = rs_witsml_curves (e->log, &curves);
    e->map = calloc (e->n_curves, sizeof *e->map);
    e->conv = calloc (e->n_curves, sizeof *e->conv);
    if (!e->map || !e->conv)
        return rs_err_set (RS_E_NOMEM, "out of memory");
    for (size_t i = 1; i < e->n_curves; i++)
        rs_chanmap_curve_desc (curves[i].mnemonic, curves[i].unit, curves[i].description, &e->map[i]);
    rs_chanmap_log (e->map + 1, e->n_curves - 1);
    //  rs_chanmap_log numbers the curves from the first data column.
    for (size_t i = 1; i < e->n_curves; i++)
        if (e->map[i].lost_to >= 0)
            e->map[i].lost_to++;
    const char *well = rs_witsml_well (e->log);
    if (*well && !*self->well)
        snprintf (self->well, sizeof self->well, "%s", well);
    else if (*well && strcmp (well, self->well) != 0)
        return rs_err_set (RS_E_FORMAT, "%s: well '%s', while the logs before are of well '%s': one wellbore's "
                           "logs are merged, not several wells'", path, well, self->well);
    return RS_OK;
}

static rs_err_t
s_add_path (rs_logset_t *self, const char *path)
{
    struct stat st;
    if (stat (path, &st) != 0)
        return rs_err_set (RS_E_IO, "%s: cannot open", path);
    if (!S_ISDIR (st.st_mode))
        return s_add_file (self, path);
    struct dirent **list;
    int n = scandir (path, &list, s_has_xml_suffix, alphasort);
    if (n < 0)
        return rs_err_set (RS_E_IO, "%s: cannot read the directory", path);
    rs_err_t rc = n ? RS_OK : rs_err_set (RS_E_IO, "%s: no .xml log in the directory", path);
    for (int i = 0; i < n; i++) {
        if (rc == RS_OK) {
            char file[4096];
            snprintf (file, sizeof file, "%s/%s", path, list[i]->d_name);
            rc = s_add_listed (self, file);
        }
        free (list[i]);
    }
    free (list);
    if (rc == RS_OK && self->n == 0)
        rc = rs_err_set (RS_E_FORMAT, "%s: no WITSML time log in the directory (%zu other file(s) passed over%s%s)",
                         path, self->n_skipped, self->n_skipped ? ", the first: " : "",
                         self->n_skipped ? self->skipped[0] : "");
    return rc;
}

rs_logset_t *
rs_logset_open (const char *const *paths, size_t n)
{
    rs_logset_t *self = calloc (1, sizeof *self);
    if (!self) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
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
    for (size_t s = 0; s < self->n; s++) {
        entry_t *e = &self->e[s];
        rs_value_t *cols = calloc (e->n_curves, sizeof *cols);
        rs_err_t added = cols ? RS_OK : RS_E_NOMEM;
        if (cols) {
            for (size_t i = 1; i < e->n_curves; i++)
                cols[i - 1] = (rs_value_t) { e->map[i].name, e->map[i].channel, NAN };
            added = rs_logmerge_add (self->merge, cols, e->n_curves - 1, s_next, e);
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
    for (size_t i = 0; i < self->n; i++) {
        rs_witsml_close (&self->e[i].log);
        free (self->e[i].path);
        free (self->e[i].map);
        free (self->e[i].conv);
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

rs_witsml_t *
rs_logset_log (const rs_logset_t *self, size_t i)
{
    return i < self->n ? self->e[i].log : NULL;
}

const char *
rs_logset_path (const rs_logset_t *self, size_t i)
{
    return i < self->n ? self->e[i].path : "";
}

const rs_chanmap_t *
rs_logset_map (const rs_logset_t *self, size_t i, size_t *n)
{
    *n = i < self->n ? self->e[i].n_curves : 0;
    return i < self->n ? self->e[i].map : NULL;
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
    int s = self->merge ? rs_logmerge_failed (self->merge) : -1;
    return s >= 0 ? rs_witsml_error (self->e[s].log) : "";
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
