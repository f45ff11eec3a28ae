/*  rs_flowback: the well's flowback at pump stops, fingerprinted. At each
    connection a well may give back some of what the circulating pressure
    pushed into it (ballooning, breathing); drillers compare each stop's
    flowback with the last few, and what the well gave back before, at the
    same time since the stop, is no influx. The kick detector asks whether
    the stop so far is within the last stops' flowback. When the pumps come
    back the formation takes again what it gave: the losses detector asks
    whether the returns lost since are within what the last stop gave
    back. Pure logic, fed the
    flow model's balance (returns above expected, L/min) sample by sample;
    no allocation. */
#ifndef RS_FLOWBACK_H
#define RS_FLOWBACK_H

#include <stdbool.h>
#include <stddef.h>

#define RS_FLOWBACK_STEP_S  30.0        // one profile point every this many seconds since the stop ...
#define RS_FLOWBACK_PTS     30          // ... over the first 15 minutes
#define RS_FLOWBACK_KEEP    5           // the last this many stops

typedef enum {
    RS_FLOWBACK_UNKNOWN = 0,    // pumps on, too few stops seen, or later in the stop than they lasted
    RS_FLOWBACK_WITHIN,         // within what the last stops gave back by now
    RS_FLOWBACK_BEYOND          // more than they did
} rs_flowback_verdict_t;

typedef struct {
    double vol[RS_FLOWBACK_PTS];    // L given back by each point's time
    size_t n;                       // points reached
    double net;                     // L given back over the whole stop, net
} rs_flowback_profile_t;

typedef struct {
    rs_flowback_profile_t kept[RS_FLOWBACK_KEEP];
    size_t kept_n, kept_head;
    rs_flowback_profile_t cur;      // this stop's
    bool stopped;                   // the pumps are off
    double t;                       // s since the stop
    double vol;                     // L given back since the stop
    double net;                     // ... less what was taken meanwhile (the meter's noise cancels)
    bool discard;                   // this stop is no fingerprint (a trip, the well shut in)
    rs_flowback_verdict_t verdict;
    double owed;                    // pumps on: L the last stop gave back, net (0: under a barrel, or none)
    double taken;                   // ... and L lost since the pumps came back, net
    double on_s;                    // s since the pumps came back
    double take_sum, take_s;        // returns lost, this window's sum (L/min.s) and seconds
    double take_prev;               // the last whole window's mean, L/min
    int take_windows;               // whole windows since the pumps came back
    bool take_held;                 // the last window's losses did not die away ...
    bool take_done;                 // ... nor this one's: no more taking
} rs_flowback_t;

void rs_flowback_init (rs_flowback_t *self);
//  One sample, dt s after the last: whether the pumps are off, the flow
//  model's balance (NaN: not known, counts as none), and whether this stop
//  can be a fingerprint (false on a trip or with the well shut in: once
//  false, the whole stop is left out).
void rs_flowback_feed (rs_flowback_t *self, double dt, bool pumps_off, double balance_lpm, bool usable);
rs_flowback_verdict_t rs_flowback_verdict (const rs_flowback_t *self);
//  L given back since the pumps stopped (0 with the pumps on).
double rs_flowback_volume (const rs_flowback_t *self);
//  The most the kept stops had given back by now, L (NaN: unknown).
double rs_flowback_envelope (const rs_flowback_t *self);
//  Pumps on: the returns lost since they came back are within what the
//  last stop gave back (the formation taking it again).
bool rs_flowback_taking_back (const rs_flowback_t *self);
#endif
