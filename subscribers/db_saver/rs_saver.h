/*  rs_saver: rigstream-saver's engine, the durable subscriber over the
    store. Its functions are the program's rs_sub_def_t callbacks, each given
    the rs_saver_t as arg; they read the options of rigstream-saver's table
    (db, batch-rows, flush-ms, retention-days, agg-retention-days,
    buffer-max, topics, rcvhwm, stop-grace-ms). */
#ifndef RS_SAVER_H
#define RS_SAVER_H

#include <stddef.h>

#include "rs_sub.h"

typedef struct rs_saver_t rs_saver_t;

//  A fresh, empty saver (NULL when out of memory); destroy frees it and
//  NULLs the pointer, after rs_saver_free has closed the store.
rs_saver_t *rs_saver_new (void);
void rs_saver_destroy (rs_saver_t **self_p);

//  Reads the options and opens the store (the database may come later:
//  rows wait in memory): RS_OK or RS_E_NOMEM.
int rs_saver_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg);
//  Resumes every stream the database holds, then writes on timers.
int rs_saver_start (rs_sub_t *sub, void *arg);
//  Adds a message to the store; a full batch is written at once.
int rs_saver_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg);
//  Records a permanent gap.
void rs_saver_gap (rs_sub_t *sub, const rs_gap_t *gap, void *arg);
//  Closes a stream whose publisher said where it ended (no gap).
void rs_saver_end (rs_sub_t *sub, const char *pub, const char *topic, uint64_t epoch, uint64_t last_seq, void *arg);
//  The store's counters in the heartbeat.
void rs_saver_stats (rs_sub_t *sub, rs_sub_report_t *report, void *arg);
//  Stopped: writes what is still in memory; RS_E_IO when rows are lost.
int rs_saver_stop (rs_sub_t *sub, char *summary, size_t size, void *arg);
//  Closes the store.
void rs_saver_free (void *arg);

#endif
