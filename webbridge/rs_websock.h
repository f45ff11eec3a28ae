/*  rs_websock: the /ws WebSocket session (docs/WEB.md). An upgrade is
    admitted by rs_webguard (rate, origin, read token, client count); the
    client then gets a hub client and a writer thread that drains its
    queue, so a slow browser blocks only its own writer. Each message the
    client sends passes the guard (frame kind, size, rate) before it is
    parsed; a subscribe with "since" queues recorded history ahead of live
    values. */
#ifndef RS_WEBSOCK_H
#define RS_WEBSOCK_H

#include <civetweb.h>

#include "rs_webreply.h"

//  Serves the WebSocket session at `uri` on the server's civetweb context.
void rs_websock_serve (rs_web_t *web, const char *uri);
//  civetweb's last word on a connection: an upgrade admitted whose
//  handshake then failed never reaches the WebSocket close handler, so
//  its slot is given back here.
void rs_websock_connection_closed (rs_web_t *web, const struct mg_connection *conn);

#endif
