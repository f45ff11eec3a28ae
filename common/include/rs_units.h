/*  rs_units: unit conversion and the metric / imperial display systems.
    The suite stores and sends one unit system (rs_channels.h: m, kN, bar,
    L/min, m3, degC...); people may read it in US oilfield units instead. */
#ifndef RS_UNITS_H
#define RS_UNITS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { RS_UNITS_METRIC = 0, RS_UNITS_IMPERIAL = 1 } rs_unit_system_t;

//  How a value in one of the suite's units is displayed: value * scale + offset,
//  in `unit`.
typedef struct {
    const char *unit;
    double scale;
    double offset;
} rs_unit_view_t;

//  Converts between units the suite knows (e.g. "N" to "kN", "c/s" to "rpm",
//  "K" to "degC", "kN" to "klbf", "MPa" to "psi"). Returns true and sets
//  scale and offset (to = from * scale + offset), or false. Units may be
//  given in another known spelling (rs_units_spelling).
bool rs_units_convert (const char *from, const char *to, double *scale, double *offset);

//  The suite's spelling of a unit written another way ("KDN" -> "kdaN",
//  "ft/hr" -> "ft/h", "deg F" -> "degF"; WITS0's "F" is the foot); the
//  unit itself when it is already spelled that way or not known.
const char *rs_units_spelling (const char *unit);

//  True when the unit, in any known spelling, is one rs_units_convert knows.
bool rs_units_known (const char *unit);

//  A display system by name: "metric" (or "si"), "imperial" (or "us",
//  "oilfield"), any case. Returns the rs_unit_system_t, or -1.
int rs_units_system (const char *name);
const char *rs_units_system_name (rs_unit_system_t system);

//  How a value in the suite's unit `unit` is shown in `system`. Units with no
//  imperial counterpart (rpm, %, s...) are shown as they are (scale 1).
rs_unit_view_t rs_units_view (const char *unit, rs_unit_system_t system);

//  The suite's units that display differently in the imperial system, one
//  per index from 0; NULL past the last. For publishing the table (web API).
const char *rs_units_displayed (size_t index);

#endif
