/*  rs_bind: what a bind option's host means, one rule for every listener.
    ZeroMQ reads a bind host that is not an address as a network interface
    name, so tcp://localhost:5555 fails with "No such device"; here
    "localhost" is the loopback, as the docs and the CURVE bind check say.
    Pure string work, apart from asking the kernel whether an interface name
    exists. */
#ifndef RS_BIND_H
#define RS_BIND_H

#include <stddef.h>

#include "rs_err.h"

//  The host to listen on for a bind option's value, without brackets:
//  "localhost" gives 127.0.0.1, "::1" or "[::1]" gives ::1; "*", an IPv4 or
//  IPv6 address and the name of an existing network interface are kept.
//  Returns RS_OK, or RS_E_CONFIG with the reason (an unknown name, an empty
//  value) in rs_errmsg ().
rs_err_t rs_bind_host (const char *host, char *buf, size_t size);

//  tcp://host:port to bind, the host as rs_bind_host makes it and an IPv6
//  address in brackets. Returns RS_OK, or RS_E_CONFIG with the reason in
//  rs_errmsg ().
rs_err_t rs_bind_endpoint (const char *host, long port, char *buf, size_t size);

//  A full endpoint to bind with its tcp:// host made as rs_bind_host makes it
//  (tcp://localhost:* gives tcp://127.0.0.1:*); ipc:// and inproc:// are kept.
//  Returns RS_OK, or RS_E_CONFIG with the reason in rs_errmsg ().
rs_err_t rs_bind_resolve (const char *endpoint, char *buf, size_t size);

#endif
