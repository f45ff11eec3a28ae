/*  rs_logreplay: rigstream-replay's engine, the replay driver over a
    wellbore's WITSML logs merged by time. Its functions are the program's
    rs_pub_def_t callbacks, each given the rs_logreplay_t as arg; they read
    the options of rigstream-replay's table (well, RS_OPTIONS_PACE) and its
    arguments (files or directories). */
#ifndef RS_LOGREPLAY_H
#define RS_LOGREPLAY_H

#include <stddef.h>

#include "rs_config.h"
#include "rs_pub.h"

typedef struct rs_logreplay_t rs_logreplay_t;

//  A fresh, empty driver (NULL when out of memory); destroy frees it and
//  NULLs the pointer, after rs_logreplay_free has closed the logs.
rs_logreplay_t *rs_logreplay_new (void);
void rs_logreplay_destroy (rs_logreplay_t **self_p);

//  Checks the arguments and pacing, opens the logs and reports their
//  mapping: RS_OK, RS_E_CONFIG (said on stderr) or RS_E_IO (logged).
int rs_logreplay_setup (rs_config_t *cfg, void *arg);
//  Connected: says what is replayed, for the "ready:" line.
void rs_logreplay_ready (rs_pub_t *pub, char *what, size_t size, void *arg);
//  Publishes the merged rows, paced, until their end or a signal.
int rs_logreplay_run (rs_pub_t *pub, rs_config_t *cfg, void *arg);
//  The counts for the "stopped:" line.
void rs_logreplay_stop (rs_pub_t *pub, char *summary, size_t size, void *arg);
//  The logs' counts on sys.replay.
void rs_logreplay_heartbeat (rs_pub_t *pub, const char *state, void *arg);
//  Closes the logs.
void rs_logreplay_free (void *arg);

#endif
