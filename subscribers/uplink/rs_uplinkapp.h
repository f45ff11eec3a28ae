/*  rs_uplinkapp: rigstream-uplink's engine, the durable subscriber over the
    spool and the MQTT session. Its functions are the program's rs_sub_def_t
    callbacks, each given the rs_uplinkapp_t as arg; they read the options
    of rigstream-uplink's table (url, mode, Sparkplug ids, TLS, spool,
    budget, downsampling, stop-grace-ms, rcvhwm). */
#ifndef RS_UPLINKAPP_H
#define RS_UPLINKAPP_H

#include <stddef.h>

#include "rs_sub.h"

typedef struct rs_uplinkapp_t rs_uplinkapp_t;

//  A fresh, empty uplink (NULL when out of memory); destroy frees it and
//  NULLs the pointer, after rs_uplinkapp_free has closed what it holds.
rs_uplinkapp_t *rs_uplinkapp_new (void);
void rs_uplinkapp_destroy (rs_uplinkapp_t **self_p);

//  Checks the options, opens the budget, the spool and the MQTT session:
//  RS_OK, RS_E_CONFIG (the reason printed) or RS_E_NOMEM.
int rs_uplinkapp_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg);
//  Resumes every stream the spool has a mark for; sends on a fast timer.
int rs_uplinkapp_start (rs_sub_t *sub, void *arg);
//  Queues one message in the spool (through the budget or the downsampler).
int rs_uplinkapp_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg);
//  Accounts a permanent gap in its stream's mark.
void rs_uplinkapp_gap (rs_sub_t *sub, const rs_gap_t *gap, void *arg);
//  A publisher said where its stream ended: the stream's mark is closed.
void rs_uplinkapp_end (rs_sub_t *sub, const char *pub, const char *topic, uint64_t epoch, uint64_t last_seq,
                       void *arg);
//  The session's and the spool's counters in the heartbeat.
void rs_uplinkapp_stats (rs_sub_t *sub, rs_sub_report_t *report, void *arg);
//  The summary: queued, sent, still queued, dropped.
int rs_uplinkapp_stop (rs_sub_t *sub, char *summary, size_t size, void *arg);
//  Ends the MQTT session (with its NDEATH) and closes the spool.
void rs_uplinkapp_free (void *arg);

#endif
