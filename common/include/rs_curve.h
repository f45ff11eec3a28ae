/*  rs_curve: ZeroMQ CURVE security for the rig network, in one place.

    Every ZeroMQ socket in the suite is set up here: clients (publishers,
    subscribers, rigstream-ctl, replay repair, engine control) get the
    server's public key and their own certificate; servers (the broker, the
    publishers' replay journals, the engine's control endpoint) get their
    secret key and a ZAP domain, and the process runs one czmq zauth actor
    that accepts only clients whose public certificate is in the allow-list
    directory (reloaded when the directory changes).

    Certificates are czmq zcert files made by rigstream-keys: NAME.cert (public)
    and NAME.cert_secret (both keys). CURVE is off unless configured; then
    nothing here touches a socket and the default loopback path is unchanged.

    The rule for listening sockets: loopback (127.0.0.0/8, ::1, localhost),
    ipc:// and inproc:// are always fine; anything else needs CURVE, or the
    explicit insecure override, which is logged loudly. */
#ifndef RS_CURVE_H
#define RS_CURVE_H

#include <stdbool.h>
#include <stddef.h>

#include "rs_err.h"

struct rs_config_t;

//  ZAP domain of every rigstream CURVE server socket.
#define RS_CURVE_DOMAIN "rigstream"

typedef struct {
    const char *server_key;   // broker's public key: Z85 text or certificate file; NULL/"" = none
    const char *cert;         // own certificate file (the secret one); NULL/"" = none
    const char *allow_dir;    // allow-list directory for our own server sockets; NULL/"" = none
    bool server;              // the process is the broker: cert is the server certificate
    bool insecure_bind;       // the override for plaintext non-loopback listeners
} rs_curve_opts_t;

typedef struct rs_curve_t rs_curve_t;

//  Loads the keys and, when there is an allow-list, starts zauth. CURVE is on
//  when server_key is given (clients) or server is set with a cert (broker).
//  Returns a fresh object (possibly with CURVE off), or NULL with the reason
//  in rs_errmsg (): unreadable certificate, no secret key, a bad key, a
//  missing directory, a server key given without an own certificate.
rs_curve_t *rs_curve_new (const rs_curve_opts_t *opts);
void rs_curve_destroy (rs_curve_t **self_p);

//  From the options of RS_OPTIONS_CURVE_CLIENT (or, for the broker, its
//  curve-server-cert / curve-allow-dir / allow-insecure-bind). On a bad value
//  prints the reason naming the option and returns NULL: exit 2.
rs_curve_t *rs_curve_new_config (struct rs_config_t *cfg);

//  True when CURVE is on (NULL self = off).
bool rs_curve_on (const rs_curve_t *self);
//  Own public key as Z85 text, "" when there is no certificate.
const char *rs_curve_public_key (const rs_curve_t *self);

//  A public key given as 40 Z85 characters or as a certificate file, into
//  key (41 bytes). Returns RS_OK, or RS_E_CONFIG with the reason in
//  rs_errmsg ().
rs_err_t rs_curve_key_from (const char *given, char *key);

//  Makes a libzmq socket a CURVE client of server_key (Z85; NULL = the
//  broker's key) with our own certificate. Call before connect. No-op when
//  CURVE is off. Returns 0, or -1 (errno from libzmq).
int rs_curve_client (const rs_curve_t *self, void *socket, const char *server_key);
//  Makes a libzmq socket a CURVE server with our secret key, authenticated
//  by zauth against the allow-list. Call before bind. No-op when CURVE is
//  off. Returns 0, or -1 when there is no allow-list to check clients with
//  (logged) or libzmq refuses.
int rs_curve_server (const rs_curve_t *self, void *socket);
//  With CURVE on, watches a client socket's handshakes so that a refusal can
//  be told to the user, who otherwise only sees silence. Call before connect.
//  Returns a fresh PAIR socket that becomes readable on each event, or NULL
//  (CURVE off, or no monitor).
struct _zsock_t *rs_curve_monitor (const rs_curve_t *self, struct _zsock_t *sock);
//  Reads one event from such a monitor: 1 when the server refused our
//  certificate, 2 for another failed handshake (wrong server key, server
//  without CURVE), 0 for anything else, -1 when nothing could be read.
int rs_curve_monitor_event (struct _zsock_t *monitor);

//  Whether the process may listen on endpoint: loopback, ipc and inproc
//  always; other addresses only with CURVE on (when the socket can use it:
//  curve_capable) or with the insecure override, which logs a warning.
//  Returns 0, or -1 with an error logged naming `what` and the way out.
int rs_curve_check_bind (const rs_curve_t *self, const char *endpoint, bool curve_capable,
                         const char *what);

//  True when the process can serve CURVE clients (CURVE off, or an
//  allow-list to check them against).
bool rs_curve_can_serve (const rs_curve_t *self);
//  The same decision without logging: true when listening there is allowed
//  (the insecure override included).
bool rs_curve_bind_allowed (const rs_curve_t *self, const char *endpoint, bool curve_capable);

//  True for ipc://, inproc:// and tcp:// on a loopback host; false for every
//  other tcp:// host, including "*", 0.0.0.0 and names (pure).
bool rs_curve_endpoint_local (const char *endpoint);
//  True for 127.x.x.x, ::1, [::1] and localhost (pure).
bool rs_curve_host_loopback (const char *host, size_t len);
//  True when text is 40 Z85 characters that decode to a 32-byte key (pure).
bool rs_curve_key_valid (const char *text);

#endif
