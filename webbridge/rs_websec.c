/*  rs_websec: access rules of the web bridge. See rs_websec.h. */
#include "rs_websec.h"

#include <arpa/inet.h>
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

//  Case-insensitive comparison of `len` bytes of a with the whole of b.
static bool
s_equal_n (const char *a, size_t len, const char *b)
{
    return strlen (b) == len && strncasecmp (a, b, len) == 0;
}

bool
rs_websec_origin_ok (const char *origin, const char *host_header, bool tls, const char *allow)
{
    if (!origin)
        return true;
    const char *scheme = tls ? "https://" : "http://";
    size_t slen = strlen (scheme);
    if (host_header && *host_header && strncasecmp (origin, scheme, slen) == 0
        && strcasecmp (origin + slen, host_header) == 0)
        return true;
    for (const char *p = allow; p && *p;) {
        const char *end = strchr (p, ',');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if ((len == 1 && *p == '*') || (len && s_equal_n (p, len, origin)))
            return true;
        p = end ? end + 1 : p + len;
    }
    return false;
}

int
rs_websec_origins_valid (const char *allow, char *err, size_t errsize)
{
    for (const char *p = allow; p && *p;) {
        const char *end = strchr (p, ',');
        size_t len = end ? (size_t) (end - p) : strlen (p);
        char item[256];
        if (len >= sizeof item) {
            snprintf (err, errsize, "origin too long");
            return -1;
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
            snprintf (err, errsize, "bad origin '%.200s': expected * or http(s)://host[:port]", s);
            return -1;
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
