/*  rs_mapfile: a line parser for KEY = TARGET [UNIT [FPS_UNIT]]. A '#'
    starts a comment at the start of a line or after a space right of the
    '=', so CSV headers such as "Pump #1" stay keys. */
#include "rs_mapfile.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rs_channels.h"
#include "rs_units.h"

//  Mapping files are small; anything larger is not one.
#define MAX_FILE_BYTES (1024 * 1024)

struct rs_mapfile_t {
    rs_mapfile_entry_t *entries;
    size_t n;
    size_t cap;
    char origin[256];
};

//  Records "origin:line: what" as the failure (rs_errmsg) and returns RS_E_FORMAT.
__attribute__ ((format (printf, 3, 4))) static rs_err_t
s_err (const char *origin, int line, const char *fmt, ...)
{
    char what[300];
    va_list args;
    va_start (args, fmt);
    vsnprintf (what, sizeof what, fmt, args);
    va_end (args);
    if (line > 0)
        return rs_err_set (RS_E_FORMAT, "%s:%d: %s", origin, line, what);
    return rs_err_set (RS_E_FORMAT, "%s: %s", origin, what);
}

//  Trims spaces and tabs at both ends of [*start, *end).
static void
s_trim (const char **start, const char **end)
{
    while (*start < *end && (**start == ' ' || **start == '\t'))
        (*start)++;
    while (*end > *start && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        (*end)--;
}

static bool
s_keys_equal (const char *a, const char *b)
{
    return strcasecmp (a, b) == 0;
}

//  Parses one non-blank, non-comment line into *e. Returns RS_OK or RS_E_FORMAT (rs_errmsg says why).
static rs_err_t
s_line (rs_mapfile_t *self, const char *p, const char *end, int line, rs_mapfile_entry_t *e)
{
    const char *eq = memchr (p, '=', (size_t) (end - p));
    if (!eq)
        return s_err (self->origin, line, "expected KEY = TARGET [UNIT [FPS_UNIT]]");
    const char *ks = p, *ke = eq;
    s_trim (&ks, &ke);
    if (ks == ke)
        return s_err (self->origin, line, "empty key before '='");
    if ((size_t) (ke - ks) >= sizeof e->key)
        return s_err (self->origin, line, "key longer than %zu characters", sizeof e->key - 1);
    memset (e, 0, sizeof *e);
    memcpy (e->key, ks, (size_t) (ke - ks));
    e->line = line;

    //  The right-hand side, up to a " #" comment.
    const char *rs = eq + 1, *re = end;
    for (const char *q = rs; q < end; q++)
        if (*q == '#' && (q == rs || q[-1] == ' ' || q[-1] == '\t')) {
            re = q;
            break;
        }
    char tokens[4][64];
    int n = 0;
    const char *q = rs;
    while (q < re) {
        while (q < re && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q >= re)
            break;
        const char *t = q;
        while (q < re && *q != ' ' && *q != '\t' && *q != '\r')
            q++;
        if (n == 4)
            return s_err (self->origin, line, "too many fields: expected TARGET [UNIT [FPS_UNIT]]");
        if ((size_t) (q - t) >= sizeof tokens[0])
            return s_err (self->origin, line, "field '%.20s...' is too long", t);
        memcpy (tokens[n], t, (size_t) (q - t));
        tokens[n][q - t] = 0;
        n++;
    }
    if (n == 0)
        return s_err (self->origin, line, "no target after '='");
    if (n == 4)
        return s_err (self->origin, line, "too many fields: expected TARGET [UNIT [FPS_UNIT]]");
    const char *target = tokens[0];
    static const struct {
        const char *name;
        rs_map_role_t role;
    } roles[] = { { "@date", RS_MAP_DATE }, { "@time", RS_MAP_TIME },
                  { "@datetime", RS_MAP_DATETIME }, { "@ignore", RS_MAP_IGNORE } };
    e->role = RS_MAP_CHANNEL;
    if (target[0] == '@') {
        size_t i;
        for (i = 0; i < sizeof roles / sizeof roles[0]; i++)
            if (strcmp (target, roles[i].name) == 0)
                break;
        if (i == sizeof roles / sizeof roles[0])
            return s_err (self->origin, line,
                          "unknown role '%s': expected @date, @time, @datetime or @ignore", target);
        e->role = roles[i].role;
    }
    else if (!rs_chan_name_valid (target, strlen (target)))
        return s_err (self->origin, line,
                      "'%s' is not a channel name (1-32 of a-z 0-9 _, starting with a letter)", target);
    //  Valid names and roles are at most 32 characters.
    memcpy (e->target, target, strlen (target) + 1);
    for (int i = 1; i < n; i++) {
        size_t ulen = strlen (tokens[i]);
        if (ulen >= sizeof e->unit[0])
            return s_err (self->origin, line, "unit '%s' is too long", tokens[i]);
        if (strcmp (tokens[i], "-") != 0)
            memcpy (e->unit[i - 1], tokens[i], ulen + 1);
    }
    if (n < 3)
        memcpy (e->unit[1], e->unit[0], sizeof e->unit[1]);
    if (e->role == RS_MAP_CHANNEL) {
        rs_chanmap_t m;
        for (int i = 0; i < 2; i++)
            if (rs_mapfile_channel (e->target, e->unit[i], &m) != RS_OK) {
                char why[300];
                snprintf (why, sizeof why, "%s", rs_errmsg ());
                return s_err (self->origin, line, "%s", why);
            }
    }
    for (size_t i = 0; i < self->n; i++)
        if (s_keys_equal (self->entries[i].key, e->key))
            return s_err (self->origin, line, "'%s' is already mapped on line %d", e->key,
                          self->entries[i].line);
    return RS_OK;
}

rs_mapfile_t *
rs_mapfile_parse (const char *text, const char *origin)
{
    rs_mapfile_t *self = calloc (1, sizeof *self);
    if (!self) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
    snprintf (self->origin, sizeof self->origin, "%s", origin ? origin : "mapping");
    int line = 0;
    const char *p = text ? text : "";
    while (*p) {
        const char *nl = strchr (p, '\n');
        const char *end = nl ? nl : p + strlen (p);
        line++;
        const char *s = p, *e = end;
        s_trim (&s, &e);
        if (s < e && *s != '#') {
            if (self->n == self->cap) {
                size_t cap = self->cap ? self->cap * 2 : 32;
                rs_mapfile_entry_t *grown = realloc (self->entries, cap * sizeof *grown);
                if (!grown) {
                    rs_err_set (RS_E_NOMEM, "out of memory");
                    rs_mapfile_destroy (&self);
                    return NULL;
                }
                self->entries = grown;
                self->cap = cap;
            }
            if (s_line (self, s, e, line, &self->entries[self->n]) != RS_OK) {
                rs_mapfile_destroy (&self);
                return NULL;
            }
            self->n++;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return self;
}

rs_mapfile_t *
rs_mapfile_load (const char *path)
{
    FILE *f = fopen (path, "rb");
    if (!f) {
        rs_err_set (RS_E_IO, "%s: cannot open the mapping file", path);
        return NULL;
    }
    char *text = malloc (MAX_FILE_BYTES + 1);
    size_t len = text ? fread (text, 1, MAX_FILE_BYTES + 1, f) : 0;
    bool failed = !text || ferror (f);
    fclose (f);
    if (failed || len > MAX_FILE_BYTES) {
        rs_err_set (failed ? RS_E_IO : RS_E_FORMAT, "%s: %s", path,
                    failed ? "cannot read the mapping file" : "larger than 1 MB: not a mapping file");
        free (text);
        return NULL;
    }
    text[len] = 0;
    if (strlen (text) != len) {
        rs_err_set (RS_E_FORMAT, "%s: contains NUL bytes: not a mapping file", path);
        free (text);
        return NULL;
    }
    rs_mapfile_t *self = rs_mapfile_parse (text, path);
    free (text);
    return self;
}

void
rs_mapfile_destroy (rs_mapfile_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->entries);
    free (*self_p);
    *self_p = NULL;
}

size_t
rs_mapfile_entries (const rs_mapfile_t *self, const rs_mapfile_entry_t **entries)
{
    *entries = self->entries;
    return self->n;
}

const rs_mapfile_entry_t *
rs_mapfile_find (const rs_mapfile_t *self, const char *key)
{
    const char *s = key, *e = key + strlen (key);
    s_trim (&s, &e);
    size_t len = (size_t) (e - s);
    for (size_t i = 0; i < self->n; i++)
        if (strlen (self->entries[i].key) == len && strncasecmp (self->entries[i].key, s, len) == 0)
            return &self->entries[i];
    return NULL;
}

const char *
rs_mapfile_origin (const rs_mapfile_t *self)
{
    return self->origin;
}

rs_err_t
rs_mapfile_channel (const char *target, const char *unit, rs_chanmap_t *out)
{
    memset (out, 0, sizeof *out);
    out->scale = 1;
    out->channel = rs_chan_lookup (target, strlen (target));
    snprintf (out->name, sizeof out->name, "%s", target);
    if (out->channel == RS_CH_UNKNOWN || !unit || !*unit || strcmp (unit, "-") == 0)
        return RS_OK;
    const rs_chan_info_t *info = rs_chan_info (out->channel);
    if (rs_units_convert (unit, info->unit, &out->scale, &out->offset))
        return RS_OK;
    return rs_err_set (RS_E_FORMAT, "unit '%s' does not convert to %s's unit (%s)", unit, target, info->unit);
}
