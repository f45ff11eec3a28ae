/*  rs_webtls: starting civetweb's library, with TLS when the bridge serves
    HTTPS. Debian 12's civetweb opens libssl.so and libcrypto.so at run time
    and looks for an OpenSSL 1.1 function in OpenSSL 3: the shim
    (rs_sslcompat.c, libssl.so's soname) is loaded first, from next to the
    binary, else where the package installs it, else from the build tree.
    It stays loaded for the process. */
#ifndef RS_WEBTLS_H
#define RS_WEBTLS_H

#include <stdbool.h>

//  Initialises civetweb's library (with TLS when `tls`). Returns 0, or -1
//  (logged: civetweb was built without TLS, or could not load OpenSSL).
//  After 0, rs_webtls_exit undoes it.
int rs_webtls_init (bool tls);
void rs_webtls_exit (void);

#endif
