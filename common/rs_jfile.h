/*  rs_jfile: a publisher's replay journal kept on disk as well, so that a
    crashed publisher (an acquisition reader killed, a power cut of the
    process) restarts where it stopped: same epoch, seqs continuing, and the
    messages durable subscribers missed still served. Records are appended
    with one write(2) each before the message is sent (write-ahead: a crash
    can never leave a sent message the file lacks); a torn last record is
    cut off when the file is read back. Files are segments
    <dir>/<pub>.<n>.jnl of a quarter of the byte budget each; whole segments
    are deleted, oldest first, past the budget or the age. A clean stop
    (the end-of-stream sent) removes them: the next start is a new epoch. */
#ifndef RS_JFILE_H
#define RS_JFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rs_jfile_t rs_jfile_t;

//  Called for each record read back, oldest first; return 0 to go on.
typedef int (rs_jfile_fn) (const char *topic, uint64_t epoch, uint64_t seq, const void *body, size_t len,
                           void *arg);

//  Opens (creating dir if needed) the journal of publisher pub_id, calls fn
//  for every record already there, and appends after them. Returns a fresh
//  journal, or NULL (logged) when the directory or a file cannot be used.
rs_jfile_t *rs_jfile_open (const char *dir, const char *pub_id, size_t max_bytes, int64_t max_age_us,
                           rs_jfile_fn *fn, void *arg);
//  Closes; with `ended` (the stream was ended cleanly) removes the files.
void rs_jfile_close (rs_jfile_t **self_p, bool ended);
//  Appends one message. Returns 0, or -1 on a write error (logged,
//  rate-limited; the message is then in memory only).
int rs_jfile_append (rs_jfile_t *self, const char *topic, uint64_t epoch, uint64_t seq, const void *body,
                     size_t len, int64_t now_us);
//  Bytes on disk and records read back at open.
size_t rs_jfile_bytes (rs_jfile_t *self);
size_t rs_jfile_loaded (rs_jfile_t *self);

#endif
