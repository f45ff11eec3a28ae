/*  rs_anomaly: an unsupervised multivariate detector for what no rule or
    named detector covers. Per rig-state group (drilling; circulating and
    reaming) it keeps, for each feature, a robust running baseline: an
    exponentially weighted mean and mean absolute deviation, learned only
    from samples that look normal. A sample's z-scores are combined as
    D = sqrt(sum over features of max(0, |z| - 2)^2), so a single mildly odd
    channel counts for nothing and several together count a lot. The alert
    ("anomaly") is raised when D stays above the threshold, only once the
    group has trained long enough, and never while a named alert explains
    the deviation. Pure: fed samples, emits transitions. */
#ifndef RS_ANOMALY_H
#define RS_ANOMALY_H

#include <stdbool.h>
#include <stdint.h>

#include "rs_alert.h"
#include "rs_rigstate.h"

typedef enum {
    RS_AF_FLOW_BALANCE = 0,     // flow out minus expected, L/min
    RS_AF_SPP_DEV,              // pressure coefficient deviation, %
    RS_AF_TORQUE,               // surface torque, kN.m
    RS_AF_PIT_SLOPE,            // pit gain trend, m3/min
    RS_AF_DENSITY_DIFF,         // mud density out - in, kg/m3
    RS_AF_COUNT
} rs_afeature_t;

const char *rs_afeature_name (int feature);

typedef struct {
    double threshold;           // D to raise; 0 = 6
    double train_s;             // training time per group before alerting; 0 = 3600 s
} rs_anomaly_opts_t;

typedef struct rs_anomaly_t rs_anomaly_t;

rs_anomaly_t *rs_anomaly_new (const rs_anomaly_opts_t *opts);
void rs_anomaly_destroy (rs_anomaly_t **self_p);
//  Feeds one sample's features (NaN = unknown). `explained` is true while
//  a named alert is raised for the well. Samples not after the previous one
//  are ignored.
void rs_anomaly_feed (rs_anomaly_t *self, int64_t ts_us, const double x[RS_AF_COUNT], rs_rig_t state,
                      bool explained, bool disabled, const rs_alert_sink_t *sink);
//  The last sample's score D (NaN outside a monitored state or while training).
double rs_anomaly_score (const rs_anomaly_t *self);
bool rs_anomaly_raised (const rs_anomaly_t *self);
void rs_anomaly_clear (rs_anomaly_t *self, int64_t ts_us, const rs_alert_sink_t *sink);

#endif
