/*  rs_fanout: a TCP server that sends the same bytes to every client
    connected, for rigstream-wits0-out. It never blocks the caller's loop:
    each client has an output buffer, and a client that does not read fast
    enough loses whole frames (counted), never parts of one. What clients
    send is read and discarded (WITS0 peers send heartbeats); a client that
    closes is dropped. */
#ifndef RS_FANOUT_H
#define RS_FANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_err.h"

typedef struct {
    uint64_t accepted;
    uint64_t refused;           //  connections over max_clients, closed at once
    uint64_t disconnects;
    uint64_t frames;            //  frames queued to clients (one per client)
    uint64_t dropped;           //  frames a client lost because its buffer was full
    uint64_t bytes_out;
    uint64_t bytes_in;          //  read from clients and discarded
} rs_fanout_stats_t;

typedef struct rs_fanout_t rs_fanout_t;

//  Listens on host:port. Returns a fresh server, or NULL (rs_errmsg says why).
rs_fanout_t *rs_fanout_new (const char *host, int port, size_t max_clients);
//  Closes every connection and the listener.
void rs_fanout_destroy (rs_fanout_t **self_p);

//  The listening socket, for the caller's poll loop (readable: call rs_fanout_accept).
int rs_fanout_fd (rs_fanout_t *self);
//  Accepts waiting connections.
void rs_fanout_accept (rs_fanout_t *self, int64_t now_ms);
//  Queues a frame to every client and writes what the sockets take now.
void rs_fanout_send (rs_fanout_t *self, const void *data, size_t len, int64_t now_ms);
//  Queues a frame to every client that has been sent nothing for idle_ms.
//  Returns how many clients got it.
size_t rs_fanout_send_idle (rs_fanout_t *self, const void *data, size_t len, int64_t now_ms, int64_t idle_ms);
//  Reads (and discards) what clients sent, drops closed ones, writes
//  pending output. Call every 100 ms or so.
void rs_fanout_service (rs_fanout_t *self, int64_t now_ms);

size_t rs_fanout_clients (const rs_fanout_t *self);
const rs_fanout_stats_t *rs_fanout_stats (const rs_fanout_t *self);

#endif
