/*  librigstream-sslcompat: lets Debian 12's civetweb 1.15 load OpenSSL 3.

    That civetweb was built for the OpenSSL 1.1 API: it opens "libssl.so"
    at run time and looks up SSL_get_peer_certificate, which OpenSSL 3 only
    has as a macro for SSL_get1_peer_certificate, so TLS never starts. This
    library carries the soname "libssl.so", depends on libssl.so.3 and
    defines that one function; rigstream-web loads it before civetweb, and
    civetweb's dlopen ("libssl.so") then finds it, with everything else
    coming from libssl.so.3 behind it. */
typedef struct ssl_st SSL;
typedef struct x509_st X509;

X509 *SSL_get1_peer_certificate (const SSL *ssl);
X509 *SSL_get_peer_certificate (const SSL *ssl);

X509 *
SSL_get_peer_certificate (const SSL *ssl)
{
    return SSL_get1_peer_certificate (ssl);
}
