/*  rs_kpi_units: KPI units (see rs_kpi_units.h). Keep in step with the
    engine's rs_kpi_values; test_uplink_kpi_units checks every name it
    publishes has a unit here. */
#include "rs_kpi_units.h"

#include <string.h>

#include "rs_channels.h"

static const struct {
    const char *name, *unit;
} s_units[] = {
    { "mse_mpa", "MPa" }, { "mse_psi", "psi" }, { "mse_avg5m_mpa", "MPa" }, { "mse_avg5m_psi", "psi" },
    { "mse_stand_ratio", "1" }, { "mse_stand_best_mpa", "MPa" }, { "ccs_mse_ratio", "1" },
    { "rop_per_wob_rpm", "1e-5 (m/h)/(kN.rev/min)" },
    { "rop_stand", "m/h" }, { "rop_last_stand", "m/h" }, { "rop_next_stand", "m/h" }, { "stands", "count" },
    { "pit_gain", "m3" }, { "pit_trend_m3_per_min", "m3/min" }, { "pit_alarm_eta_min", "min" },
    { "on_bottom_pct", "%" }, { "rotary_pct", "%" }, { "sliding_pct", "%" }, { "circulating_pct", "%" },
    { "connection_pct", "%" }, { "connections", "count" }, { "connection_last_s", "s" },
    { "connection_avg_s", "s" }, { "rig_state_code", "1" }, { "rig_state_s", "s" }, { "block_weight", "kN" },
    { "hole_depth", "m" },
    { "flow_out_expected", "L/min" }, { "flow_balance", "L/min" }, { "spp_dev_pct", "%" },
    { "anomaly_score", "1" }, { "alerts_active", "count" },
    { "flowback_m3", "m3" }, { "flowback_fingerprint_m3", "m3" },
};

const char *
rs_kpi_unit (const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof s_units / sizeof s_units[0]; i++)
        if (strcmp (s_units[i].name, name) == 0)
            return s_units[i].unit;
    //  Channel means over a window: the channel's own unit.
    size_t len = strlen (name);
    static const char *suffixes[] = { "_avg5m", "_avg15m" };
    for (size_t k = 0; k < 2; k++) {
        size_t sl = strlen (suffixes[k]);
        if (len > sl && strcmp (name + len - sl, suffixes[k]) == 0) {
            int ch = rs_chan_lookup (name, len - sl);
            return ch == RS_CH_UNKNOWN ? NULL : rs_chan_info (ch)->unit;
        }
    }
    return NULL;
}
