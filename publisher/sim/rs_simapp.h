/*  rs_simapp: rigstream-sim's engine, the simulated wells from its options.
    Its functions are the program's rs_pub_def_t callbacks, each given the
    rs_simapp_t as arg; they read the options of rigstream-sim's table
    (wells, well-ids, rate, speed, seed, count, events, random-events,
    start-depth, trip-every, vary, faults). */
#ifndef RS_SIMAPP_H
#define RS_SIMAPP_H

#include <stddef.h>

#include "rs_config.h"
#include "rs_err.h"
#include "rs_msg.h"
#include "rs_pub.h"

typedef struct rs_simapp_t rs_simapp_t;

//  A fresh, empty set of wells (NULL when out of memory); destroy frees it
//  and NULLs the pointer, after rs_simapp_free has freed the wells.
rs_simapp_t *rs_simapp_new (void);
void rs_simapp_destroy (rs_simapp_t **self_p);

//  Pure checks of two options, for setup and the tests. --rate: a number
//  of Hz, or 0 / "max" for as fast as possible; RS_OK setting *rate, or
//  RS_E_CONFIG (rs_errmsg says why).
rs_err_t rs_simapp_rate (const char *text, double *rate);
//  The well ids: those of list (--well-ids: comma-separated, spaces
//  trimmed; at most RS_SIMPUB_MAX_WELLS), else A-01 .. A-<wells>. RS_OK
//  setting *count, or RS_E_CONFIG (an invalid id, too many, one given
//  twice, none; rs_errmsg says which).
rs_err_t rs_simapp_well_ids (const char *list, int wells, char ids[][RS_MAX_ID + 1], int *count);

//  Checks the options and builds the wells: RS_OK, RS_E_CONFIG (said on
//  stderr) or RS_E_NOMEM (logged).
int rs_simapp_setup (rs_config_t *cfg, void *arg);
//  Connected: starts the simulated clock and says what is simulated.
void rs_simapp_ready (rs_pub_t *pub, char *what, size_t size, void *arg);
//  Steps and publishes the wells until --count or a signal.
int rs_simapp_run (rs_pub_t *pub, rs_config_t *cfg, void *arg);
//  The counts for the "stopped:" line.
void rs_simapp_stop (rs_pub_t *pub, char *summary, size_t size, void *arg);
//  rs_simpub's heartbeat on sys.simulator.
void rs_simapp_heartbeat (rs_pub_t *pub, const char *state, void *arg);
//  Frees the wells.
void rs_simapp_free (void *arg);

#endif
