/*  rs_link: a byte stream from rig equipment, for rigstream-wits0: a TCP
    connection we make (and remake, with back-off), a TCP port we listen on
    (one peer at a time; a new one replaces the old), a serial device
    (termios: baud and framing; reopened when it goes away) or a file
    (stdin for "-"). Non-blocking; the caller polls the fds it is given in
    its own loop. Connection changes are logged here, once, with the reason. */
#ifndef RS_LINK_H
#define RS_LINK_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rs_err.h"

typedef enum { RS_LINK_CONNECT, RS_LINK_LISTEN, RS_LINK_SERIAL, RS_LINK_FILE } rs_link_kind_t;

typedef struct {
    rs_link_kind_t kind;
    const char *target;         //  host:port, [host:]port (host 127.0.0.1), device, path or "-"
    int baud;                   //  serial: 50 to 4000000 (a standard rate)
    const char *framing;        //  serial: data bits, parity, stop bits: "8N1", "7E1", ...
    int backoff_max_ms;         //  longest wait between attempts (first 1 s, doubling); 0 = 30 s
    int idle_timeout_ms;        //  drop a link silent this long; 0 = never (files: ignored)
} rs_link_opts_t;

typedef struct {
    uint64_t connects;          //  links established (accepted, opened)
    uint64_t disconnects;       //  links lost or dropped
    uint64_t attempts_failed;   //  connect or open attempts that failed
    uint64_t bytes;             //  read
    uint64_t idle_drops;        //  links dropped for silence
} rs_link_stats_t;

typedef struct rs_link_t rs_link_t;

//  Checks the options without touching anything: RS_OK, or RS_E_CONFIG
//  (an address that is not host:port, an unknown baud rate or framing;
//  rs_errmsg says which).
rs_err_t rs_link_check (const rs_link_opts_t *opts);
//  Checks the options and, for a listener, binds. Returns a fresh link, or
//  NULL, rs_errmsg saying why (bad address or framing, port in use...).
rs_link_t *rs_link_new (const rs_link_opts_t *opts);
void rs_link_destroy (rs_link_t **self_p);

//  What to poll: fills up to 2 entries of fds and returns how many; sets
//  *wake_ms (monotonic) when the link has something to do by then
//  (a reconnect attempt, an idle check) and leaves it alone otherwise.
int rs_link_fds (rs_link_t *self, struct pollfd *fds, int max, int64_t now_ms, int64_t *wake_ms);

#define RS_LINK_DOWN (-1)       //  the link was lost: a frame in progress is cut
#define RS_LINK_END  (-2)       //  a file reached its end

//  Does what the poll results (fds as filled by rs_link_fds, after poll)
//  and the time call for: accepts, connects, reopens, reads. Returns the
//  number of bytes read into buf, 0 when there is nothing, RS_LINK_DOWN or
//  RS_LINK_END.
ssize_t rs_link_service (rs_link_t *self, const struct pollfd *fds, int n, int64_t now_ms,
                         void *buf, size_t size);
//  Writes to the peer, best effort (never blocks: what does not fit now is
//  dropped). Returns 0, or -1 when the link is down or the write failed
//  (the link is then closed: the next rs_link_service says RS_LINK_DOWN).
int rs_link_write (rs_link_t *self, const void *data, size_t len);

bool rs_link_up (const rs_link_t *self);
//  The peer or device, for logs and heartbeats ("10.0.0.5:4001", "/dev/ttyS0").
const char *rs_link_peer (const rs_link_t *self);
const rs_link_stats_t *rs_link_stats (const rs_link_t *self);

#endif
