/*  rs_signal: the one way rigstream programs handle signals. SIGINT and
    SIGTERM only set a flag, and czmq's zsys_interrupted, so zloop,
    rs_pub_wait_ready and sleeps all wind down. SIGHUP, when a program asks
    for it, is a reload request read from a signalfd in the program's loop
    (rs_sub does this for a subscriber definition with on_reload), so the
    reload runs in the loop, never in a handler, and never interrupts a poll
    (zloop ends on EINTR). */
#ifndef RS_SIGNAL_H
#define RS_SIGNAL_H

#include <stdbool.h>

//  Installs the SIGINT/SIGTERM handlers. Call after the first socket is
//  created: czmq installs its own handlers at that point and would replace
//  these.
void rs_signal_catch (void);
//  Installs handler (or SIG_IGN, SIG_DFL) for SIGINT and SIGTERM, without
//  SA_RESTART, so a blocking poll returns EINTR: for a program that stops
//  its own loop (the broker) instead of reading rs_signal_stopping.
void rs_signal_handle (void (*handler) (int));
//  True once SIGINT or SIGTERM has arrived.
bool rs_signal_stopping (void);

//  Turns SIGHUP into a reload request: blocks it in the calling thread (and
//  so in the threads it starts afterwards: call before any) and returns a
//  descriptor that becomes readable when SIGHUP arrives (the same one on
//  every call), or -1 (errno set; SIGHUP is then left as it was).
int rs_signal_reload_fd (void);
//  True when a reload was requested since the last call (and clears it).
bool rs_signal_reload_take (void);

#endif
