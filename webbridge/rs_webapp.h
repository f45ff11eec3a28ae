/*  rs_webapp: rigstream-web's engine. Its functions are the program's
    rs_sub_def_t callbacks, each given the rs_webapp_t as arg; they read the
    options of rigstream-web's table (host, port, root, tokens, limits,
    audit, endpoints and keys of the broker and the engine). */
#ifndef RS_WEBAPP_H
#define RS_WEBAPP_H

#include <stddef.h>

#include "rs_sub.h"

typedef struct rs_webapp_t rs_webapp_t;

//  A fresh, empty bridge (NULL when out of memory); destroy frees it and
//  NULLs the pointer, after rs_webapp_free has closed what it holds.
rs_webapp_t *rs_webapp_new (void);
void rs_webapp_destroy (rs_webapp_t **self_p);

//  Checks the options: off loopback, writes need a token. RS_OK or
//  RS_E_CONFIG (logged).
int rs_webapp_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg);
//  Makes the hub, the alert store and the web server.
int rs_webapp_start (rs_sub_t *sub, void *arg);
//  Feeds the hub and the alert store with one message.
int rs_webapp_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg);
//  The hub's and the server's counters in the heartbeat.
void rs_webapp_stats (rs_sub_t *sub, rs_sub_report_t *report, void *arg);
//  Stops the web server; the summary counts what went to the browsers.
int rs_webapp_stop (rs_sub_t *sub, char *summary, size_t size, void *arg);
//  Frees the server, the alert store and the hub.
void rs_webapp_free (void *arg);

#endif
