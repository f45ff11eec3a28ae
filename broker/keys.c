/*  rigstream-keys: makes and lists the CURVE certificates of the rig network
    and keeps the allow-list directory the broker checks clients against.
    Certificates are czmq zcert files: NAME.cert (public, safe to copy) and
    NAME.cert_secret (both keys, stays on the machine that uses it). */
#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rs_config.h"
#include "rs_curve.h"
#include "rs_log.h"
#include "rs_msg.h"

static const rs_option_t s_options[] = {
    { "keys-dir", "CURVE_KEYS_DIR", RS_OPT_STRING, "./keys",
      "where rigstream-keys writes and lists certificates", 0, 0 },
    { "curve-allow-dir", "CURVE_ALLOW_DIR", RS_OPT_STRING, NULL,
      "allow-list directory of client public certificates (default: KEYS_DIR/allowed)", 0, 0 },
    { "allow", NULL, RS_OPT_BOOL, "true",
      "client: also put the new public certificate in the allow-list", 0, 0 },
    { "force", NULL, RS_OPT_BOOL, "false", "replace a certificate that already exists", 0, 0 },
    RS_OPTION_END
};

static const char *s_usage =
    "makes CURVE certificates and keeps the broker's allow-list\n\n"
    "Commands:\n"
    "  server [NAME]     the broker's certificate (NAME defaults to broker)\n"
    "  client NAME       a client's certificate, added to the allow-list unless --no-allow\n"
    "  allow CERT...     copies public certificates into the allow-list\n"
    "  revoke NAME...    removes NAME.cert from the allow-list\n"
    "  list              the certificates in KEYS_DIR and the allow-list\n"
    "  show CERT         prints a certificate's public key (for CURVE_SERVER_KEY)";

static int
s_mkdir (const char *dir)
{
    if (zsys_dir_create ("%s", dir) != 0) {
        fprintf (stderr, "rigstream-keys: cannot create directory %s: %s\n", dir, strerror (errno));
        return -1;
    }
    return 0;
}

static void
s_allow_dir (rs_config_t *cfg, char *buf, size_t size)
{
    const char *dir = rs_config_str (cfg, "curve-allow-dir");
    if (*dir)
        snprintf (buf, size, "%s", dir);
    else
        snprintf (buf, size, "%s/allowed", rs_config_str (cfg, "keys-dir"));
}

//  Writes the public part of cert as dir/name.cert.
static int
s_save_public (zcert_t *cert, const char *dir, const char *name)
{
    char path[2048];
    snprintf (path, sizeof path, "%s/%s.cert", dir, name);
    if (s_mkdir (dir) != 0)
        return -1;
    if (zcert_save_public (cert, path) != 0) {
        fprintf (stderr, "rigstream-keys: cannot write %s: %s\n", path, strerror (errno));
        return -1;
    }
    printf ("allowed: %s (%s)\n", path, zcert_public_txt (cert));
    return 0;
}

//  server NAME / client NAME: a new key pair in KEYS_DIR.
static int
s_create (rs_config_t *cfg, const char *name, bool client)
{
    if (!rs_id_valid (name, strlen (name))) {
        fprintf (stderr, "rigstream-keys: invalid name \"%s\": 1-64 of A-Z a-z 0-9 _ -\n", name);
        return 2;
    }
    const char *dir = rs_config_str (cfg, "keys-dir");
    char path[2048], secret[2100];
    snprintf (path, sizeof path, "%s/%s.cert", dir, name);
    snprintf (secret, sizeof secret, "%s_secret", path);
    if (!rs_config_bool (cfg, "force") && (zsys_file_exists (path) || zsys_file_exists (secret))) {
        fprintf (stderr, "rigstream-keys: %s already exists (--force replaces it, and every copy of "
                 "its public key must then be updated)\n", path);
        return 1;
    }
    if (s_mkdir (dir) != 0)
        return 1;
    zcert_t *cert = zcert_new ();
    if (!cert)
        return 1;
    zcert_set_meta (cert, "name", "%s", name);
    zcert_set_meta (cert, "role", "%s", client ? "client" : "server");
    char *now = zclock_timestr ();
    zcert_set_meta (cert, "created", "%s", now ? now : "");
    zstr_free (&now);
    int rc = 0;
    //  zcert_save writes the secret file with owner-only permissions; make
    //  sure of it whatever the umask.
    if (zcert_save (cert, path) != 0 || chmod (secret, 0600) != 0) {
        fprintf (stderr, "rigstream-keys: cannot write %s: %s\n", path, strerror (errno));
        rc = 1;
    }
    else {
        printf ("%s certificate: %s (public), %s (secret: keep it on this machine only)\n"
                "public key: %s\n", client ? "client" : "server", path, secret, zcert_public_txt (cert));
        if (client && rs_config_bool (cfg, "allow")) {
            char allow[1024];
            s_allow_dir (cfg, allow, sizeof allow);
            rc = s_save_public (cert, allow, name) == 0 ? 0 : 1;
        }
    }
    zcert_destroy (&cert);
    return rc;
}

//  The name a certificate file goes under in the allow-list: its base name
//  without .cert, .cert_secret or _secret.
static void
s_base_name (const char *path, char *buf, size_t size)
{
    const char *slash = strrchr (path, '/');
    snprintf (buf, size, "%s", slash ? slash + 1 : path);
    const char *suffixes[] = { ".cert_secret", "_secret", ".cert", NULL };
    for (int i = 0; suffixes[i]; i++) {
        size_t n = strlen (buf), m = strlen (suffixes[i]);
        if (n > m && strcmp (buf + n - m, suffixes[i]) == 0) {
            buf[n - m] = '\0';
            break;
        }
    }
}

static int
s_allow (rs_config_t *cfg)
{
    char allow[1024];
    s_allow_dir (cfg, allow, sizeof allow);
    int rc = 0;
    for (int i = 1; i < rs_config_argc (cfg); i++) {
        const char *file = rs_config_argv (cfg, i);
        zcert_t *cert = zsys_file_exists (file) ? zcert_load (file) : NULL;
        if (!cert || !rs_curve_key_valid (zcert_public_txt (cert))) {
            fprintf (stderr, "rigstream-keys: %s: not a certificate file\n", file);
            zcert_destroy (&cert);
            rc = 1;
            continue;
        }
        char name[256];
        s_base_name (file, name, sizeof name);
        //  Only the public key ever goes into the allow-list.
        if (s_save_public (cert, allow, name) != 0)
            rc = 1;
        zcert_destroy (&cert);
    }
    return rc;
}

static int
s_revoke (rs_config_t *cfg)
{
    char allow[1024];
    s_allow_dir (cfg, allow, sizeof allow);
    int rc = 0;
    for (int i = 1; i < rs_config_argc (cfg); i++) {
        char name[256], path[1400];
        s_base_name (rs_config_argv (cfg, i), name, sizeof name);
        snprintf (path, sizeof path, "%s/%s.cert", allow, name);
        if (remove (path) != 0) {
            fprintf (stderr, "rigstream-keys: cannot remove %s: %s\n", path, strerror (errno));
            rc = 1;
        }
        else
            printf ("revoked: %s (the broker refuses new connections with it from now on)\n", path);
    }
    return rc;
}

//  Prints the certificates of one directory; NAME.cert_secret is shown as
//  the secret half of NAME.cert.
static void
s_list_dir (const char *title, const char *dir)
{
    printf ("%s: %s\n", title, dir);
    zdir_t *zdir = zdir_new (dir, NULL);
    zlist_t *files = zdir ? zdir_list (zdir) : NULL;
    size_t shown = 0;
    for (zfile_t *file = files ? zlist_first (files) : NULL; file; file = zlist_next (files)) {
        //  zdir lists subdirectories too (KEYS_DIR/allowed): this level only.
        const char *path = zfile_filename (file, NULL);
        size_t n = strlen (path), d = strlen (dir);
        if (strncmp (path, dir, d) != 0 || path[d] != '/' || strchr (path + d + 1, '/')
            || n < 5 || strcmp (path + n - 5, ".cert") != 0)
            continue;
        zcert_t *cert = zcert_load (path);
        if (!cert)
            continue;
        char secret[2100];
        snprintf (secret, sizeof secret, "%s_secret", path);
        const char *name = zcert_meta (cert, "name");
        const char *role = zcert_meta (cert, "role");
        printf ("  %-24s %s  %-6s %s\n", name ? name : "?", zcert_public_txt (cert), role ? role : "",
                zsys_file_exists (secret) ? "(with secret)" : "");
        zcert_destroy (&cert);
        shown++;
    }
    if (!shown)
        printf ("  (none)\n");
    zlist_destroy (&files);
    zdir_destroy (&zdir);
}

static int
s_show (const char *file)
{
    char key[41];
    if (rs_curve_key_from (file, key) != RS_OK) {
        fprintf (stderr, "rigstream-keys: %s\n", rs_errmsg ());
        return 1;
    }
    printf ("%s\n", key);
    return 0;
}

int
main (int argc, char **argv)
{
    rs_config_t *cfg = rs_config_new ("rigstream-keys", s_usage, s_options, "COMMAND [ARG...]");
    int rc = rs_config_start (&cfg, argc, argv, "keys");
    if (rc != RS_OK)
        return rs_exit_status (rc);
    int n = rs_config_argc (cfg);
    const char *cmd = n > 0 ? rs_config_argv (cfg, 0) : "";
    //  zsys would otherwise log its own start-up chatter on stdout.
    zsys_set_logstream (NULL);
    if (strcmp (cmd, "server") == 0 && n <= 2)
        rc = s_create (cfg, n == 2 ? rs_config_argv (cfg, 1) : "broker", false);
    else if (strcmp (cmd, "client") == 0 && n == 2)
        rc = s_create (cfg, rs_config_argv (cfg, 1), true);
    else if (strcmp (cmd, "allow") == 0 && n >= 2)
        rc = s_allow (cfg);
    else if (strcmp (cmd, "revoke") == 0 && n >= 2)
        rc = s_revoke (cfg);
    else if (strcmp (cmd, "show") == 0 && n == 2)
        rc = s_show (rs_config_argv (cfg, 1));
    else if (strcmp (cmd, "list") == 0 && n == 1) {
        char allow[1024];
        s_allow_dir (cfg, allow, sizeof allow);
        s_list_dir ("certificates", rs_config_str (cfg, "keys-dir"));
        s_list_dir ("allow-list", allow);
        rc = 0;
    }
    else {
        fprintf (stderr, "rigstream-keys: give a command: server [NAME], client NAME, allow CERT..., "
                 "revoke NAME..., list or show CERT (see --help)\n");
        rc = 2;
    }
    rs_config_destroy (&cfg);
    return rc;
}
