/*  Unit tests for rs_curve: the loopback rule, key checks, the refusals of
    rs_curve_new, and real CURVE sockets over loopback TCP: an allowed client
    gets through, a client outside the allow-list and a plaintext client do
    not, and an allow-list change is seen without a restart. */
#include <czmq.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_curve.h"
#include "rs_test.h"

#define S(text) text, strlen (text)

static void
test_loopback (void)
{
    RS_CHECK (rs_curve_host_loopback (S ("127.0.0.1")));
    RS_CHECK (rs_curve_host_loopback (S ("127.1.2.3")));
    RS_CHECK (rs_curve_host_loopback (S ("localhost")));
    RS_CHECK (rs_curve_host_loopback (S ("::1")));
    RS_CHECK (rs_curve_host_loopback (S ("[::1]")));
    RS_CHECK (!rs_curve_host_loopback (S ("127.example.com")));
    RS_CHECK (!rs_curve_host_loopback (S ("0.0.0.0")));
    RS_CHECK (!rs_curve_host_loopback (S ("*")));
    RS_CHECK (!rs_curve_host_loopback (S ("10.77.0.1")));
    RS_CHECK (!rs_curve_host_loopback (S ("::")));
    RS_CHECK (!rs_curve_host_loopback (S ("")));
    RS_CHECK (!rs_curve_host_loopback (S ("127.")));

    RS_CHECK (rs_curve_endpoint_local ("tcp://127.0.0.1:5555"));
    RS_CHECK (rs_curve_endpoint_local ("tcp://127.0.0.1:*"));
    RS_CHECK (rs_curve_endpoint_local ("tcp://localhost:5555"));
    RS_CHECK (rs_curve_endpoint_local ("tcp://[::1]:5555"));
    RS_CHECK (rs_curve_endpoint_local ("ipc:///tmp/rigstream.sock"));
    RS_CHECK (rs_curve_endpoint_local ("inproc://x"));
    RS_CHECK (!rs_curve_endpoint_local ("tcp://0.0.0.0:5555"));
    RS_CHECK (!rs_curve_endpoint_local ("tcp://*:5555"));
    RS_CHECK (!rs_curve_endpoint_local ("tcp://10.77.0.1:5555"));
    RS_CHECK (!rs_curve_endpoint_local ("tcp://[::]:5555"));
    RS_CHECK (!rs_curve_endpoint_local ("tcp://rig-pc:5555"));
    RS_CHECK (!rs_curve_endpoint_local ("tcp://eth0;127.0.0.1:5555"));
    RS_CHECK (!rs_curve_endpoint_local ("udp://127.0.0.1:5555"));
    RS_CHECK (!rs_curve_endpoint_local (NULL));
}

static void
test_keys (void)
{
    zcert_t *cert = zcert_new ();
    RS_CHECK (rs_curve_key_valid (zcert_public_txt (cert)));
    zcert_destroy (&cert);
    RS_CHECK (!rs_curve_key_valid (""));
    RS_CHECK (!rs_curve_key_valid (NULL));
    RS_CHECK (!rs_curve_key_valid ("short"));
    //  40 characters, but '~' is not in the Z85 alphabet.
    RS_CHECK (!rs_curve_key_valid ("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"));
}

typedef struct {
    char dir[256];
    char allow[300];
    char server[300];       // server.cert (public) and server.cert_secret
    char good[300];         // allowed client
    char bad[300];          // client not in the allow-list
    char server_key[41];
} s_keys_t;

static void
s_make (const char *path, char *public_key, const char *allow_dir, const char *name)
{
    zcert_t *cert = zcert_new ();
    zcert_save (cert, path);
    if (public_key)
        snprintf (public_key, 41, "%s", zcert_public_txt (cert));
    if (allow_dir) {
        char pub[400];
        snprintf (pub, sizeof pub, "%s/%s.cert", allow_dir, name);
        zcert_save_public (cert, pub);
    }
    zcert_destroy (&cert);
}

static void
s_keys (s_keys_t *k)
{
    snprintf (k->dir, sizeof k->dir, "/tmp/test_rs_curve.%d", (int) getpid ());
    snprintf (k->allow, sizeof k->allow, "%s/allowed", k->dir);
    zsys_dir_create ("%s", k->allow);
    snprintf (k->server, sizeof k->server, "%s/server.cert", k->dir);
    snprintf (k->good, sizeof k->good, "%s/good.cert", k->dir);
    snprintf (k->bad, sizeof k->bad, "%s/bad.cert", k->dir);
    s_make (k->server, k->server_key, NULL, NULL);
    s_make (k->good, NULL, k->allow, "good");
    s_make (k->bad, NULL, NULL, NULL);
}

static void
test_new (const s_keys_t *k)
{
    char secret[400];
    snprintf (secret, sizeof secret, "%s_secret", k->good);

    //  Nothing configured: CURVE off, and nothing touches sockets.
    rs_curve_t *off = rs_curve_new (&(rs_curve_opts_t) { 0 });
    RS_CHECK (off && !rs_curve_on (off));
    RS_CHECK_INT (rs_curve_check_bind (off, "tcp://127.0.0.1:*", true, "test"), 0);
    RS_CHECK_INT (rs_curve_check_bind (off, "tcp://0.0.0.0:5555", true, "test"), -1);
    RS_CHECK (!rs_curve_bind_allowed (off, "tcp://10.77.0.1:5555", true));
    rs_curve_destroy (&off);
    RS_CHECK (off == NULL);
    RS_CHECK (!rs_curve_on (NULL));
    RS_CHECK_INT (rs_curve_check_bind (NULL, "tcp://0.0.0.0:1", false, "test"), -1);

    //  The override lets a plaintext listener out, loudly.
    rs_curve_t *insecure = rs_curve_new (&(rs_curve_opts_t) { .insecure_bind = true });
    RS_CHECK_INT (rs_curve_check_bind (insecure, "tcp://0.0.0.0:5555", false, "test"), 0);
    rs_curve_destroy (&insecure);

    //  A certificate without the broker's key would be silently unused.
    RS_CHECK (!rs_curve_new (&(rs_curve_opts_t) { .cert = secret }));
    RS_CHECK (strstr (rs_errmsg (), "CURVE_SERVER_KEY") != NULL);
    //  The broker's key without our own certificate.
    RS_CHECK (!rs_curve_new (&(rs_curve_opts_t) { .server_key = k->server_key }));
    RS_CHECK (strstr (rs_errmsg (), "CURVE_CERT") != NULL);
    //  Not a key and not a file.
    RS_CHECK (!rs_curve_new (&(rs_curve_opts_t) { .server_key = "nonsense", .cert = secret }));
    RS_CHECK (strstr (rs_errmsg (), "nonsense") != NULL);
    //  A public certificate has no secret key to prove who we are.
    RS_CHECK (!rs_curve_new (&(rs_curve_opts_t) { .server_key = k->server_key, .cert = "/nonexistent" }));
    char public_only[400];
    snprintf (public_only, sizeof public_only, "%s/allowed/good.cert", k->dir);
    RS_CHECK (!rs_curve_new (&(rs_curve_opts_t) { .server_key = k->server_key, .cert = public_only }));
    RS_CHECK (strstr (rs_errmsg (), "secret") != NULL);
    //  The broker needs an allow-list, and it must be a directory.
    RS_CHECK (!rs_curve_new (&(rs_curve_opts_t) { .server = true, .cert = k->server }));
    RS_CHECK (strstr (rs_errmsg (), "CURVE_ALLOW_DIR") != NULL);
    RS_CHECK (!rs_curve_new (&(rs_curve_opts_t) { .server = true, .cert = k->server, .allow_dir = k->good }));

    //  A key as a public certificate file works like the Z85 text.
    rs_curve_t *client = rs_curve_new (&(rs_curve_opts_t) { .server_key = k->server, .cert = k->good });
    RS_CHECK (client && rs_curve_on (client));
    RS_CHECK_INT (strlen (rs_curve_public_key (client)), 40);
    //  With CURVE on a socket that can use it may listen anywhere; one that
    //  cannot (WITS0) still may not.
    RS_CHECK_INT (rs_curve_check_bind (client, "tcp://0.0.0.0:5555", true, "test"), 0);
    RS_CHECK_INT (rs_curve_check_bind (client, "tcp://0.0.0.0:5555", false, "test"), -1);
    //  No allow-list: it cannot serve.
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    RS_CHECK_INT (rs_curve_server (client, zsock_resolve (router)), -1);
    zsock_destroy (&router);
    rs_curve_destroy (&client);
}

//  A client of `server_key` with cert (NULL = plaintext) sends one message to
//  the PULL socket at endpoint; returns whether it arrived within 1.5 s.
static bool
s_delivered (zsock_t *pull, const char *endpoint, const char *server_key, const char *cert)
{
    rs_curve_t *curve = rs_curve_new (&(rs_curve_opts_t) { .server_key = cert ? server_key : NULL,
                                                            .cert = cert });
    RS_CHECK (curve != NULL);
    zsock_t *push = zsock_new (ZMQ_PUSH);
    zsock_set_linger (push, 0);
    RS_CHECK_INT (rs_curve_client (curve, zsock_resolve (push), NULL), 0);
    zsock_connect (push, "%s", endpoint);
    zsock_set_sndtimeo (push, 0);
    zstr_send (push, "hello");
    zsock_set_rcvtimeo (pull, 1500);
    char *got = zstr_recv (pull);
    bool ok = got && strcmp (got, "hello") == 0;
    zstr_free (&got);
    zsock_destroy (&push);
    rs_curve_destroy (&curve);
    return ok;
}

static void
test_sockets (const s_keys_t *k)
{
    rs_curve_t *server = rs_curve_new (&(rs_curve_opts_t) { .server = true, .cert = k->server,
                                                             .allow_dir = k->allow });
    RS_CHECK (server && rs_curve_on (server));
    if (!server)
        return;
    RS_CHECK_STR (rs_curve_public_key (server), k->server_key);
    zsock_t *pull = zsock_new (ZMQ_PULL);
    RS_CHECK_INT (rs_curve_server (server, zsock_resolve (pull)), 0);
    RS_CHECK (zsock_bind (pull, "tcp://127.0.0.1:*") > 0);
    char endpoint[256];
    snprintf (endpoint, sizeof endpoint, "%s", zsock_endpoint (pull));

    char good[400], bad[400];
    snprintf (good, sizeof good, "%s_secret", k->good);
    snprintf (bad, sizeof bad, "%s_secret", k->bad);
    RS_CHECK (s_delivered (pull, endpoint, k->server_key, good));
    RS_CHECK (!s_delivered (pull, endpoint, k->server_key, bad));
    RS_CHECK (!s_delivered (pull, endpoint, k->server_key, NULL));

    //  Allowing the second client takes effect without a restart: zauth
    //  reloads the directory when its file count, size or time stamp changes.
    zcert_t *cert = zcert_load (bad);
    char path[400];
    snprintf (path, sizeof path, "%s/bad.cert", k->allow);
    zcert_save_public (cert, path);
    zcert_destroy (&cert);
    RS_CHECK (s_delivered (pull, endpoint, k->server_key, bad));

    zsock_destroy (&pull);
    rs_curve_destroy (&server);
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (NULL);
    test_loopback ();
    test_keys ();
    s_keys_t keys;
    s_keys (&keys);
    test_new (&keys);
    test_sockets (&keys);
    zdir_t *dir = zdir_new (keys.dir, NULL);
    if (dir)
        zdir_remove (dir, true);
    zdir_destroy (&dir);
    return RS_TEST_DONE ();
}
