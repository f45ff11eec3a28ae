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

//  WebSocket origin check. A request without an Origin header (not from a
//  browser) passes; otherwise the origin must be the page's own
//  (scheme://Host) or appear in `allow`, a comma-separated list of origins
//  ("http://10.0.0.5:8080,https://rig-dash") where "*" allows any.
bool rs_websec_origin_ok (const char *origin, const char *host_header, bool tls, const char *allow);

//  Checks a comma-separated origin list for the configuration: each entry
//  "*" or scheme://host[:port] without a path. Returns 0, or -1 with the
//  reason in err.
int rs_websec_origins_valid (const char *allow, char *err, size_t errsize);

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
