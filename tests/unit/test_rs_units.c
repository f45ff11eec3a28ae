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

    //  Pason EDR spellings, against the definitions (1 ft = 0.3048 m, 1 lb =
    //  0.45359237 kg, g = 9.80665 m/s2, 1 US gal = 231 in3, 1 bbl = 42 gal).
    const double lbf = 0.45359237 * 9.80665, gal = 231 * 0.0254 * 0.0254 * 0.0254;
    static const char *const pason[] = { "feet", "ft_per_hr", "klbs", "kft_lb", "ft_lbs", "psi", "gal_per_min",
                                         "barrels", "lbs_per_gal", "RPM", "SPM", "flow_percent" };
    const char *to[] = { "m", "m/h", "kN", "kN.m", "kN.m", "bar", "L/min", "m3", "kg/m3", "rpm", "spm", "%" };
    const double want[] = { 0.3048, 0.3048, lbf, lbf * 0.3048, lbf * 0.3048 / 1000, lbf / (0.0254 * 0.0254) / 1e5,
                            gal * 1000, gal * 42, 0.45359237 / gal, 1, 1, 1 };
    for (size_t i = 0; i < sizeof pason / sizeof pason[0]; i++) {
        bool ok = rs_units_convert (pason[i], to[i], &s, &o);
        if (!ok || fabs (s / want[i] - 1) > 1e-7 || o != 0) {
            fprintf (stderr, "%s -> %s: %.10g, expected %.10g\n", pason[i], to[i], ok ? s : NAN, want[i]);
            RS_CHECK (0);
        }
        RS_CHECK (rs_units_known (pason[i]));
    }
    //  A percentage paddle is no flow.
    RS_CHECK (!rs_units_convert ("flow_percent", "L/min", &s, &o));
    RS_CHECK (!rs_units_known ("units"));
    RS_CHECK (!rs_units_known ("furlong"));
    RS_CHECK (!rs_units_known (NULL));
    RS_CHECK (rs_units_known ("kN"));
    return RS_TEST_DONE ();
}
