/*  rs_wits0: WITS Level 0 framing, both ways, with no I/O. The parser is fed
    bytes in whatever chunks the link delivers and hands out each complete
    frame (&& ... !!) as a list of items (RRII code, value); everything else
    is counted by reason: noise between frames, lines that are not RRII<value>,
    frames cut short, Pason's 1984PASON/EDR prefix lines, heartbeat frames.
    The formatter writes frames for the WITS0 output. See docs/INGEST.md
    and the item table in rs_wits0map.c. */
#ifndef RS_WITS0_H
#define RS_WITS0_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_err.h"

#define RS_WITS0_MAX_LINE   256     //  bytes of one line; longer lines are dropped
#define RS_WITS0_MAX_ITEMS  256     //  items in one frame; more are dropped
#define RS_WITS0_MAX_NULLS  16

//  The heartbeat frame a WITS0 peer sends when it has nothing else to say,
//  at least every 30 s, so the other end does not time the link out.
#define RS_WITS0_HEARTBEAT "&&\r\n0111-9999\r\n!!\r\n"

typedef struct {
    int code;               //  RRII as a number: 108 for "0108" (record 01, item 08)
    double value;           //  NAN when blank, a null sentinel or not a number
    bool null;              //  blank or a null sentinel: "no reading"
    const char *text;       //  the value as sent, trimmed (e.g. a well name)
} rs_wits0_item_t;

typedef struct {
    uint64_t bytes;             //  fed in
    uint64_t frames;            //  complete frames with data, handed out
    uint64_t heartbeats;        //  frames with no reading at all (e.g. && 0111-9999 !!)
    uint64_t items;             //  items in the frames handed out
    uint64_t nulls;             //  of which blank or a null sentinel
    uint64_t noise_bytes;       //  bytes outside frames (lines other than &&, Pason prefixes)
    uint64_t bad_lines;         //  lines inside a frame that are not RRII<value>
    uint64_t long_lines;        //  lines longer than RS_WITS0_MAX_LINE, dropped
    uint64_t partial_frames;    //  frames cut short: && again before !!, link lost, end of input
    uint64_t dropped_items;     //  items past RS_WITS0_MAX_ITEMS (or 16 KB of values) in one frame
    uint64_t pason_lines;       //  1984PASON/EDR prefix lines, skipped
} rs_wits0_stats_t;

//  Called for each complete frame that carries at least one reading. The
//  items and their text are valid during the call only.
typedef void (rs_wits0_fn) (const rs_wits0_item_t *items, size_t n, void *arg);

typedef struct rs_wits0_t rs_wits0_t;

//  A fresh parser with the default null sentinels (-9999.00 and -8888.00).
rs_wits0_t *rs_wits0_new (void);
void rs_wits0_destroy (rs_wits0_t **self_p);

//  Sets the null sentinels from a list such as "-9999.00,-8888.00" (commas
//  or spaces; empty = none). Returns RS_OK, or (nothing changed) RS_E_FORMAT
//  when an entry is not a number, RS_E_RANGE when there are more than
//  RS_WITS0_MAX_NULLS; rs_errmsg says which.
rs_err_t rs_wits0_set_nulls (rs_wits0_t *self, const char *list);

//  Feeds bytes; calls fn for each frame completed by them.
void rs_wits0_feed (rs_wits0_t *self, const void *data, size_t len, rs_wits0_fn *fn, void *arg);
//  Ends the input (link lost, end of file): a line without its line end is
//  taken as ended, and a frame still open is counted as partial and dropped.
void rs_wits0_end (rs_wits0_t *self, rs_wits0_fn *fn, void *arg);

const rs_wits0_stats_t *rs_wits0_stats (const rs_wits0_t *self);
//  Sum of everything rejected: noise bytes excepted, the number of lines and
//  frames (bad, long, partial, dropped items).
uint64_t rs_wits0_rejected (const rs_wits0_t *self);
//  What the last rejection was, for the log ("" if none yet).
const char *rs_wits0_last_reject (const rs_wits0_t *self);

//  Writes one frame: &&, one RRII<text> line per item, !!, each line ending
//  CR LF. An item's text is used when set, else its value with up to three
//  decimals. Returns the length written (without the NUL), or -1 when buf is
//  too small or an item is invalid (code outside 0101-9999, NaN without text).
int rs_wits0_format (const rs_wits0_item_t *items, size_t n, char *buf, size_t size);
//  Formats a value as a WITS0 value field: up to three decimals, trailing
//  zeros dropped ("2451.2", "120", "-0.5"). Returns buf.
char *rs_wits0_number (double value, char *buf, size_t size);

#endif
