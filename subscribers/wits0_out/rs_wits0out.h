/*  rs_wits0out: rigstream-wits0-out's engine, one well's telemetry served
    as WITS0 over TCP. Its functions are the program's rs_sub_def_t
    callbacks, each given the rs_wits0out_t as arg; they read the options of
    rigstream-wits0-out's table (port, bind, well, units, map, null-value,
    peer-heartbeat-s, utc-offset, max-clients). */
#ifndef RS_WITS0OUT_H
#define RS_WITS0OUT_H

#include <stddef.h>

#include "rs_sub.h"

typedef struct rs_wits0out_t rs_wits0out_t;

//  A fresh, empty server (NULL when out of memory); destroy frees it and
//  NULLs the pointer, after rs_wits0out_free has closed what setup opened.
rs_wits0out_t *rs_wits0out_new (void);
void rs_wits0out_destroy (rs_wits0out_t **self_p);

//  Checks the options, loads the map and listens; subscribes to the well's
//  telemetry (or every well's, to serve the first heard): RS_OK,
//  RS_E_CONFIG (said on stderr) or RS_E_SOCKET (logged).
int rs_wits0out_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg);
//  Adds the listener and the 100 ms service timer to the loop; logs "ready:".
int rs_wits0out_start (rs_sub_t *sub, void *arg);
//  Sends one frame per sample of the served well to every client.
int rs_wits0out_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg);
//  The fan-out's counters in the heartbeat.
void rs_wits0out_stats (rs_sub_t *sub, rs_sub_report_t *report, void *arg);
//  The counts for the "stopped:" line.
int rs_wits0out_stop (rs_sub_t *sub, char *summary, size_t size, void *arg);
//  Closes the clients and the listener; frees the map.
void rs_wits0out_free (void *arg);

#endif
