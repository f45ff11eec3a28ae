/*  Unit conversion and the metric / imperial display systems, against
    independently known values (NIST SP 811 factors, oilfield rules of thumb). */
#include <math.h>
#include <string.h>

#include "rs_channels.h"
#include "rs_test.h"
#include "rs_units.h"

//  value in `unit` shown in imperial
static double
s_imp (const char *unit, double v, const char **shown)
{
    rs_unit_view_t view = rs_units_view (unit, RS_UNITS_IMPERIAL);
    *shown = view.unit;
    return v * view.scale + view.offset;
}



int
main (void)
{
    const char *u;
    RS_CHECK_NEAR (s_imp ("m", 1000, &u), 3280.84, 0.01);
    RS_CHECK_STR (u, "ft");
    RS_CHECK_NEAR (s_imp ("m/h", 30.48, &u), 100, 1e-9);
    RS_CHECK_STR (u, "ft/h");
    RS_CHECK_NEAR (s_imp ("kN", 4.4482216, &u), 1, 1e-9);
    RS_CHECK_STR (u, "klbf");
    RS_CHECK_NEAR (s_imp ("kN.m", 1.3558179, &u), 1, 1e-9);
    RS_CHECK_STR (u, "kft.lbf");
    RS_CHECK_NEAR (s_imp ("bar", 1, &u), 14.5038, 0.0001);
    RS_CHECK_STR (u, "psi");
    RS_CHECK_NEAR (s_imp ("MPa", 1, &u), 145.038, 0.001);        //  composed through bar
    RS_CHECK_STR (u, "psi");
    RS_CHECK_NEAR (s_imp ("L/min", 3785.4118, &u), 1000, 1e-6);
    RS_CHECK_STR (u, "gal/min");
    RS_CHECK_NEAR (s_imp ("m3", 1, &u), 6.28981, 0.00001);
    RS_CHECK_STR (u, "bbl");
    RS_CHECK_NEAR (s_imp ("degC", 100, &u), 212, 1e-9);
    RS_CHECK_NEAR (s_imp ("degC", -40, &u), -40, 1e-9);
    RS_CHECK_STR (u, "degF");
    RS_CHECK_NEAR (s_imp ("kg/m3", 1198.2643, &u), 10, 1e-6);    //  10 ppg
    RS_CHECK_STR (u, "ppg");
    //  No imperial counterpart: shown as is.
    RS_CHECK_NEAR (s_imp ("rpm", 120, &u), 120, 0);
    RS_CHECK_STR (u, "rpm");
    RS_CHECK_NEAR (s_imp ("%", 3, &u), 3, 0);
    RS_CHECK_NEAR (s_imp ("furlong", 3, &u), 3, 0);
    RS_CHECK_STR (u, "furlong");

    //  Metric shows the suite's own units unchanged.
    rs_unit_view_t m = rs_units_view ("kN", RS_UNITS_METRIC);
    RS_CHECK_STR (m.unit, "kN");
    RS_CHECK (m.scale == 1 && m.offset == 0);

    //  Every known channel has a view in both systems, and every displayed
    //  unit converts both ways exactly (round trip).
    for (int i = 0; i < RS_CH_COUNT; i++) {
        const rs_chan_info_t *c = rs_chan_info (i);
        rs_unit_view_t v = rs_units_view (c->unit, RS_UNITS_IMPERIAL);
        RS_CHECK (v.unit && v.scale > 0);
    }
    size_t n = 0;
    for (const char *unit; (unit = rs_units_displayed (n)); n++) {
        rs_unit_view_t v = rs_units_view (unit, RS_UNITS_IMPERIAL);
        RS_CHECK (strcmp (v.unit, unit) != 0);
        double s, o;
        RS_CHECK (rs_units_convert (v.unit, unit, &s, &o));
        RS_CHECK_NEAR ((123.456 * v.scale + v.offset) * s + o, 123.456, 1e-9);
    }
    RS_CHECK_INT ((int) n, 10);

    //  Spellings and systems.
    RS_CHECK_INT (rs_units_system ("Imperial"), RS_UNITS_IMPERIAL);
    RS_CHECK_INT (rs_units_system ("oilfield"), RS_UNITS_IMPERIAL);
    RS_CHECK_INT (rs_units_system ("metric"), RS_UNITS_METRIC);
    RS_CHECK_INT (rs_units_system ("SI"), RS_UNITS_METRIC);
    RS_CHECK_INT (rs_units_system ("cubits"), -1);
    RS_CHECK_INT (rs_units_system (NULL), -1);
    RS_CHECK_STR (rs_units_system_name (RS_UNITS_IMPERIAL), "imperial");
    double s, o;
    RS_CHECK (rs_units_convert ("deg F", "degC", &s, &o));
    RS_CHECK_NEAR (212 * s + o, 100, 1e-9);
    RS_CHECK (rs_units_convert ("psi", "MPa", &s, &o));
    RS_CHECK_NEAR (145.0377 * s + o, 1, 1e-4);
    RS_CHECK (!rs_units_convert ("psi", "m", &s, &o));
    RS_CHECK (!rs_units_convert ("rpm", "%", &s, &o));
    return RS_TEST_DONE ();
}
