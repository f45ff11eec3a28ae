/*  rs_bind: what a bind option's host means, one rule for every listener.
    ZeroMQ reads a bind host that is not an address as a network interface
    name, so tcp://localhost:5555 fails with "No such device"; here
    "localhost" is the loopback, as the docs and the CURVE bind check say.
    Pure string work, apart from asking the kernel whether an interface name
    exists. */
#ifndef RS_BIND_H
#define RS_BIND_H

#include <stddef.h>

//  The host to listen on for a bind option's value, without brackets:
//  "localhost" gives 127.0.0.1, "::1" or "[::1]" gives ::1; "*", an IPv4 or
//  IPv6 address and the name of an existing network interface are kept.
//  Returns 0, or -1 with the reason in err (an unknown name, an empty value).
int rs_bind_host (const char *host, char *buf, size_t size, char *err, size_t errsize);

//  tcp://host:port to bind, the host as rs_bind_host makes it and an IPv6
//  address in brackets. Returns 0, or -1 with the reason in err.
int rs_bind_endpoint (const char *host, long port, char *buf, size_t size, char *err, size_t errsize);

//  A full endpoint to bind with its tcp:// host made as rs_bind_host makes it
//  (tcp://localhost:* gives tcp://127.0.0.1:*); ipc:// and inproc:// are kept.
//  Returns 0, or -1 with the reason in err.
int rs_bind_resolve (const char *endpoint, char *buf, size_t size, char *err, size_t errsize);

#endif
