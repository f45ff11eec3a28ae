/*  rs_websec: the web bridge's access rules as pure functions, so they are
    unit-tested and fuzzed without a server: bearer tokens compared in
    constant time, the read/write authorisation decision, the loopback test
    that decides whether writes may stay open, the WebSocket origin check,
    and a per-client request-rate limiter (a token bucket per address). */
#ifndef RS_WEBSEC_H
#define RS_WEBSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_err.h"

#define RS_WEBSEC_MIN_TOKEN 16      //  shortest token accepted in the configuration

//  True when host names only the loopback interface: 127.0.0.0/8, ::1,
//  "localhost". "0.0.0.0", "::" and every other address are not.
bool rs_websec_host_is_loopback (const char *host);

//  Compares a token a client sent with the configured one. Its time depends
//  only on the length of `given`, never on where the two differ.
bool rs_websec_token_equal (const char *given, const char *expected);

//  The token of an "Authorization: Bearer <token>" header, or NULL when the
//  header is absent or of another scheme. Points into `header`.
const char *rs_websec_bearer (const char *header);

//  Who may do what. A NULL or empty token means "no token needed".
typedef struct {
    const char *read_token;         //  reads (API, WebSocket); the write token also reads
    const char *write_token;        //  writes: acknowledge, thresholds
} rs_websec_policy_t;

typedef enum {
    RS_WEBSEC_ALLOW = 0,
    RS_WEBSEC_UNAUTHORIZED = 401,   //  no token, or an unknown one
    RS_WEBSEC_FORBIDDEN = 403       //  the read token, for a write
} rs_websec_verdict_t;

//  The decision for one request carrying `token` (NULL when none).
rs_websec_verdict_t rs_websec_check (const rs_websec_policy_t *policy, bool write, const char *token);

//  The names this bridge answers to, against DNS rebinding: a page on
//  evil.example whose name is made to resolve to 127.0.0.1 reaches the
//  bridge with "Host: evil.example". Allowed: the loopback names
//  (localhost, 127.0.0.0/8, [::1]) and `bind_host` (unless a wildcard),
//  each with `port`; with a wildcard bind, any IP address literal (an
//  address cannot be rebound); and `allowed`, a comma-separated list of
//  "name" (with `port`) or "name:port". A missing port counts as `port`
//  (a browser leaves out 80 and 443).
typedef struct {
    int port;                       //  the bridge's port
    const char *bind_host;          //  WEB_HOST
    const char *allowed;            //  WEB_ALLOWED_HOSTS; NULL or "" = none
} rs_websec_hosts_t;

//  True when `host` (a Host header, or the host[:port] of an origin) is
//  one of the bridge's names.
bool rs_websec_host_allowed (const char *host, const rs_websec_hosts_t *hosts);

//  True when `origin` (an Origin header, not NULL) is the bridge's own:
//  the page's scheme and an allowed host. `extra` adds the origins of a
//  comma-separated list ("*" counts only when `star` is true).
bool rs_websec_origin_allowed (const char *origin, bool tls, const rs_websec_hosts_t *hosts, const char *extra,
                               bool star);

//  Checks a WEB_ALLOWED_HOSTS list: names or name:port, no scheme, path
//  or wildcard. Returns RS_OK, or RS_E_CONFIG with the reason recorded
//  (rs_errmsg).
rs_err_t rs_websec_hosts_valid (const char *allowed);

//  Checks a comma-separated origin list for the configuration: each entry
//  "*" or scheme://host[:port] without a path. Returns RS_OK, or
//  RS_E_CONFIG with the reason recorded (rs_errmsg).
rs_err_t rs_websec_origins_valid (const char *allow);

//  Requests per client address: each address has a bucket of `burst`
//  tokens refilled at `rate` per second; a request takes one. Addresses
//  beyond the table's size evict the least recently seen one. Thread-safe.
typedef struct rs_ratelimit_t rs_ratelimit_t;
//  Fresh limiter, or NULL (out of memory). rate <= 0 disables it.
rs_ratelimit_t *rs_ratelimit_new (double rate, double burst, size_t slots);
void rs_ratelimit_destroy (rs_ratelimit_t **self_p);
//  Takes one token for `key` at now_ms. Returns 0 when allowed, else the
//  whole seconds (>= 1) until a token is back, for a Retry-After header.
int rs_ratelimit_take (rs_ratelimit_t *self, const char *key, int64_t now_ms);

#endif
