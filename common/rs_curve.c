/*  rs_curve: ZeroMQ CURVE set-up for every socket of the suite (see rs_curve.h).
    Keys come from czmq zcert files; clients are checked by one czmq zauth
    actor per process, which serves the ZAP requests of every socket in czmq's
    context and reloads the allow-list directory when it changes. */
#include "rs_curve.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rs_config.h"
#include "rs_err.h"
#include "rs_log.h"

#define RS_Z85_KEY_LEN 40

struct rs_curve_t {
    bool on;
    bool insecure_bind;
    zcert_t *cert;                          //  own key pair, NULL without one
    char server_key[RS_Z85_KEY_LEN + 1];    //  the broker's public key ("" = none)
    char allow_dir[1024];
    zactor_t *auth;                         //  zauth, when we have an allow-list
};

bool
rs_curve_key_valid (const char *text)
{
    if (!text || strlen (text) != RS_Z85_KEY_LEN)
        return false;
    uint8_t key[32];
    return zmq_z85_decode (key, text) != NULL;
}

bool
rs_curve_host_loopback (const char *host, size_t len)
{
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        host++;
        len -= 2;
    }
    if (len == 9 && strncmp (host, "localhost", 9) == 0)
        return true;
    if (len == 3 && strncmp (host, "::1", 3) == 0)
        return true;
    //  127.0.0.0/8: "127." then digits and dots only, so "127.example.com"
    //  (a name that could resolve anywhere) is not taken for loopback.
    if (len < 5 || strncmp (host, "127.", 4) != 0)
        return false;
    for (size_t i = 4; i < len; i++)
        if (!(host[i] == '.' || (host[i] >= '0' && host[i] <= '9')))
            return false;
    return true;
}

bool
rs_curve_endpoint_local (const char *endpoint)
{
    if (!endpoint)
        return false;
    if (strncmp (endpoint, "ipc://", 6) == 0 || strncmp (endpoint, "inproc://", 9) == 0)
        return true;
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return false;
    const char *host = endpoint + 6;
    //  A tcp endpoint may name the interface first: tcp://eth0;host:port.
    const char *colon = strrchr (host, ':');
    size_t len = colon ? (size_t) (colon - host) : strlen (host);
    if (memchr (host, ';', len))
        return false;
    return rs_curve_host_loopback (host, len);
}

rs_err_t
rs_curve_key_from (const char *given, char *key)
{
    if (rs_curve_key_valid (given)) {
        snprintf (key, RS_Z85_KEY_LEN + 1, "%s", given);
        return RS_OK;
    }
    if (!zsys_file_exists (given))
        return rs_err_set (RS_E_CONFIG, "\"%s\" is neither a 40-character Z85 key nor a certificate file", given);
    zcert_t *cert = zcert_load (given);
    if (!cert || !rs_curve_key_valid (zcert_public_txt (cert))) {
        zcert_destroy (&cert);
        return rs_err_set (RS_E_CONFIG, "%s: not a certificate (expected a czmq zcert file from rigstream-keys)",
                           given);
    }
    snprintf (key, RS_Z85_KEY_LEN + 1, "%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
    return RS_OK;
}

//  Our own certificate, which must hold the secret key.
static rs_err_t
s_load_cert (rs_curve_t *self, const char *path)
{
    if (!zsys_file_exists (path))
        return rs_err_set (RS_E_CONFIG, "%s: no such certificate file", path);
    self->cert = zcert_load (path);
    if (!self->cert || !rs_curve_key_valid (zcert_public_txt (self->cert)))
        return rs_err_set (RS_E_CONFIG, "%s: not a certificate (expected a czmq zcert file from rigstream-keys)",
                           path);
    //  A public certificate loads with a secret key of zeros.
    static const uint8_t zeros[32] = { 0 };
    if (memcmp (zcert_secret_key (self->cert), zeros, sizeof zeros) == 0)
        return rs_err_set (RS_E_CONFIG, "%s: holds no secret key (give the NAME.cert_secret file)", path);
    return RS_OK;
}

rs_curve_t *
rs_curve_new (const rs_curve_opts_t *opts)
{
    rs_curve_t *self = calloc (1, sizeof *self);
    if (!self || !opts) {
        free (self);
        rs_err_set (RS_E_NOMEM, "out of memory");
        return NULL;
    }
    self->insecure_bind = opts->insecure_bind;
    bool have_key = opts->server_key && *opts->server_key;
    bool have_cert = opts->cert && *opts->cert;
    bool have_dir = opts->allow_dir && *opts->allow_dir;
    self->on = opts->server ? have_cert : have_key;
    if (!self->on) {
        //  Keys without the switch would be silently unused: say so instead.
        //  (For the broker a certificate is the switch, so only a lone
        //  allow-list gets here.)
        if (!opts->server && (have_cert || have_dir)) {
            rs_err_set (RS_E_CONFIG, "CURVE_CERT or CURVE_ALLOW_DIR is set but CURVE_SERVER_KEY is not: "
                        "give the broker's public key to turn CURVE on");
            rs_curve_destroy (&self);
            return NULL;
        }
        if (have_dir) {
            rs_err_set (RS_E_CONFIG, "CURVE_ALLOW_DIR is set but CURVE_SERVER_CERT is not: "
                        "give the broker's certificate to turn CURVE on");
            rs_curve_destroy (&self);
            return NULL;
        }
        return self;
    }
    if (!have_cert) {
        rs_err_set (RS_E_CONFIG, "CURVE needs this program's own certificate (CURVE_CERT, made by "
                    "rigstream-keys client NAME)");
        rs_curve_destroy (&self);
        return NULL;
    }
    if ((have_key && rs_curve_key_from (opts->server_key, self->server_key) != RS_OK)
        || s_load_cert (self, opts->cert) != RS_OK) {
        rs_curve_destroy (&self);
        return NULL;
    }
    if (opts->server && !have_dir) {
        rs_err_set (RS_E_CONFIG, "the broker with CURVE needs CURVE_ALLOW_DIR, the directory of "
                    "allowed client certificates (rigstream-keys allow)");
        rs_curve_destroy (&self);
        return NULL;
    }
    if (have_dir) {
        struct stat st;
        if (stat (opts->allow_dir, &st) != 0 || !S_ISDIR (st.st_mode)) {
            rs_err_set (RS_E_CONFIG, "%s: allow-list is not a directory", opts->allow_dir);
            rs_curve_destroy (&self);
            return NULL;
        }
        snprintf (self->allow_dir, sizeof self->allow_dir, "%s", opts->allow_dir);
        self->auth = zactor_new (zauth, NULL);
        if (!self->auth || zstr_sendx (self->auth, "CURVE", self->allow_dir, NULL) != 0
            || zsock_wait (self->auth) != 0) {
            rs_err_set (RS_E_SOCKET, "cannot start the authenticator");
            rs_curve_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
rs_curve_destroy (rs_curve_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_curve_t *self = *self_p;
    zactor_destroy (&self->auth);
    zcert_destroy (&self->cert);
    free (self);
    *self_p = NULL;
}

rs_curve_t *
rs_curve_new_config (rs_config_t *cfg)
{
    bool server = rs_config_has (cfg, "curve-server-cert");
    rs_curve_opts_t opts = {
        .server = server,
        .server_key = rs_config_has (cfg, "curve-server-key") ? rs_config_str (cfg, "curve-server-key") : NULL,
        .cert = rs_config_str (cfg, server ? "curve-server-cert" : "curve-cert"),
        .allow_dir = rs_config_has (cfg, "curve-allow-dir") ? rs_config_str (cfg, "curve-allow-dir") : NULL,
        .insecure_bind = rs_config_has (cfg, "allow-insecure-bind")
                         && rs_config_bool (cfg, "allow-insecure-bind"),
    };
    rs_curve_t *self = rs_curve_new (&opts);
    if (!self)
        rs_error ("CURVE: %s", rs_errmsg ());
    else if (self->on && self->auth)
        rs_info ("CURVE on: own key %s%s%s%s%s", zcert_public_txt (self->cert),
                 self->server_key[0] ? ", broker key " : "", self->server_key,
                 self->auth ? ", clients checked against " : "", self->allow_dir);
    else if (self->on)
        rs_debug ("CURVE on: own key %s, broker key %s", zcert_public_txt (self->cert), self->server_key);
    return self;
}

bool
rs_curve_on (const rs_curve_t *self)
{
    return self && self->on;
}

const char *
rs_curve_public_key (const rs_curve_t *self)
{
    return self && self->cert ? zcert_public_txt (self->cert) : "";
}

int
rs_curve_client (const rs_curve_t *self, void *socket, const char *server_key)
{
    if (!rs_curve_on (self))
        return 0;
    const char *key = server_key && *server_key ? server_key : self->server_key;
    if (!rs_curve_key_valid (key)) {
        errno = EINVAL;
        return -1;
    }
    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, key, RS_Z85_KEY_LEN + 1) != 0
        || zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, zcert_public_key (self->cert), 32) != 0
        || zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, zcert_secret_key (self->cert), 32) != 0)
        return -1;
    return 0;
}

int
rs_curve_server (const rs_curve_t *self, void *socket)
{
    if (!rs_curve_on (self))
        return 0;
    if (!self->auth) {
        rs_error ("CURVE: serving an endpoint needs CURVE_ALLOW_DIR, the directory of allowed "
                  "client certificates");
        errno = EINVAL;
        return -1;
    }
    int one = 1;
    if (zmq_setsockopt (socket, ZMQ_CURVE_SERVER, &one, sizeof one) != 0
        || zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, zcert_secret_key (self->cert), 32) != 0
        || zmq_setsockopt (socket, ZMQ_ZAP_DOMAIN, RS_CURVE_DOMAIN, strlen (RS_CURVE_DOMAIN)) != 0)
        return -1;
    return 0;
}

zsock_t *
rs_curve_monitor (const rs_curve_t *self, zsock_t *sock)
{
    if (!rs_curve_on (self) || !sock)
        return NULL;
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://rs-curve-monitor-%p", (void *) sock);
    int events = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
               | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
    if (zmq_socket_monitor (zsock_resolve (sock), endpoint, events) != 0)
        return NULL;
    zsock_t *pair = zsock_new (ZMQ_PAIR);
    if (pair && zsock_connect (pair, "%s", endpoint) != 0)
        zsock_destroy (&pair);
    return pair;
}

int
rs_curve_monitor_event (zsock_t *monitor)
{
    zmsg_t *msg = zmsg_recv (monitor);
    if (!msg)
        return -1;
    zframe_t *first = zmsg_first (msg);
    int kind = 0;
    //  Frame 1: uint16 event + uint32 value (libzmq's monitor format).
    if (first && zframe_size (first) == 6) {
        uint16_t event;
        memcpy (&event, zframe_data (first), sizeof event);
        kind = event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? 1
             : event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
               || event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL ? 2 : 0;
    }
    zmsg_destroy (&msg);
    return kind;
}

bool
rs_curve_can_serve (const rs_curve_t *self)
{
    return !rs_curve_on (self) || self->auth != NULL;
}

bool
rs_curve_bind_allowed (const rs_curve_t *self, const char *endpoint, bool curve_capable)
{
    return rs_curve_endpoint_local (endpoint) || (curve_capable && rs_curve_on (self))
        || (self && self->insecure_bind);
}

int
rs_curve_check_bind (const rs_curve_t *self, const char *endpoint, bool curve_capable,
                     const char *what)
{
    if (rs_curve_endpoint_local (endpoint) || (curve_capable && rs_curve_on (self)))
        return 0;
    if (self && self->insecure_bind) {
        rs_warn ("INSECURE: %s listens on %s without CURVE: anyone on that network can connect%s "
                 "(ALLOW_INSECURE_BIND is set)", what, endpoint,
                 curve_capable ? ", read and inject data" : "");
        return 0;
    }
    if (curve_capable)
        rs_error ("refusing to listen on %s for the %s: a non-loopback address needs CURVE "
                  "(see docs/SECURITY.md), or ALLOW_INSECURE_BIND=1 to accept the risk",
                  endpoint, what);
    else
        rs_error ("refusing to listen on %s for the %s: it has no authentication, so it listens "
                  "on loopback only unless ALLOW_INSECURE_BIND=1 (see docs/SECURITY.md)",
                  endpoint, what);
    return -1;
}
