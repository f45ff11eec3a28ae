/*  Every KPI the engine publishes has a unit in the suite's table
    (rs_kpi_units), which the uplink sends as the Sparkplug engUnit: a new
    KPI without one fails here, not silently at the host. */
#include <stdio.h>
#include <string.h>

#include "rs_channels.h"
#include "rs_engine.h"
#include "rs_kpi_units.h"
#include "rs_test.h"

int
main (void)
{
    rs_engine_t *e = rs_engine_new (NULL, NULL, NULL);
    RS_CHECK (e != NULL);
    rs_value_t ch[] = { { "bit_depth", RS_CH_BIT_DEPTH, 2000 }, { "hole_depth", RS_CH_HOLE_DEPTH, 2000 },
                        { "rop", RS_CH_ROP, 20 }, { "wob", RS_CH_WOB, 100 }, { "rpm", RS_CH_RPM, 120 },
                        { "torque", RS_CH_TORQUE, 10 } };
    RS_CHECK_INT (rs_engine_feed (e, "A-01", 1767225600000000LL, ch, sizeof ch / sizeof ch[0]), RS_OK);
    rs_value_t v[RS_ENGINE_KPI_MAX];
    size_t n = rs_engine_kpis (e, 0, v, RS_ENGINE_KPI_MAX);
    RS_CHECK (n >= 40);
    for (size_t i = 0; i < n; i++) {
        const char *unit = rs_kpi_unit (v[i].name);
        if (!unit || !*unit)
            fprintf (stderr, "KPI %s has no unit in common/rs_kpi_units.c\n", v[i].name);
        RS_CHECK (unit && *unit);
    }
    RS_CHECK_STR (rs_kpi_unit ("mse_mpa"), "MPa");
    RS_CHECK_STR (rs_kpi_unit ("torque_avg15m"), "kN.m");
    RS_CHECK_STR (rs_kpi_unit ("flow_in_avg5m"), "L/min");
    RS_CHECK (rs_kpi_unit ("nothing_avg5m") == NULL);
    RS_CHECK (rs_kpi_unit ("a_kpi_we_do_not_know") == NULL);
    rs_engine_destroy (&e);
    return RS_TEST_DONE ();
}
