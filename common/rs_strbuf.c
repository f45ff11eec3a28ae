/*  rs_strbuf: growable text buffer with a sticky failure flag. */
#include "rs_strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void
rs_strbuf_init (rs_strbuf_t *self)
{
    self->data = NULL;
    self->len = self->cap = 0;
    self->failed = false;
}

void
rs_strbuf_cleanup (rs_strbuf_t *self)
{
    free (self->data);
    rs_strbuf_init (self);
}

void
rs_strbuf_reset (rs_strbuf_t *self)
{
    self->len = 0;
    self->failed = false;
    if (self->data)
        self->data[0] = '\0';
}

void
rs_strbuf_add (rs_strbuf_t *self, const char *fmt, ...)
{
    if (self->failed)
        return;
    for (int attempt = 0; attempt < 2; attempt++) {
        va_list ap;
        va_start (ap, fmt);
        size_t room = self->cap - self->len;
        int n = vsnprintf (self->data ? self->data + self->len : NULL, self->data ? room : 0, fmt, ap);
        va_end (ap);
        if (n < 0) {
            self->failed = true;
            return;
        }
        if ((size_t) n < room) {
            self->len += (size_t) n;
            return;
        }
        size_t cap = self->cap ? self->cap : 256;
        while (cap < self->len + (size_t) n + 1)
            cap *= 2;
        char *data = realloc (self->data, cap);
        if (!data) {
            self->failed = true;
            return;
        }
        self->data = data;
        self->cap = cap;
    }
    self->failed = true;
}

bool
rs_strbuf_ok (const rs_strbuf_t *self)
{
    return !self->failed;
}

const char *
rs_strbuf_text (const rs_strbuf_t *self)
{
    return self->data && !self->failed ? self->data : "";
}
