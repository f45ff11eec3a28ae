/*  rs_webtls: civetweb's library and the OpenSSL shim. See rs_webtls.h. */
#include "rs_webtls.h"

#include <civetweb.h>
#include <dlfcn.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "rs_log.h"

//  Loads the OpenSSL 3 shim for civetweb (rs_sslcompat.c), when the build
//  made one (RS_SSLCOMPAT: its path in the build tree).
static void
s_load_sslcompat (void)
{
#ifdef RS_SSLCOMPAT
    char exe[PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    void *h = NULL;
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr (exe, '/');
        if (slash && (size_t) (slash - exe) + sizeof RS_SSLCOMPAT_NAME + 1 < sizeof exe) {
            strcpy (slash + 1, RS_SSLCOMPAT_NAME);
            h = dlopen (exe, RTLD_NOW | RTLD_GLOBAL);
        }
    }
    if (!h)
        h = dlopen ("/usr/lib/rigstream/" RS_SSLCOMPAT_NAME, RTLD_NOW | RTLD_GLOBAL);
    if (!h)
        h = dlopen (RS_SSLCOMPAT, RTLD_NOW | RTLD_GLOBAL);
    if (!h)
        rs_debug ("OpenSSL shim not loaded: %s", dlerror ());
#endif
}

int
rs_webtls_init (bool tls)
{
    if (tls && !mg_check_feature (MG_FEATURES_TLS)) {
        rs_error ("WEB_TLS_CERT is set but this civetweb library was built without TLS");
        return -1;
    }
    if (tls)
        s_load_sslcompat ();
    unsigned features = mg_init_library (tls ? MG_FEATURES_TLS : 0);
    if (tls && !(features & MG_FEATURES_TLS)) {
        mg_exit_library ();
        rs_error ("cannot start TLS: civetweb could not load OpenSSL (libssl.so and libcrypto.so; on Debian "
                  "they come with libssl-dev)");
        return -1;
    }
    return 0;
}

void
rs_webtls_exit (void)
{
    mg_exit_library ();
}
