/*  rs_chanq: the quality of one well's channel readings, checked before any
    model sees them. Real feeds carry readings no sensor could make (a mud
    temperature of 0 K, i.e. -273 degC: what a logging unit sends for a
    sensor that is not there) and stuck channels (a returns flow meter that
    reads the same non-zero flow to a hundredth of a L/min for hours while
    the pumps start and stop). Both become "no reading" (NaN), so the rig
    state, the KPIs, the detectors and the rules treat them as missing
    rather than as facts (docs/PREDICTION.md, Data quality).

    - Implausible: outside the physical range of the channel (mud
      temperatures -50 to 350 degC, mud densities 500 to 3,000 kg/m3).
    - Stuck (flow out): a reading that is not zero and has not moved by more
      than RS_CHANQ_FLAT_LPM since the channel was first seen, or for
      RS_CHANQ_FLAT_S. Returns are turbulent: a live meter never holds a
      non-zero flow that still; a zero reading (no returns) is taken as it
      is. A stuck channel is live again at its first real change. */
#ifndef RS_CHANQ_H
#define RS_CHANQ_H

#include <stdbool.h>
#include <stdint.h>

#include "rs_channels.h"

#define RS_CHANQ_FLAT_LPM   0.5     // L/min: less change than this is no change
#define RS_CHANQ_FLAT_S     600.0   // s without change: stuck

typedef struct {
    double anchor;              // reading at the last change; NaN before the first
    int64_t changed_us;         // time of that change
    bool moved;                 // changed at least once since first seen
    bool stuck;                 // judged stuck on the last reading
} rs_chanq_flat_t;

typedef struct {
    rs_chanq_flat_t flow_out;
    uint64_t implausible;       // readings dropped as impossible
    uint64_t stuck;             // readings dropped as stuck
} rs_chanq_t;

void rs_chanq_init (rs_chanq_t *self);
//  Checks one sample's channels in place (ch[] by rs_chan_id_t, NaN = no
//  reading): implausible and stuck readings become NaN. Returns how many
//  readings it dropped.
int rs_chanq_filter (rs_chanq_t *self, int64_t ts_us, double ch[RS_CH_COUNT]);

#endif
