/*  rs_signal: clean-stop handling for programs with a loop of their own
    (publishers). SIGINT and SIGTERM only set a flag, and czmq's
    zsys_interrupted, so zloop, rs_pub_wait_ready and sleeps all wind down. */
#ifndef RS_SIGNAL_H
#define RS_SIGNAL_H

#include <stdbool.h>

//  Installs the handlers. Call after the first socket is created: czmq
//  installs its own handlers at that point and would replace these.
void rs_signal_catch (void);
//  True once SIGINT or SIGTERM has arrived.
bool rs_signal_stopping (void);

#endif
