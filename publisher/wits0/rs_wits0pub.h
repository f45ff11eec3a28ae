/*  rs_wits0pub: rigstream-wits0's engine, the WITS0 reader: its source (a
    link), the parser and the mapping, publishing a sample per frame. Its
    functions are the program's rs_pub_def_t callbacks, each given the
    rs_wits0pub_t as arg; they read the options of rigstream-wits0's table
    (connect, listen, serial, baud, framing, file, map, units, nulls, well,
    utc-offset, carry-unknown, peer-heartbeat-s, idle-timeout-s,
    reconnect-max-s, print-map). */
#ifndef RS_WITS0PUB_H
#define RS_WITS0PUB_H

#include <stddef.h>

#include "rs_config.h"
#include "rs_pub.h"

typedef struct rs_wits0pub_t rs_wits0pub_t;

//  A fresh, empty reader (NULL when out of memory); destroy frees it and
//  NULLs the pointer, after rs_wits0pub_free has closed what setup opened.
rs_wits0pub_t *rs_wits0pub_new (void);
void rs_wits0pub_destroy (rs_wits0pub_t **self_p);

//  Checks the options, loads the mapping and opens the link (a listener
//  binds): RS_OK, RS_E_EXIT (--print-map), RS_E_CONFIG (said on stderr) or
//  RS_E_IO (logged).
int rs_wits0pub_setup (rs_config_t *cfg, void *arg);
//  Connected: says where the feed comes from, for the "ready:" line.
void rs_wits0pub_ready (rs_pub_t *pub, char *what, size_t size, void *arg);
//  The poll loop, until a signal or the end of a file.
int rs_wits0pub_run (rs_pub_t *pub, rs_config_t *cfg, void *arg);
//  The counts for the "stopped:" line.
void rs_wits0pub_stop (rs_pub_t *pub, char *summary, size_t size, void *arg);
//  The parser's, the mapping's and the link's counts on sys.wits0.
void rs_wits0pub_heartbeat (rs_pub_t *pub, const char *state, void *arg);
//  Closes the link and frees the parser and the mapping.
void rs_wits0pub_free (void *arg);

#endif
