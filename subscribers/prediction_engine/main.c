/*  rigstream-engine: the prediction engine. Reads telemetry.<well>, runs
    rs_engine (KPIs, rig state, detectors, threshold rules, anomaly
    detector), publishes kpi.<well> about once a second and every alert
    transition on alert.<well>. Its configuration file (rules, rig-state
    thresholds, detectors on/off) is re-read on SIGHUP and on the control
    endpoint's "reload"; "set_thresholds" replaces the rules at run time.
    This file is the options; rs_engineapp is the engine's wiring. */
#include <stdlib.h>

#include "rs_engineapp.h"
#include "rs_sub.h"

static const rs_option_t s_options[] = {
    { "config", "ENGINE_CONFIG", RS_OPT_STRING, NULL,
      "configuration file (JSON: threshold rules, rig-state thresholds, detectors); none = no rules", 0, 0 },
    { "rules-file", "ENGINE_RULES_FILE", RS_OPT_STRING, "",
      "file of the threshold rules set at run time (written atomically; its rules replace the configuration's); "
      "empty = $RIGSTREAM_RUN_DIR/state/engine-rules.json", 0, 0 },
    { "state-file", "ENGINE_STATE_FILE", RS_OPT_STRING, "",
      "file of the alarm state (next alert id, active alarms, acknowledgements, shelves, out of service; written "
      "atomically); empty = $RIGSTREAM_RUN_DIR/state/engine-state.json", 0, 0 },
    { "recheck", "ENGINE_RECHECK_S", RS_OPT_DOUBLE, "60",
      "after a restart, alarms still active that no detector raises again within this many seconds of a well's "
      "data are cleared", 1, 3600 },
    { "control-port", "ENGINE_CONTROL_PORT", RS_OPT_INT, "5558",
      "port of the control endpoint (JSON commands; 0 = none)", 0, 65535 },
    { "control-bind", "ENGINE_CONTROL_BIND", RS_OPT_STRING, "127.0.0.1",
      "address the control endpoint binds to", 0, 0 },
    { "control", "ENGINE_CONTROL_ENDPOINT", RS_OPT_ENDPOINT, NULL,
      "full control endpoint to bind (tcp://host:port or ipc://path); overrides bind and port", 0, 0 },
    { "kpi-ms", "ENGINE_KPI_MS", RS_OPT_INT, "1000", "interval between KPI messages per well, ms", 100, 60000 },
    { "bit-diameter", "ENGINE_BIT_DIAMETER_M", RS_OPT_DOUBLE, "0",
      "bit diameter for MSE and the hole drilled, m (8 1/2 in = 0.2159; 0 = not configured: MSE "
      "assumes 8 1/2 in, the flow model leaves the hole drilled out)", 0, 1.0 },
    { "pipe-displacement", "ENGINE_PIPE_DISPLACEMENT", RS_OPT_DOUBLE, "0",
      "steel displacement of the drill string, m3/m (5 in drill pipe: 0.0041; 0 = not configured: "
      "flow anomalies are not judged while the string moves)", 0, 0.05 },
    { "flowline-lag", "ENGINE_FLOWLINE_LAG_S", RS_OPT_DOUBLE, "0",
      "flowline lag of the returns, s (0 = learned from pump starts and stops)", 0, 600 },
    { "pit-alarm", "ENGINE_PIT_ALARM_M3", RS_OPT_DOUBLE, "1.6",
      "pit gain or loss alarm level for the time-to-alarm prediction, m3", 0.1, 100 },
    { "rock-ccs", "ENGINE_ROCK_CCS_MPA", RS_OPT_DOUBLE, "0",
      "confined compressive strength of the rock drilled, MPa, for the CCS / MSE efficiency (0 = unknown)", 0, 1000 },
    { "max-wells", "ENGINE_MAX_WELLS", RS_OPT_INT, "64", "wells followed at most", 1, 4096 },
    RS_OPTION_END
};

int
main (int argc, char **argv)
{
    rs_engineapp_t *self = rs_engineapp_new ();
    static const char *const topics[] = { "telemetry.", NULL };
    const rs_sub_def_t def = {
        .component = "prediction_engine",
        .program = "rigstream-engine",
        .usage = "compute KPIs and raise alerts from live telemetry",
        .options = s_options,
        .topics = topics,
        //  KPIs and alerts are repaired from the journal like samples.
        .journal = true,
        .own_ready_line = true,
        .on_setup = rs_engineapp_setup,
        .on_start = rs_engineapp_start,
        .on_message = rs_engineapp_message,
        .on_stats = rs_engineapp_stats,
        .on_reload = rs_engineapp_reload,
        .on_stop = rs_engineapp_stop,
        .on_free = rs_engineapp_free,
        .arg = self,
    };
    int rc = self ? rs_sub_main (&def, argc, argv) : EXIT_FAILURE;
    rs_engineapp_destroy (&self);
    return rc;
}
