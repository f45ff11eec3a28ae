/*  Bind hosts: localhost is the loopback, addresses and interfaces are
    kept, anything else is refused with a reason. */
#include "rs_bind.h"
#include "rs_test.h"

int
main (void)
{
    char buf[128];
    RS_CHECK_INT (rs_bind_host ("localhost", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "127.0.0.1");
    RS_CHECK_INT (rs_bind_host ("[::1]", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "::1");
    RS_CHECK_INT (rs_bind_host ("0.0.0.0", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "0.0.0.0");
    RS_CHECK_INT (rs_bind_host ("*", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "*");
    RS_CHECK_INT (rs_bind_host ("lo", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "lo");
    RS_CHECK_INT (rs_bind_host ("LocalHost", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "127.0.0.1");
    RS_CHECK_INT (rs_bind_host ("no-such-interface", buf, sizeof buf), RS_E_CONFIG);
    RS_CHECK (strstr (rs_errmsg (), "\"no-such-interface\" is not an address to listen on") != NULL);
    RS_CHECK_INT (rs_bind_host ("", buf, sizeof buf), RS_E_CONFIG);
    RS_CHECK_INT (rs_bind_host ("127.0.0.1x", buf, sizeof buf), RS_E_CONFIG);
    RS_CHECK_INT (rs_bind_host ("localhost", buf, 4), RS_E_CONFIG);

    RS_CHECK_INT (rs_bind_endpoint ("localhost", 5555, buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://127.0.0.1:5555");
    RS_CHECK_INT (rs_bind_endpoint ("::1", 5557, buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://[::1]:5557");
    RS_CHECK_INT (rs_bind_endpoint ("[::]", 1, buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://[::]:1");
    RS_CHECK_INT (rs_bind_endpoint ("nowhere.example", 1, buf, sizeof buf), RS_E_CONFIG);

    RS_CHECK_INT (rs_bind_resolve ("tcp://localhost:*", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://127.0.0.1:*");
    RS_CHECK_INT (rs_bind_resolve ("tcp://[::1]:9", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://[::1]:9");
    RS_CHECK_INT (rs_bind_resolve ("tcp://192.168.1.2:9", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "tcp://192.168.1.2:9");
    RS_CHECK_INT (rs_bind_resolve ("ipc:///tmp/x", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "ipc:///tmp/x");
    RS_CHECK_INT (rs_bind_resolve ("inproc://a", buf, sizeof buf), RS_OK);
    RS_CHECK_STR (buf, "inproc://a");
    RS_CHECK_INT (rs_bind_resolve ("tcp://nosuch:9", buf, sizeof buf), RS_E_CONFIG);
    RS_CHECK (strstr (rs_errmsg (), "\"nosuch\"") != NULL);
    return RS_TEST_DONE ();
}
