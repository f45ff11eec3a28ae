/*  rs_fanout: non-blocking sockets, one fixed output buffer per client. */
#include "rs_fanout.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rs_log.h"

//  About 100 frames of record 01: a client that falls this far behind is
//  not reading; it loses frames until it catches up.
#define OUT_BYTES (32 * 1024)

typedef struct {
    int fd;
    char peer[84];
    char out[OUT_BYTES];
    size_t len;
    int64_t last_sent_ms;       //  when a frame was last queued for it
    bool dropping;              //  losing frames now (logged once per episode)
} client_t;

struct rs_fanout_t {
    int listen_fd;
    client_t *clients;
    size_t max;
    size_t n;
    rs_fanout_stats_t stats;
};

rs_fanout_t *
rs_fanout_new (const char *host, int port, size_t max_clients)
{
    rs_fanout_t *self = calloc (1, sizeof *self);
    if (!self || !(self->clients = calloc (max_clients ? max_clients : 1, sizeof *self->clients))) {
        rs_err_set (RS_E_NOMEM, "out of memory");
        free (self);
        return NULL;
    }
    self->max = max_clients;
    self->listen_fd = -1;
    char service[8];
    snprintf (service, sizeof service, "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *res;
    int rc = getaddrinfo (host, service, &hints, &res);
    if (rc != 0) {
        rs_err_set (RS_E_SOCKET, "cannot listen on %s:%d: %s", host, port, gai_strerror (rc));
        rs_fanout_destroy (&self);
        return NULL;
    }
    int fd = socket (res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind (fd, res->ai_addr, res->ai_addrlen) != 0 || listen (fd, 8) != 0) {
        rs_err_set (RS_E_SOCKET, "cannot listen on %s:%d: %s", host, port, strerror (errno));
        if (fd >= 0)
            close (fd);
        freeaddrinfo (res);
        rs_fanout_destroy (&self);
        return NULL;
    }
    freeaddrinfo (res);
    self->listen_fd = fd;
    return self;
}

void
rs_fanout_destroy (rs_fanout_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_fanout_t *self = *self_p;
    for (size_t i = 0; i < self->n; i++)
        close (self->clients[i].fd);
    if (self->listen_fd >= 0)
        close (self->listen_fd);
    free (self->clients);
    free (self);
    *self_p = NULL;
}

int
rs_fanout_fd (rs_fanout_t *self)
{
    return self->listen_fd;
}

static void
s_drop (rs_fanout_t *self, size_t i, const char *why)
{
    rs_info ("client %s left: %s", self->clients[i].peer, why);
    close (self->clients[i].fd);
    self->clients[i] = self->clients[self->n - 1];
    self->n--;
    self->stats.disconnects++;
}

void
rs_fanout_accept (rs_fanout_t *self, int64_t now_ms)
{
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t alen = sizeof addr;
        int fd = accept (self->listen_fd, (struct sockaddr *) &addr, &alen);
        if (fd < 0)
            return;
        char host[64] = "?", port[16] = "?";
        getnameinfo ((struct sockaddr *) &addr, alen, host, sizeof host, port, sizeof port,
                     NI_NUMERICHOST | NI_NUMERICSERV);
        if (self->n == self->max || fcntl (fd, F_SETFL, O_NONBLOCK) != 0 || fcntl (fd, F_SETFD, FD_CLOEXEC) != 0) {
            rs_warn ("client %s:%s refused: %zu clients already (the most allowed)", host, port, self->n);
            close (fd);
            self->stats.refused++;
            continue;
        }
        client_t *c = &self->clients[self->n++];
        memset (c, 0, sizeof *c);
        c->fd = fd;
        c->last_sent_ms = now_ms;
        snprintf (c->peer, sizeof c->peer, "%s:%s", host, port);
        self->stats.accepted++;
        rs_info ("client %s connected (%zu now)", c->peer, self->n);
    }
}

//  Writes what the socket takes. Returns -1 when the client is gone.
static int
s_flush (rs_fanout_t *self, client_t *c)
{
    while (c->len) {
        ssize_t w = send (c->fd, c->out, c->len, MSG_NOSIGNAL);
        if (w < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        memmove (c->out, c->out + w, c->len - (size_t) w);
        c->len -= (size_t) w;
        self->stats.bytes_out += (uint64_t) w;
    }
    return 0;
}

static void
s_queue (rs_fanout_t *self, client_t *c, const void *data, size_t len, int64_t now_ms)
{
    if (c->len + len > sizeof c->out) {
        self->stats.dropped++;
        if (!c->dropping)
            rs_warn ("client %s is not reading: frames for it are dropped until it catches up", c->peer);
        c->dropping = true;
        return;
    }
    c->dropping = false;
    memcpy (c->out + c->len, data, len);
    c->len += len;
    c->last_sent_ms = now_ms;
    self->stats.frames++;
}

void
rs_fanout_send (rs_fanout_t *self, const void *data, size_t len, int64_t now_ms)
{
    for (size_t i = 0; i < self->n;) {
        s_queue (self, &self->clients[i], data, len, now_ms);
        if (s_flush (self, &self->clients[i]) != 0)
            s_drop (self, i, strerror (errno));
        else
            i++;
    }
}

size_t
rs_fanout_send_idle (rs_fanout_t *self, const void *data, size_t len, int64_t now_ms, int64_t idle_ms)
{
    size_t sent = 0;
    for (size_t i = 0; i < self->n;) {
        client_t *c = &self->clients[i];
        if (now_ms - c->last_sent_ms >= idle_ms) {
            s_queue (self, c, data, len, now_ms);
            sent++;
            if (s_flush (self, c) != 0) {
                s_drop (self, i, strerror (errno));
                continue;
            }
        }
        i++;
    }
    return sent;
}

void
rs_fanout_service (rs_fanout_t *self, int64_t now_ms)
{
    (void) now_ms;
    char buf[4096];
    for (size_t i = 0; i < self->n;) {
        client_t *c = &self->clients[i];
        ssize_t got;
        while ((got = recv (c->fd, buf, sizeof buf, 0)) > 0)
            self->stats.bytes_in += (uint64_t) got;
        if (got == 0) {
            s_drop (self, i, "closed the connection");
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            s_drop (self, i, strerror (errno));
            continue;
        }
        if (s_flush (self, c) != 0) {
            s_drop (self, i, strerror (errno));
            continue;
        }
        i++;
    }
}

size_t
rs_fanout_clients (const rs_fanout_t *self)
{
    return self->n;
}

const rs_fanout_stats_t *
rs_fanout_stats (const rs_fanout_t *self)
{
    return &self->stats;
}
