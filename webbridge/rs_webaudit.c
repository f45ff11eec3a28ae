/*  rs_webaudit: the web bridge's audit trail. See rs_webaudit.h. */
#include "rs_webaudit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs_clock.h"
#include "rs_dirs.h"
#include "rs_err.h"
#include "rs_log.h"

struct rs_webaudit_t {
    pthread_mutex_t lock;
    char path[PATH_MAX];
    size_t max_bytes;
    int keep;
    int fd;
    size_t size;                    //  bytes in the current file
    int64_t second;                 //  the second refusals are counted in
    int refusals;                   //  refusal lines in that second
    uint64_t suppressed;            //  refusal lines not written in that second
    uint64_t lines, suppressed_total;
    rs_log_limit_t log_refused, log_error;
};

static int
s_open (rs_webaudit_t *self)
{
    self->fd = open (self->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (self->fd < 0)
        return -1;
    struct stat st;
    self->size = fstat (self->fd, &st) == 0 ? (size_t) st.st_size : 0;
    return 0;
}

rs_webaudit_t *
rs_webaudit_new (const char *path, size_t max_bytes, int keep)
{
    rs_webaudit_t *self = calloc (1, sizeof *self);
    if (!self) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
    snprintf (self->path, sizeof self->path, "%s", path);
    self->max_bytes = max_bytes ? max_bytes : 10 * 1024 * 1024;
    self->keep = keep > 0 ? keep : 1;
    char dir[PATH_MAX];
    if (rs_dirs_make_parent (path, dir, sizeof dir) != 0 || s_open (self) != 0) {
        rs_err_set (RS_E_IO, "%s: %s", path, strerror (errno));
        free (self);
        return NULL;
    }
    pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
rs_webaudit_destroy (rs_webaudit_t **self_p)
{
    rs_webaudit_t *self = *self_p;
    if (!self)
        return;
    if (self->fd >= 0)
        close (self->fd);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

//  Locked. file.keep-1 -> file.keep ... file -> file.1, then a fresh file.
static void
s_rotate (rs_webaudit_t *self)
{
    char from[PATH_MAX + 16], to[PATH_MAX + 16];
    close (self->fd);
    self->fd = -1;
    for (int i = self->keep - 1; i >= 1; i--) {
        snprintf (from, sizeof from, "%s.%d", self->path, i);
        snprintf (to, sizeof to, "%s.%d", self->path, i + 1);
        rename (from, to);
    }
    snprintf (to, sizeof to, "%s.1", self->path);
    if (rename (self->path, to) != 0)
        rs_log_limited (&self->log_error, 10000, RS_LOG_WARN, "audit log %s: cannot rotate: %s", self->path,
                        strerror (errno));
    if (s_open (self) != 0)
        rs_log_limited (&self->log_error, 10000, RS_LOG_ERROR, "audit log %s: cannot reopen: %s", self->path,
                        strerror (errno));
}

//  Locked. Appends one line (text without its newline).
static int
s_append (rs_webaudit_t *self, const char *text)
{
    size_t len = strlen (text);
    if (self->size > 0 && self->size + len + 1 > self->max_bytes)
        s_rotate (self);
    if (self->fd < 0 && s_open (self) != 0)
        return -1;
    char *line = malloc (len + 2);
    if (!line)
        return -1;
    memcpy (line, text, len);
    line[len] = '\n';
    ssize_t n = write (self->fd, line, len + 1);
    free (line);
    if (n != (ssize_t) (len + 1)) {
        rs_log_limited (&self->log_error, 10000, RS_LOG_ERROR, "audit log %s: cannot write: %s", self->path,
                        n < 0 ? strerror (errno) : "short write");
        return -1;
    }
    self->size += len + 1;
    self->lines++;
    return 0;
}

static void
s_set_str (json_t *doc, const char *key, const char *value)
{
    //  Header values may be anything a client sent: a value jansson cannot
    //  hold as UTF-8 is marked rather than lost silently.
    if (!value)
        return;
    json_t *text = json_string (value);
    json_object_set_new (doc, key, text ? text : json_string ("(not UTF-8)"));
}

int
rs_webaudit_write (rs_webaudit_t *self, const rs_webaudit_entry_t *e, int64_t now_us)
{
    bool refused = e->reason != NULL;
    char iso[40];
    json_t *doc = json_object ();
    json_object_set_new (doc, "time", json_string (rs_clock_format (now_us, iso, sizeof iso)));
    s_set_str (doc, "event", e->event);
    s_set_str (doc, "method", e->method);
    s_set_str (doc, "path", e->path);
    s_set_str (doc, "query", e->query && *e->query ? e->query : NULL);
    s_set_str (doc, "client", e->remote_addr);
    s_set_str (doc, "origin", e->origin);
    s_set_str (doc, "host", e->host);
    s_set_str (doc, "auth", e->auth);
    json_object_set_new (doc, "status", json_integer (e->status));
    s_set_str (doc, "reason", e->reason);
    char *text = json_dumps (doc, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
    json_decref (doc);
    if (!text)
        return -1;
    int rc = 0;
    pthread_mutex_lock (&self->lock);
    int64_t second = now_us / 1000000;
    if (second != self->second) {
        if (self->suppressed) {
            char note[160];
            snprintf (note, sizeof note, "{\"time\":\"%s\",\"event\":\"suppressed\",\"count\":%llu}",
                      rs_clock_format (self->second * 1000000, iso, sizeof iso),
                      (unsigned long long) self->suppressed);
            s_append (self, note);
        }
        self->second = second;
        self->refusals = 0;
        self->suppressed = 0;
    }
    if (refused && ++self->refusals > RS_WEBAUDIT_REFUSALS_S) {
        self->suppressed++;
        self->suppressed_total++;
    }
    else
        rc = s_append (self, text);
    if (refused)
        rs_log_limited (&self->log_refused, 5000, RS_LOG_WARN, "audit: refused %s %s from %s: %d %s",
                        e->method ? e->method : "", e->path ? e->path : "",
                        e->remote_addr ? e->remote_addr : "", e->status, e->reason);
    pthread_mutex_unlock (&self->lock);
    if (!refused)
        rs_info ("audit: %s %s from %s (origin %s, auth %s): %d", e->method ? e->method : "",
                 e->path ? e->path : "", e->remote_addr ? e->remote_addr : "", e->origin ? e->origin : "none",
                 e->auth ? e->auth : "none", e->status);
    free (text);
    return rc;
}

void
rs_webaudit_counts (rs_webaudit_t *self, uint64_t *lines, uint64_t *suppressed)
{
    pthread_mutex_lock (&self->lock);
    if (lines)
        *lines = self->lines;
    if (suppressed)
        *suppressed = self->suppressed_total;
    pthread_mutex_unlock (&self->lock);
}
