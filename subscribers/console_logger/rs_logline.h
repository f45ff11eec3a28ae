/*  rs_logline: how the console logger renders messages. Pure functions over
    decoded messages, so the text and JSON forms are unit-tested without sockets. */
#ifndef RS_LOGLINE_H
#define RS_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "rs_msg.h"
#include "rs_units.h"

//  How lines look: ANSI colour or not, and the unit system channel values
//  are shown in (converted from the suite's units at print time).
typedef struct {
    bool color;
    rs_unit_system_t units;
} rs_logstyle_t;

#define RS_LOGLINE_EXTRAS 8     // custom channels shown by name on a line; more are counted

//  One readable line (no newline) for a message: telemetry shows the main
//  channels with their units in the style's system (depths to the
//  centimetre), then up to RS_LOGLINE_EXTRAS custom channels by name in
//  their publisher's units and "(+N more)", events their type and
//  phase, other kinds their fields. With style->color, ANSI escapes highlight
//  the well and events. Returns the length written (truncated to size - 1).
size_t rs_logline_text (const rs_msg_t *msg, const rs_logstyle_t *style, char *buf, size_t size);

//  One JSON object (no newline) for a message: topic, kind, pub, epoch, seq,
//  ts (ISO 8601) and ts_us, the well or component, and every field of the
//  body; nil channel values become null. Values stay in the suite's units
//  (docs/PROTOCOL.md): JSON lines are for programs. Returns a fresh string (free it), or
//  NULL on out of memory.
char *rs_logline_json (const rs_msg_t *msg);

//  Per-well summary for --every: accumulates samples between prints.
typedef struct rs_logsum_t rs_logsum_t;
rs_logsum_t *rs_logsum_new (void);
void rs_logsum_destroy (rs_logsum_t **self_p);
void rs_logsum_add (rs_logsum_t *self, const rs_msg_t *msg);
//  Writes one line per well seen since the last call into buf (newline
//  separated), then resets the window. interval_s is the window length.
size_t rs_logsum_flush (rs_logsum_t *self, double interval_s, const rs_logstyle_t *style, char *buf,
                        size_t size);

#endif
