/*  rs_bind: bind hosts and endpoints (see rs_bind.h). */
#include "rs_bind.h"
#include "rs_err.h"

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

//  The reason, naming the value, as the calling thread's last failure.
static rs_err_t
s_fail (const char *host, size_t len, const char *why)
{
    return rs_err_set (RS_E_CONFIG, "\"%.*s\" %s", (int) (len > 200 ? 200 : len), host, why);
}

//  host[0..len) without brackets; the rule of rs_bind_host.
static rs_err_t
s_host (const char *host, size_t len, char *buf, size_t size)
{
    if (len >= 2 && host [0] == '[' && host [len - 1] == ']') {
        host++;
        len -= 2;
    }
    char h[INET6_ADDRSTRLEN + IF_NAMESIZE + 8];
    if (len == 0)
        return s_fail (host, len, "is not an address to listen on: the host is empty");
    if (len >= sizeof h)
        return s_fail (host, len, "is not an address to listen on: too long");
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
        return s_fail (host, len,
                       "is not an address to listen on: give an IP address, localhost (the loopback), "
                       "* (every interface) or the name of a network interface");
    if (s_copy (buf, size, out, strlen (out)) != 0)
        return s_fail (host, len, "is too long for an endpoint");
    return RS_OK;
}

rs_err_t
rs_bind_host (const char *host, char *buf, size_t size)
{
    if (!host)
        host = "";
    return s_host (host, strlen (host), buf, size);
}

rs_err_t
rs_bind_endpoint (const char *host, long port, char *buf, size_t size)
{
    char h[128];
    rs_err_t rc = rs_bind_host (host, h, sizeof h);
    if (rc != RS_OK)
        return rc;
    int n = snprintf (buf, size, strchr (h, ':') ? "tcp://[%s]:%ld" : "tcp://%s:%ld", h, port);
    if (n < 0 || (size_t) n >= size)
        return s_fail (h, strlen (h), "makes an endpoint too long");
    return RS_OK;
}

rs_err_t
rs_bind_resolve (const char *endpoint, char *buf, size_t size)
{
    if (!endpoint)
        endpoint = "";
    const char *host = endpoint + 6;
    const char *colon = strrchr (host, ':');
    //  Not tcp, or a tcp endpoint naming its source (src;dest): as given;
    //  zmq_bind says what is wrong with it.
    if (strncmp (endpoint, "tcp://", 6) != 0 || !colon || memchr (host, ';', (size_t) (colon - host))) {
        if (s_copy (buf, size, endpoint, strlen (endpoint)) != 0)
            return s_fail (endpoint, strlen (endpoint), "is too long for an endpoint");
        return RS_OK;
    }
    char h[128];
    rs_err_t rc = s_host (host, (size_t) (colon - host), h, sizeof h);
    if (rc != RS_OK)
        return rc;
    int n = snprintf (buf, size, strchr (h, ':') ? "tcp://[%s]%s" : "tcp://%s%s", h, colon);
    if (n < 0 || (size_t) n >= size)
        return s_fail (endpoint, strlen (endpoint), "is too long for an endpoint");
    return RS_OK;
}
