/*  rs_signal: a flag set from the handler; nothing else is safe there. */
#include "rs_signal.h"

#include <czmq.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t s_stop = 0;

static void
s_on_signal (int sig)
{
    (void) sig;
    s_stop = 1;
    zsys_interrupted = 1;
}

void
rs_signal_catch (void)
{
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigemptyset (&sa.sa_mask);
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
}

bool
rs_signal_stopping (void)
{
    return s_stop || zsys_interrupted;
}
