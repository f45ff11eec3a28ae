/*  rs_signal: a flag set from the SIGINT/SIGTERM handler (nothing else is
    safe there), and SIGHUP through a signalfd. */
#include "rs_signal.h"

#include <czmq.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static volatile sig_atomic_t s_stop = 0;
static int s_reload_fd = -1;

static void
s_on_signal (int sig)
{
    (void) sig;
    s_stop = 1;
    zsys_interrupted = 1;
}

void
rs_signal_handle (void (*handler) (int))
{
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset (&sa.sa_mask);
    sigaction (SIGINT, &sa, NULL);
    sigaction (SIGTERM, &sa, NULL);
}

void
rs_signal_catch (void)
{
    rs_signal_handle (s_on_signal);
}

bool
rs_signal_stopping (void)
{
    return s_stop || zsys_interrupted;
}

int
rs_signal_reload_fd (void)
{
    if (s_reload_fd >= 0)
        return s_reload_fd;
    sigset_t hup;
    sigemptyset (&hup);
    sigaddset (&hup, SIGHUP);
    if (pthread_sigmask (SIG_BLOCK, &hup, NULL) != 0)
        return -1;
    s_reload_fd = signalfd (-1, &hup, SFD_NONBLOCK | SFD_CLOEXEC);
    if (s_reload_fd < 0)
        pthread_sigmask (SIG_UNBLOCK, &hup, NULL);
    return s_reload_fd;
}

bool
rs_signal_reload_take (void)
{
    struct signalfd_siginfo si;
    bool pending = false;
    while (s_reload_fd >= 0 && read (s_reload_fd, &si, sizeof si) == (ssize_t) sizeof si)
        pending = pending || si.ssi_signo == SIGHUP;
    return pending;
}
