/*  rs_bind: bind hosts and endpoints (see rs_bind.h). */
#include "rs_bind.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

//  Copies src into buf; -1 when it does not fit.
static int
s_copy (char *buf, size_t size, const char *src, size_t len)
{
    if (len >= size)
        return -1;
    memcpy (buf, src, len);
    buf [len] = 0;
    return 0;
}

static int
s_fail (char *err, size_t errsize, const char *host, size_t len, const char *why)
{
    if (err && errsize)
        snprintf (err, errsize, "\"%.*s\" %s", (int) (len > 200 ? 200 : len), host, why);
    return -1;
}

//  host[0..len) without brackets; the rule of rs_bind_host.
static int
s_host (const char *host, size_t len, char *buf, size_t size, char *err, size_t errsize)
{
    if (len >= 2 && host [0] == '[' && host [len - 1] == ']') {
        host++;
        len -= 2;
    }
    char h[INET6_ADDRSTRLEN + IF_NAMESIZE + 8];
    if (len == 0)
        return s_fail (err, errsize, host, len, "is not an address to listen on: the host is empty");
    if (len >= sizeof h)
        return s_fail (err, errsize, host, len, "is not an address to listen on: too long");
    memcpy (h, host, len);
    h [len] = 0;
    const char *out = h;
    unsigned char addr[sizeof (struct in6_addr)];
    //  Host names are not case-sensitive.
    if (strcasecmp (h, "localhost") == 0)
        out = "127.0.0.1";
    else
    if (strcmp (h, "*") == 0 || inet_pton (AF_INET, h, addr) == 1 || inet_pton (AF_INET6, h, addr) == 1)
        out = h;
    else
    if (if_nametoindex (h) == 0)
        return s_fail (err, errsize, host, len,
                       "is not an address to listen on: give an IP address, localhost (the loopback), "
                       "* (every interface) or the name of a network interface");
    if (s_copy (buf, size, out, strlen (out)) != 0)
        return s_fail (err, errsize, host, len, "is too long for an endpoint");
    return 0;
}

int
rs_bind_host (const char *host, char *buf, size_t size, char *err, size_t errsize)
{
    if (!host)
        host = "";
    return s_host (host, strlen (host), buf, size, err, errsize);
}

int
rs_bind_endpoint (const char *host, long port, char *buf, size_t size, char *err, size_t errsize)
{
    char h[128];
    if (rs_bind_host (host, h, sizeof h, err, errsize) != 0)
        return -1;
    int n = snprintf (buf, size, strchr (h, ':') ? "tcp://[%s]:%ld" : "tcp://%s:%ld", h, port);
    if (n < 0 || (size_t) n >= size)
        return s_fail (err, errsize, h, strlen (h), "makes an endpoint too long");
    return 0;
}

int
rs_bind_resolve (const char *endpoint, char *buf, size_t size, char *err, size_t errsize)
{
    if (!endpoint)
        endpoint = "";
    const char *host = endpoint + 6;
    const char *colon = strrchr (host, ':');
    //  Not tcp, or a tcp endpoint naming its source (src;dest): as given;
    //  zmq_bind says what is wrong with it.
    if (strncmp (endpoint, "tcp://", 6) != 0 || !colon || memchr (host, ';', (size_t) (colon - host))) {
        if (s_copy (buf, size, endpoint, strlen (endpoint)) != 0)
            return s_fail (err, errsize, endpoint, strlen (endpoint), "is too long for an endpoint");
        return 0;
    }
    char h[128];
    if (s_host (host, (size_t) (colon - host), h, sizeof h, err, errsize) != 0)
        return -1;
    int n = snprintf (buf, size, strchr (h, ':') ? "tcp://[%s]%s" : "tcp://%s%s", h, colon);
    if (n < 0 || (size_t) n >= size)
        return s_fail (err, errsize, endpoint, strlen (endpoint), "is too long for an endpoint");
    return 0;
}
