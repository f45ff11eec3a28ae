/*  rs_logger: rigstream-logger's engine, messages printed on stdout. Its
    functions are the program's rs_sub_def_t callbacks, each given the
    rs_logger_t as arg; they read the options of rigstream-logger's table
    (every, json, durable, color, units). */
#ifndef RS_LOGGER_H
#define RS_LOGGER_H

#include <stddef.h>

#include "rs_sub.h"

typedef struct rs_logger_t rs_logger_t;

//  A fresh, empty printer (NULL when out of memory); destroy frees it and
//  NULLs the pointer, after rs_logger_free has freed the summary.
rs_logger_t *rs_logger_new (void);
void rs_logger_destroy (rs_logger_t **self_p);

//  Reads and checks the options; opens the summary: RS_OK, RS_E_CONFIG
//  (said on stderr) or RS_E_NOMEM.
int rs_logger_setup (rs_config_t *cfg, rs_sub_opts_t *opts, void *arg);
//  Adds the summary and stdout flush timers.
int rs_logger_start (rs_sub_t *sub, void *arg);
//  Prints a message (text or JSON), or adds it to the summary.
int rs_logger_message (rs_sub_t *sub, const rs_msg_t *msg, void *arg);
//  Flushes stdout.
int rs_logger_stop (rs_sub_t *sub, char *summary, size_t size, void *arg);
//  Frees the summary.
void rs_logger_free (void *arg);

#endif
