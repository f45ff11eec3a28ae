/*  rs_strbuf: a growable text buffer for SQL and output lines. An append
    that cannot grow marks the buffer failed instead of truncating, so a
    statement is never silently cut short; check rs_strbuf_ok once at the end. */
#ifndef RS_STRBUF_H
#define RS_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data;       //  NUL-terminated (NULL until the first append)
    size_t len, cap;
    bool failed;
} rs_strbuf_t;

void rs_strbuf_init (rs_strbuf_t *self);
void rs_strbuf_cleanup (rs_strbuf_t *self);
void rs_strbuf_reset (rs_strbuf_t *self);
void rs_strbuf_add (rs_strbuf_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
//  True when every append fitted; the text is then rs_strbuf_text.
bool rs_strbuf_ok (const rs_strbuf_t *self);
//  The text ("" when empty).
const char *rs_strbuf_text (const rs_strbuf_t *self);

#endif
