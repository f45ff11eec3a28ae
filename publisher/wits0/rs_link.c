/*  rs_link: sockets and termios behind one small state machine: down (with
    the time of the next attempt), connecting (TCP client), up. Back-off
    starts at 1 s, doubles on each failure up to the maximum, and starts over
    once a link has delivered data. */
#include "rs_link.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "rs_clock.h"
#include "rs_log.h"

#define BACKOFF_FIRST_MS 1000
//  A TCP connection not made by then has failed (the kernel would wait minutes).
#define CONNECT_TIMEOUT_MS 10000

struct rs_link_t {
    rs_link_opts_t opts;
    char target[256];
    char host[200];
    char port[8];
    speed_t speed;
    tcflag_t cflag;             //  serial framing bits
    int fd;
    int listen_fd;
    bool connecting;
    bool up;
    bool pending_down;          //  closed by a failed write; reported by the next service
    bool delivered;             //  the current link has delivered data
    int64_t next_attempt_ms;
    int64_t connect_started_ms;
    int backoff_ms;
    int64_t last_rx_ms;
    char peer[256];
    rs_link_stats_t stats;
    rs_log_limit_t fail_log;
};

static const struct {
    int baud;
    speed_t speed;
} s_bauds[] = {
    { 50, B50 }, { 75, B75 }, { 110, B110 }, { 150, B150 }, { 300, B300 }, { 600, B600 },
    { 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 }, { 19200, B19200 },
    { 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
#ifdef B460800
    { 460800, B460800 },
#endif
#ifdef B921600
    { 921600, B921600 },
#endif
};

static int
s_framing (const char *text, tcflag_t *cflag)
{
    if (!text || strlen (text) != 3)
        return -1;
    tcflag_t f = 0;
    switch (text[0]) {
        case '5': f |= CS5; break;
        case '6': f |= CS6; break;
        case '7': f |= CS7; break;
        case '8': f |= CS8; break;
        default: return -1;
    }
    switch (text[1]) {
        case 'N': case 'n': break;
        case 'E': case 'e': f |= PARENB; break;
        case 'O': case 'o': f |= PARENB | PARODD; break;
        default: return -1;
    }
    if (text[2] == '2')
        f |= CSTOPB;
    else if (text[2] != '1')
        return -1;
    *cflag = f;
    return 0;
}

//  Splits host:port ([v6]:port too); a bare port takes default_host.
static int
s_address (const char *text, const char *default_host, char *host, size_t hsize, char *port, size_t psize)
{
    const char *colon = strrchr (text, ':');
    const char *p = colon ? colon + 1 : text;
    size_t hlen = colon ? (size_t) (colon - text) : 0;
    const char *h = text;
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    if (!colon) {
        h = default_host;
        hlen = strlen (default_host);
    }
    char *end = NULL;
    long v = strtol (p, &end, 10);
    if (!*p || *end || v < 1 || v > 65535 || hlen == 0 || hlen >= hsize)
        return -1;
    memcpy (host, h, hlen);
    host[hlen] = 0;
    snprintf (port, psize, "%ld", v);
    return 0;
}

static void
s_close (rs_link_t *self)
{
    if (self->fd >= 0 && !(self->opts.kind == RS_LINK_FILE && self->fd == STDIN_FILENO))
        close (self->fd);
    self->fd = -1;
    self->up = false;
    self->connecting = false;
}

static void
s_schedule (rs_link_t *self, int64_t now_ms)
{
    self->next_attempt_ms = now_ms + self->backoff_ms;
    int max = self->opts.backoff_max_ms > 0 ? self->opts.backoff_max_ms : 30000;
    self->backoff_ms = self->backoff_ms * 2 > max ? max : self->backoff_ms * 2;
}

static void
s_failed (rs_link_t *self, int64_t now_ms, const char *what, int err)
{
    s_close (self);
    self->stats.attempts_failed++;
    int wait_ms = self->backoff_ms;
    s_schedule (self, now_ms);
    rs_log_limited (&self->fail_log, 30000, RS_LOG_WARN, "%s %s: %s; trying again in %d s, then at "
                    "most %d s apart", what, self->target, strerror (err), wait_ms / 1000,
                    (self->opts.backoff_max_ms > 0 ? self->opts.backoff_max_ms : 30000) / 1000);
}

static void
s_up (rs_link_t *self, int64_t now_ms)
{
    self->up = true;
    self->connecting = false;
    self->delivered = false;
    self->last_rx_ms = now_ms;
    self->stats.connects++;
}

//  The link was up and is lost; a link that had delivered data tries again
//  after the first back-off step, one that had not keeps backing off.
static ssize_t
s_down (rs_link_t *self, int64_t now_ms, const char *why)
{
    rs_warn ("lost %s: %s", self->peer, why);
    s_close (self);
    self->stats.disconnects++;
    if (self->delivered)
        self->backoff_ms = BACKOFF_FIRST_MS;
    if (self->opts.kind != RS_LINK_LISTEN)
        s_schedule (self, now_ms);
    return RS_LINK_DOWN;
}

static void
s_connect (rs_link_t *self, int64_t now_ms)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
    int rc = getaddrinfo (self->host, self->port, &hints, &res);
    if (rc != 0) {
        s_close (self);
        self->stats.attempts_failed++;
        s_schedule (self, now_ms);
        rs_log_limited (&self->fail_log, 30000, RS_LOG_WARN, "cannot resolve %s: %s; trying again",
                        self->host, gai_strerror (rc));
        return;
    }
    int fd = socket (res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int err = errno;
        freeaddrinfo (res);
        s_failed (self, now_ms, "cannot connect to", err);
        return;
    }
    self->fd = fd;
    rc = connect (fd, res->ai_addr, res->ai_addrlen);
    int err = errno;
    freeaddrinfo (res);
    snprintf (self->peer, sizeof self->peer, "%s", self->target);
    if (rc == 0) {
        s_up (self, now_ms);
        rs_info ("connected to %s", self->target);
    }
    else if (err == EINPROGRESS) {
        self->connecting = true;
        self->connect_started_ms = now_ms;
    }
    else
        s_failed (self, now_ms, "cannot connect to", err);
}

static void
s_serial_open (rs_link_t *self, int64_t now_ms)
{
    int fd = open (self->target, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        s_failed (self, now_ms, "cannot open", errno);
        return;
    }
    self->fd = fd;
    struct termios t;
    if (tcgetattr (fd, &t) != 0) {
        s_failed (self, now_ms, "not a serial device:", errno);
        return;
    }
    cfmakeraw (&t);
    t.c_cflag &= ~(tcflag_t) (CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    t.c_cflag |= CLOCAL | CREAD | self->cflag;
    t.c_iflag &= ~(tcflag_t) (IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (cfsetispeed (&t, self->speed) != 0 || cfsetospeed (&t, self->speed) != 0
        || tcsetattr (fd, TCSANOW, &t) != 0) {
        s_failed (self, now_ms, "cannot set up", errno);
        return;
    }
    snprintf (self->peer, sizeof self->peer, "%s", self->target);
    s_up (self, now_ms);
    rs_info ("opened %s at %d baud, %s", self->target, self->opts.baud, self->opts.framing);
}

//  Parses the options into self (addresses, speed, framing): RS_OK or
//  RS_E_CONFIG (rs_errmsg says why).
static rs_err_t
s_parse (rs_link_t *self, const rs_link_opts_t *opts)
{
    snprintf (self->target, sizeof self->target, "%s", opts->target ? opts->target : "");
    if (!self->target[0])
        return rs_err_set (RS_E_CONFIG, "no address, device or file given");
    if (opts->kind == RS_LINK_CONNECT || opts->kind == RS_LINK_LISTEN) {
        bool listen = opts->kind == RS_LINK_LISTEN;
        if (s_address (self->target, listen ? "127.0.0.1" : "", self->host, sizeof self->host, self->port,
                       sizeof self->port) != 0)
            return rs_err_set (RS_E_CONFIG, "invalid address \"%s\": expected %s", self->target,
                               listen ? "[host:]port" : "host:port");
    }
    else if (opts->kind == RS_LINK_SERIAL) {
        size_t i;
        for (i = 0; i < sizeof s_bauds / sizeof s_bauds[0]; i++)
            if (s_bauds[i].baud == opts->baud)
                break;
        if (i == sizeof s_bauds / sizeof s_bauds[0])
            return rs_err_set (RS_E_CONFIG, "unsupported baud rate %d (1200, 2400, 4800, 9600, 19200, 38400, "
                               "57600, 115200...)", opts->baud);
        self->speed = s_bauds[i].speed;
        if (s_framing (opts->framing, &self->cflag) != 0)
            return rs_err_set (RS_E_CONFIG, "invalid framing \"%s\": expected data bits 5-8, parity N, E or O, "
                               "stop bits 1 or 2, e.g. 8N1 or 7E1", opts->framing ? opts->framing : "");
    }
    return RS_OK;
}

rs_err_t
rs_link_check (const rs_link_opts_t *opts)
{
    rs_link_t scratch;
    return s_parse (&scratch, opts);
}

rs_link_t *
rs_link_new (const rs_link_opts_t *opts)
{
    rs_link_t *self = calloc (1, sizeof *self);
    if (!self) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
    self->opts = *opts;
    self->fd = -1;
    self->listen_fd = -1;
    self->backoff_ms = BACKOFF_FIRST_MS;
    if (s_parse (self, opts) != RS_OK)
        goto fail;
    snprintf (self->peer, sizeof self->peer, "%s", self->target);
    switch (opts->kind) {
        case RS_LINK_CONNECT:
        case RS_LINK_SERIAL:
            break;
        case RS_LINK_LISTEN: {
            struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                                      .ai_flags = AI_PASSIVE }, *res = NULL;
            int rc = getaddrinfo (self->host, self->port, &hints, &res);
            if (rc != 0) {
                rs_err_set (RS_E_SOCKET, "cannot listen on %s: %s", self->target, gai_strerror (rc));
                goto fail;
            }
            int fd = socket (res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            int one = 1;
            if (fd >= 0)
                setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (fd < 0 || bind (fd, res->ai_addr, res->ai_addrlen) != 0 || listen (fd, 4) != 0) {
                rs_err_set (RS_E_SOCKET, "cannot listen on %s:%s: %s", self->host, self->port, strerror (errno));
                if (fd >= 0)
                    close (fd);
                freeaddrinfo (res);
                goto fail;
            }
            freeaddrinfo (res);
            self->listen_fd = fd;
            break;
        }
        case RS_LINK_FILE:
            if (strcmp (self->target, "-") == 0) {
                self->fd = STDIN_FILENO;
                snprintf (self->peer, sizeof self->peer, "standard input");
            }
            else if ((self->fd = open (self->target, O_RDONLY | O_CLOEXEC)) < 0) {
                rs_err_set (RS_E_IO, "%s: cannot open: %s", self->target, strerror (errno));
                goto fail;
            }
            s_up (self, 0);
            break;
    }
    return self;
fail:
    free (self);
    return NULL;
}

void
rs_link_destroy (rs_link_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_link_t *self = *self_p;
    s_close (self);
    if (self->listen_fd >= 0)
        close (self->listen_fd);
    free (self);
    *self_p = NULL;
}

static void
s_wake (int64_t *wake_ms, int64_t at)
{
    if (*wake_ms == 0 || at < *wake_ms)
        *wake_ms = at;
}

int
rs_link_fds (rs_link_t *self, struct pollfd *fds, int max, int64_t now_ms, int64_t *wake_ms)
{
    (void) now_ms;
    int n = 0;
    if (self->listen_fd >= 0 && n < max)
        fds[n++] = (struct pollfd) { self->listen_fd, POLLIN, 0 };
    if (self->fd >= 0 && n < max)
        fds[n++] = (struct pollfd) { self->fd, (short) (self->connecting ? POLLOUT : POLLIN), 0 };
    if (self->fd < 0 && self->opts.kind != RS_LINK_LISTEN && self->opts.kind != RS_LINK_FILE)
        s_wake (wake_ms, self->next_attempt_ms);
    if (self->up && self->opts.idle_timeout_ms > 0 && self->opts.kind != RS_LINK_FILE)
        s_wake (wake_ms, self->last_rx_ms + self->opts.idle_timeout_ms);
    if (self->connecting)
        s_wake (wake_ms, self->connect_started_ms + CONNECT_TIMEOUT_MS);
    return n;
}

static short
s_revents (const struct pollfd *fds, int n, int fd)
{
    for (int i = 0; i < n; i++)
        if (fds[i].fd == fd)
            return fds[i].revents;
    return 0;
}

ssize_t
rs_link_service (rs_link_t *self, const struct pollfd *fds, int n, int64_t now_ms, void *buf, size_t size)
{
    if (self->pending_down) {
        self->pending_down = false;
        return RS_LINK_DOWN;
    }
    if (self->listen_fd >= 0 && (s_revents (fds, n, self->listen_fd) & POLLIN)) {
        struct sockaddr_storage addr;
        socklen_t alen = sizeof addr;
        int fd = accept (self->listen_fd, (struct sockaddr *) &addr, &alen);
        if (fd >= 0 && (fcntl (fd, F_SETFL, O_NONBLOCK) != 0 || fcntl (fd, F_SETFD, FD_CLOEXEC) != 0)) {
            rs_warn ("cannot set up an accepted connection: %s", strerror (errno));
            close (fd);
            fd = -1;
        }
        if (fd >= 0) {
            char host[64] = "?", port[16] = "?";
            getnameinfo ((struct sockaddr *) &addr, alen, host, sizeof host, port, sizeof port,
                         NI_NUMERICHOST | NI_NUMERICSERV);
            char peer[sizeof self->peer];
            snprintf (peer, sizeof peer, "%s:%s", host, port);
            bool replaced = self->fd >= 0;
            if (replaced) {
                rs_warn ("peer %s replaces %s", peer, self->peer);
                s_close (self);
                self->stats.disconnects++;
            }
            else
                rs_info ("peer %s connected", peer);
            self->fd = fd;
            memcpy (self->peer, peer, sizeof peer);
            s_up (self, now_ms);
            if (replaced)
                return RS_LINK_DOWN;
        }
    }
    if (self->fd < 0) {
        if (now_ms >= self->next_attempt_ms) {
            if (self->opts.kind == RS_LINK_CONNECT)
                s_connect (self, now_ms);
            else if (self->opts.kind == RS_LINK_SERIAL)
                s_serial_open (self, now_ms);
        }
        return 0;
    }
    short revents = s_revents (fds, n, self->fd);
    if (self->connecting) {
        if (!revents) {
            if (now_ms - self->connect_started_ms >= CONNECT_TIMEOUT_MS)
                s_failed (self, now_ms, "cannot connect to", ETIMEDOUT);
            return 0;
        }
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt (self->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        if (err == 0) {
            s_up (self, now_ms);
            rs_info ("connected to %s", self->target);
        }
        else
            s_failed (self, now_ms, "cannot connect to", err);
        return 0;
    }
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t got = read (self->fd, buf, size);
        if (got > 0) {
            self->stats.bytes += (uint64_t) got;
            self->last_rx_ms = now_ms;
            if (!self->delivered) {
                self->delivered = true;
                self->backoff_ms = BACKOFF_FIRST_MS;
            }
            return got;
        }
        if (got == 0 && self->opts.kind == RS_LINK_FILE) {
            s_close (self);
            return RS_LINK_END;
        }
        if (got == 0)
            return s_down (self, now_ms, self->opts.kind == RS_LINK_SERIAL ? "the device hung up"
                                                                           : "connection closed by the peer");
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            if (self->opts.kind == RS_LINK_FILE) {
                rs_error ("%s: read error: %s", self->target, strerror (errno));
                s_close (self);
                return RS_LINK_END;
            }
            return s_down (self, now_ms, strerror (errno));
        }
    }
    if (self->up && self->opts.idle_timeout_ms > 0 && self->opts.kind != RS_LINK_FILE
        && now_ms - self->last_rx_ms >= self->opts.idle_timeout_ms) {
        char why[80];
        snprintf (why, sizeof why, "nothing received for %d s", self->opts.idle_timeout_ms / 1000);
        self->stats.idle_drops++;
        return s_down (self, now_ms, why);
    }
    return 0;
}

int
rs_link_write (rs_link_t *self, const void *data, size_t len)
{
    if (!self->up || self->opts.kind == RS_LINK_FILE)
        return -1;
    ssize_t w = self->opts.kind == RS_LINK_SERIAL ? write (self->fd, data, len)
                                                  : send (self->fd, data, len, MSG_NOSIGNAL);
    if (w >= 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    s_down (self, rs_clock_mono_ms (), strerror (errno));
    self->pending_down = true;
    return -1;
}

bool
rs_link_up (const rs_link_t *self)
{
    return self->up;
}

const char *
rs_link_peer (const rs_link_t *self)
{
    return self->peer;
}

const rs_link_stats_t *
rs_link_stats (const rs_link_t *self)
{
    return &self->stats;
}
