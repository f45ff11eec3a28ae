/*  rs_engineapp: rigstream-engine's wiring of rs_engine to the broker. Its
    functions are the program's rs_sub_def_t callbacks, each given the
    rs_engineapp_t as arg; they read the options of rigstream-engine's table
    (config, control endpoint, rig constants, kpi-ms, state files). */
#ifndef RS_ENGINEAPP_H
#define RS_ENGINEAPP_H

#include <stddef.h>

#include "rs_sub.h"

typedef struct rs_engineapp_t rs_engineapp_t;

//  A fresh, empty engine (NULL when out of memory); destroy frees it and
//  NULLs the pointer, after rs_engineapp_free has closed what it holds.
rs_engineapp_t *rs_engineapp_new (void);
void rs_engineapp_destroy (rs_engineapp_t **self_p);

//  Loads the rules and makes the engine; checks the control endpoint, which
//  changes thresholds: off the loopback only with CURVE, and then only for
//  the clients in the allow-list. RS_OK, RS_E_CONFIG or RS_E_NOMEM.
int rs_engineapp_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg);
//  Starts the KPI timer and the control endpoint.
int rs_engineapp_start (rs_sub_t *sub, void *arg);
//  Feeds one telemetry message to the engine.
int rs_engineapp_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg);
//  The engine's and the control endpoint's counters in the heartbeat.
void rs_engineapp_stats (rs_sub_t *sub, rs_sub_report_t *report, void *arg);
//  SIGHUP: re-reads the configuration file, keeping the old one on error.
void rs_engineapp_reload (rs_sub_t *sub, void *arg);
//  Publishes the last KPIs; the summary counts samples and alerts.
int rs_engineapp_stop (rs_sub_t *sub, char *summary, size_t size, void *arg);
//  Closes the control endpoint and the engine.
void rs_engineapp_free (void *arg);

#endif
