/*  rs_jfile: the on-disk replay journal (see rs_jfile.h). A record is a
    fixed header (magic, lengths, epoch, seq, time written) then the topic
    and the body exactly as published; the file is private to one machine
    and one program version, so the header is in host byte order. */
#include "rs_jfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs_clock.h"
#include "rs_dirs.h"
#include "rs_log.h"
#include "rs_msg.h"

#define S_MAGIC 0x4c4e4a52u     //  "RJNL"
#define S_MAX_SEGMENTS 64

typedef struct {
    uint32_t magic;
    uint32_t body_len;
    uint32_t topic_len;
    uint32_t reserved;
    uint64_t epoch;
    uint64_t seq;
    int64_t written_us;
} s_head_t;

typedef struct {
    unsigned n;
    size_t bytes;
    int64_t newest_us;      //  time of its last record
} s_segment_t;

struct rs_jfile_t {
    char dir[1024];
    char pub[RS_MAX_ID + 1];
    size_t max_bytes;
    int64_t max_age_us;
    s_segment_t seg[S_MAX_SEGMENTS];    //  oldest first; the last is written
    size_t n_seg;
    int fd;
    size_t loaded;
    unsigned char *buf;
    size_t buf_cap;
    rs_log_limit_t err_limit;
};

static void
s_path (rs_jfile_t *self, unsigned n, char *out, size_t size)
{
    snprintf (out, size, "%s/%s.%u.jnl", self->dir, self->pub, n);
}

static int
s_cmp_seg (const void *a, const void *b)
{
    unsigned x = ((const s_segment_t *) a)->n, y = ((const s_segment_t *) b)->n;
    return x < y ? -1 : x > y;
}

//  Reads one segment back, calling fn per record; cuts a torn tail off.
static int
s_load (rs_jfile_t *self, s_segment_t *seg, rs_jfile_fn *fn, void *arg)
{
    char path[1200];
    s_path (self, seg->n, path, sizeof path);
    FILE *f = fopen (path, "r+b");
    if (!f)
        return -1;
    long good = 0;
    s_head_t h;
    char topic[RS_MAX_TOPIC + 1];
    while (fread (&h, sizeof h, 1, f) == 1) {
        if (h.magic != S_MAGIC || h.topic_len == 0 || h.topic_len > RS_MAX_TOPIC || h.body_len > RS_MAX_BODY)
            break;
        if (h.body_len > self->buf_cap) {
            unsigned char *p = realloc (self->buf, h.body_len);
            if (!p)
                break;
            self->buf = p;
            self->buf_cap = h.body_len;
        }
        if (fread (topic, h.topic_len, 1, f) != 1 || (h.body_len && fread (self->buf, h.body_len, 1, f) != 1))
            break;
        topic[h.topic_len] = '\0';
        good = ftell (f);
        seg->newest_us = h.written_us;
        self->loaded++;
        if (fn && fn (topic, h.epoch, h.seq, self->buf, h.body_len, arg) != 0)
            break;
    }
    fseek (f, 0, SEEK_END);
    if (ftell (f) != good) {
        rs_warn ("replay journal %s: cut a torn record off its end (%ld bytes kept)", path, good);
        if (ftruncate (fileno (f), good) != 0)
            rs_warn ("replay journal %s: cannot truncate: %s", path, strerror (errno));
    }
    seg->bytes = (size_t) good;
    fclose (f);
    return 0;
}

//  Deletes the oldest segments past the budget or the age (never the one
//  being written).
static void
s_trim (rs_jfile_t *self, int64_t now_us)
{
    size_t total = 0;
    for (size_t i = 0; i < self->n_seg; i++)
        total += self->seg[i].bytes;
    while (self->n_seg > 1
           && (total > self->max_bytes || self->n_seg == S_MAX_SEGMENTS
               || (self->seg[0].newest_us && now_us - self->seg[0].newest_us > self->max_age_us))) {
        char path[1200];
        s_path (self, self->seg[0].n, path, sizeof path);
        unlink (path);
        total -= self->seg[0].bytes;
        memmove (&self->seg[0], &self->seg[1], (self->n_seg - 1) * sizeof self->seg[0]);
        self->n_seg--;
    }
}

static int
s_new_segment (rs_jfile_t *self, int64_t now_us)
{
    if (self->fd >= 0)
        close (self->fd);
    self->fd = -1;
    s_trim (self, now_us);
    unsigned n = self->n_seg ? self->seg[self->n_seg - 1].n + 1 : 1;
    char path[1200];
    s_path (self, n, path, sizeof path);
    self->fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (self->fd < 0)
        return -1;
    self->seg[self->n_seg++] = (s_segment_t) { n, 0, now_us };
    return 0;
}

rs_jfile_t *
rs_jfile_open (const char *dir, const char *pub_id, size_t max_bytes, int64_t max_age_us, rs_jfile_fn *fn,
               void *arg)
{
    rs_jfile_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->fd = -1;
    snprintf (self->dir, sizeof self->dir, "%s", dir);
    snprintf (self->pub, sizeof self->pub, "%s", pub_id);
    self->max_bytes = max_bytes ? max_bytes : 256u << 20;
    self->max_age_us = max_age_us > 0 ? max_age_us : 24LL * 3600 * 1000000;
    char probe[1200];
    snprintf (probe, sizeof probe, "%s/x", self->dir);
    char made[1024];
    if (rs_dirs_make_parent (probe, made, sizeof made) != RS_OK) {
        rs_error ("replay journal: cannot create directory %s: %s", self->dir, strerror (errno));
        free (self);
        return NULL;
    }
    DIR *d = opendir (self->dir);
    if (!d) {
        rs_error ("replay journal: cannot read directory %s: %s", self->dir, strerror (errno));
        free (self);
        return NULL;
    }
    size_t plen = strlen (self->pub);
    struct dirent *e;
    while ((e = readdir (d)) && self->n_seg < S_MAX_SEGMENTS) {
        unsigned n;
        char tail[8];
        if (strncmp (e->d_name, self->pub, plen) == 0 && e->d_name[plen] == '.'
            && sscanf (e->d_name + plen + 1, "%u.%4s", &n, tail) == 2 && strcmp (tail, "jnl") == 0)
            self->seg[self->n_seg++] = (s_segment_t) { n, 0, 0 };
    }
    closedir (d);
    qsort (self->seg, self->n_seg, sizeof self->seg[0], s_cmp_seg);
    for (size_t i = 0; i < self->n_seg; i++)
        s_load (self, &self->seg[i], fn, arg);
    //  Appends go to a new segment: an old one may end in a torn record.
    if (s_new_segment (self, rs_clock_now_us ()) != 0) {
        rs_error ("replay journal: cannot write in %s: %s", self->dir, strerror (errno));
        rs_jfile_close (&self, false);
        return NULL;
    }
    return self;
}

void
rs_jfile_close (rs_jfile_t **self_p, bool ended)
{
    if (!self_p || !*self_p)
        return;
    rs_jfile_t *self = *self_p;
    if (self->fd >= 0)
        close (self->fd);
    for (size_t i = 0; ended && i < self->n_seg; i++) {
        char path[1200];
        s_path (self, self->seg[i].n, path, sizeof path);
        unlink (path);
    }
    free (self->buf);
    free (self);
    *self_p = NULL;
}

int
rs_jfile_append (rs_jfile_t *self, const char *topic, uint64_t epoch, uint64_t seq, const void *body,
                 size_t len, int64_t now_us)
{
    size_t tlen = strlen (topic);
    size_t need = sizeof (s_head_t) + tlen + len;
    if (need > self->buf_cap) {
        unsigned char *p = realloc (self->buf, need);
        if (!p)
            return -1;
        self->buf = p;
        self->buf_cap = need;
    }
    s_segment_t *seg = &self->seg[self->n_seg - 1];
    if (seg->bytes + need > self->max_bytes / 4 && seg->bytes > 0 && s_new_segment (self, now_us) != 0) {
        rs_log_limited (&self->err_limit, 10000, RS_LOG_ERROR, "replay journal: cannot start a segment in %s: %s",
                        self->dir, strerror (errno));
        return -1;
    }
    seg = &self->seg[self->n_seg - 1];
    s_head_t h = { S_MAGIC, (uint32_t) len, (uint32_t) tlen, 0, epoch, seq, now_us };
    memcpy (self->buf, &h, sizeof h);
    memcpy (self->buf + sizeof h, topic, tlen);
    if (len)
        memcpy (self->buf + sizeof h + tlen, body, len);
    //  One write per record: a process killed mid-way leaves a whole record
    //  or a torn one that the next open cuts off.
    ssize_t n = self->fd >= 0 ? write (self->fd, self->buf, need) : -1;
    if (n != (ssize_t) need) {
        rs_log_limited (&self->err_limit, 10000, RS_LOG_ERROR, "replay journal: cannot write in %s: %s",
                        self->dir, n < 0 ? strerror (errno) : "short write");
        return -1;
    }
    seg->bytes += need;
    seg->newest_us = now_us;
    return 0;
}

size_t
rs_jfile_bytes (rs_jfile_t *self)
{
    size_t total = 0;
    for (size_t i = 0; i < self->n_seg; i++)
        total += self->seg[i].bytes;
    return total;
}

size_t
rs_jfile_loaded (rs_jfile_t *self)
{
    return self->loaded;
}
