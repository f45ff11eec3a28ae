/*  rs_csvreplay: rigstream-csv's engine, the CSV replay driver: the file,
    its mapping and the row read ahead, paced onto the broker. Its
    functions are the program's rs_pub_def_t callbacks, each given the
    rs_csvreplay_t as arg; they read the options of rigstream-csv's table
    (RS_OPTIONS_PACE, preset, map, well, nulls, time-column, date-column,
    date-order, utc-offset, extras, print-preset). */
#ifndef RS_CSVREPLAY_H
#define RS_CSVREPLAY_H

#include <stddef.h>

#include "rs_config.h"
#include "rs_pub.h"

typedef struct rs_csvreplay_t rs_csvreplay_t;

//  A fresh, empty driver (NULL when out of memory); destroy frees it and
//  NULLs the pointer, after rs_csvreplay_free has closed what setup opened.
rs_csvreplay_t *rs_csvreplay_new (void);
void rs_csvreplay_destroy (rs_csvreplay_t **self_p);

//  Checks the options, opens the mapping and the file and reads the first
//  row: RS_OK, RS_E_EXIT (--print-preset), RS_E_CONFIG (said on stderr) or
//  RS_E_IO (logged).
int rs_csvreplay_setup (rs_config_t *cfg, void *arg);
//  Connected: says what is replayed, and how, for the "ready:" line.
void rs_csvreplay_ready (rs_pub_t *pub, char *what, size_t size, void *arg);
//  Publishes every row, paced, until the end of the file or a signal.
int rs_csvreplay_run (rs_pub_t *pub, rs_config_t *cfg, void *arg);
//  The counts for the "stopped:" line.
void rs_csvreplay_stop (rs_pub_t *pub, char *summary, size_t size, void *arg);
//  The reader's counts on sys.csv.
void rs_csvreplay_heartbeat (rs_pub_t *pub, const char *state, void *arg);
//  Closes the file and frees the reader and the mapping.
void rs_csvreplay_free (void *arg);

#endif
