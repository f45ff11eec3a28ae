/*  rs_websec: access rules of the web bridge. See rs_websec.h. */
#include "rs_websec.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool
rs_websec_host_is_loopback (const char *host)
{
    if (!host || !*host)
        return false;
    if (strcasecmp (host, "localhost") == 0)
        return true;
    struct in_addr a4;
    if (inet_pton (AF_INET, host, &a4) == 1)
        return (ntohl (a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    char bare[64];
    size_t len = strlen (host);
    //  "[::1]" as well as "::1".
    if (host[0] == '[' && len > 2 && len < sizeof bare + 2 && host[len - 1] == ']') {
        memcpy (bare, host + 1, len - 2);
        bare[len - 2] = 0;
        host = bare;
    }
    if (inet_pton (AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK (&a6);
    return false;
}

bool
rs_websec_token_equal (const char *given, const char *expected)
{
    if (!given || !expected || !*expected)
        return false;
    size_t glen = strlen (given), elen = strlen (expected);
    //  One pass over the client's bytes whatever they hold: no early exit.
    volatile unsigned char diff = glen != elen;
    for (size_t i = 0; i < glen; i++)
        diff |= (unsigned char) given[i] ^ (unsigned char) expected[i < elen ? i : 0];
    return diff == 0;
}

const char *
rs_websec_bearer (const char *header)
{
    if (!header || strncasecmp (header, "Bearer", 6) != 0 || (header[6] != ' ' && header[6] != '\t'))
        return NULL;
    const char *p = header + 6;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p ? p : NULL;
}

rs_websec_verdict_t
rs_websec_check (const rs_websec_policy_t *policy, bool write, const char *token)
{
    const char *rt = policy->read_token && *policy->read_token ? policy->read_token : NULL;
    const char *wt = policy->write_token && *policy->write_token ? policy->write_token : NULL;
    bool is_write = wt && token && rs_websec_token_equal (token, wt);
    bool is_read = rt && token && rs_websec_token_equal (token, rt);
    if (write) {
        if (!wt || is_write)
            return RS_WEBSEC_ALLOW;
        return is_read ? RS_WEBSEC_FORBIDDEN : RS_WEBSEC_UNAUTHORIZED;
    }
    if (!rt || is_read || is_write)
        return RS_WEBSEC_ALLOW;
    return RS_WEBSEC_UNAUTHORIZED;
}

//  Splits `len` bytes of "name", "name:port" or "[v6]:port" into the name
//  (lowercase, brackets off) and the port (0 when none). Returns 0, or -1
//  when malformed.
static int
s_split_host (const char *host, size_t len, char *name, size_t namesize, int *port)
{
    const char *end = host + len, *colon = NULL, *nstart = host, *nend;
    if (len && *host == '[') {
        const char *close = memchr (host, ']', len);
        if (!close)
            return -1;
        nstart = host + 1;
        nend = close;
        if (close + 1 < end) {
            if (close[1] != ':')
                return -1;
            colon = close + 1;
        }
    }
    else {
        colon = memchr (host, ':', len);
        nend = colon ? colon : end;
        if (colon && memchr (colon + 1, ':', (size_t) (end - colon - 1)))
            return -1;              //  a bare IPv6 address: not a Host
    }
    size_t nlen = (size_t) (nend - nstart);
    if (nlen == 0 || nlen >= namesize)
        return -1;
    for (size_t i = 0; i < nlen; i++) {
        unsigned char c = (unsigned char) nstart[i];
        bool v6 = nstart != host && (c == ':' || c == '%');
        if (!isalnum (c) && c != '-' && c != '.' && c != '_' && !v6)
            return -1;
        name[i] = (char) tolower (c);
    }
    name[nlen] = 0;
    *port = 0;
    if (colon) {
        const char *p = colon + 1;
        if (p == end || end - p > 5)
            return -1;
        int v = 0;
        for (; p < end; p++) {
            if (*p < '0' || *p > '9')
                return -1;
            v = v * 10 + (*p - '0');
        }
        if (v < 1 || v > 65535)
            return -1;
        *port = v;
    }
    return 0;
}

static bool
s_is_wildcard (const char *host)
{
    return !host || !*host || strcmp (host, "0.0.0.0") == 0 || strcmp (host, "::") == 0
           || strcmp (host, "[::]") == 0;
}

static bool
s_is_ip_literal (const char *name)
{
    struct in_addr a4;
    struct in6_addr a6;
    return inet_pton (AF_INET, name, &a4) == 1 || inet_pton (AF_INET6, name, &a6) == 1;
}

bool
rs_websec_host_allowed (const char *host, const rs_websec_hosts_t *hosts)
{
    char name[256], want[256];
    int port;
    if (!host || s_split_host (host, strlen (host), name, sizeof name, &port) != 0)
        return false;
    bool port_ok = port == 0 || port == hosts->port;
    if (port_ok && rs_websec_host_is_loopback (name))
        return true;
    const char *bind = hosts->bind_host;
    if (port_ok && s_is_wildcard (bind) && s_is_ip_literal (name))
        return true;
    int wport;
    if (port_ok && !s_is_wildcard (bind) && s_split_host (bind, strlen (bind), want, sizeof want, &wport) == 0
        && strcmp (want, name) == 0)
        return true;
    for (const char *p = hosts->allowed; p && *p;) {
        const char *comma = strchr (p, ',');
        size_t len = comma ? (size_t) (comma - p) : strlen (p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len && s_split_host (p, len, want, sizeof want, &wport) == 0 && strcmp (want, name) == 0
            && (wport ? port == wport : port_ok))
            return true;
        p = comma ? comma + 1 : p + len;
    }
    return false;
}

//  Case-insensitive comparison of `len` bytes of a with the whole of b.
static bool
s_equal_n (const char *a, size_t len, const char *b)
{
    return strlen (b) == len && strncasecmp (a, b, len) == 0;
}

bool
rs_websec_origin_allowed (const char *origin, bool tls, const rs_websec_hosts_t *hosts, const char *extra,
                          bool star)
{
    if (!origin)
        return false;
    const char *scheme = tls ? "https://" : "http://";
    size_t slen = strlen (scheme);
    if (strncasecmp (origin, scheme, slen) == 0 && rs_websec_host_allowed (origin + slen, hosts))
        return true;
    for (const char *p = extra; p && *p;) {
        const char *end = strchr (p, ',');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if ((len == 1 && *p == '*' && star) || (len && s_equal_n (p, len, origin)))
            return true;
        p = end ? end + 1 : p + len;
    }
    return false;
}

rs_err_t
rs_websec_hosts_valid (const char *allowed)
{
    for (const char *p = allowed; p && *p;) {
        const char *end = strchr (p, ',');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        while (len && *p == ' ')
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        char name[256];
        int port;
        if (len && s_split_host (p, len, name, sizeof name, &port) != 0) {
            return rs_err_set (RS_E_CONFIG, "bad host '%.*s': expected a name or name:port",
                               (int) (len > 200 ? 200 : len), p);
        }
        p = end ? end + 1 : p + len;
    }
    return 0;
}

rs_err_t
rs_websec_origins_valid (const char *allow)
{
    for (const char *p = allow; p && *p;) {
        const char *end = strchr (p, ',');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        char item[256];
        if (len >= sizeof item) {
            return rs_err_set (RS_E_CONFIG, "origin too long");
        }
        memcpy (item, p, len);
        item[len] = 0;
        const char *s = item;
        while (*s == ' ')
            s++;
        bool ok = strcmp (s, "*") == 0;
        if (!ok) {
            const char *host = strncmp (s, "http://", 7) == 0 ? s + 7 : strncmp (s, "https://", 8) == 0 ? s + 8 : NULL;
            ok = host && *host && !strpbrk (host, "/?#@ \t");
        }
        if (!ok) {
            return rs_err_set (RS_E_CONFIG, "bad origin '%.200s': expected * or http(s)://host[:port]", s);
        }
        p = end ? end + 1 : p + len;
    }
    return 0;
}

// ---------------------------------------------------------------------------

typedef struct {
    char key[48];                   //  a client address (IPv6 fits)
    double tokens;
    int64_t seen_ms;
} s_bucket_t;

struct rs_ratelimit_t {
    pthread_mutex_t lock;
    double rate, burst;
    size_t slots;
    s_bucket_t *buckets;
};

rs_ratelimit_t *
rs_ratelimit_new (double rate, double burst, size_t slots)
{
    rs_ratelimit_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->rate = rate;
    self->burst = burst >= 1 ? burst : 1;
    self->slots = slots ? slots : 1;
    self->buckets = calloc (self->slots, sizeof *self->buckets);
    if (!self->buckets) {
        free (self);
        return NULL;
    }
    pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
rs_ratelimit_destroy (rs_ratelimit_t **self_p)
{
    rs_ratelimit_t *self = *self_p;
    if (!self)
        return;
    pthread_mutex_destroy (&self->lock);
    free (self->buckets);
    free (self);
    *self_p = NULL;
}

int
rs_ratelimit_take (rs_ratelimit_t *self, const char *key, int64_t now_ms)
{
    if (!self || self->rate <= 0)
        return 0;
    if (!key)
        key = "";
    pthread_mutex_lock (&self->lock);
    //  A linear scan: the table is small (a rig has a handful of clients)
    //  and a scan has no worst case an attacker could steer.
    s_bucket_t *b = NULL, *oldest = &self->buckets[0];
    for (size_t i = 0; i < self->slots && !b; i++) {
        s_bucket_t *c = &self->buckets[i];
        if (c->seen_ms && strncmp (c->key, key, sizeof c->key - 1) == 0)
            b = c;
        else if (c->seen_ms < oldest->seen_ms)
            oldest = c;
    }
    if (!b) {
        b = oldest;
        snprintf (b->key, sizeof b->key, "%s", key);
        b->tokens = self->burst;
        b->seen_ms = now_ms;
    }
    double elapsed = (double) (now_ms - b->seen_ms) / 1000.0;
    if (elapsed > 0) {
        b->tokens += elapsed * self->rate;
        if (b->tokens > self->burst)
            b->tokens = self->burst;
    }
    b->seen_ms = now_ms > b->seen_ms ? now_ms : b->seen_ms;
    if (b->seen_ms == 0)
        b->seen_ms = 1;
    int wait = 0;
    if (b->tokens >= 1)
        b->tokens -= 1;
    else {
        wait = (int) ceil ((1 - b->tokens) / self->rate);
        if (wait < 1)
            wait = 1;
    }
    pthread_mutex_unlock (&self->lock);
    return wait;
}
