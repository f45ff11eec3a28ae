/*  rs_units: the units the suite knows, how to convert between them, and how
    a value in the suite's own unit system is shown in the metric or the
    imperial (US oilfield) display system. Ingest converts recorded units into
    the suite's; the dashboard and the logger convert out of them at the edge. */
#include "rs_units.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

//  Conversions to the suite's units (value * scale + offset). "Euc" (a vendor's engineering units) is
//  how total gas arrives in percent-equivalent; it is taken as %.
static const struct {
    const char *from;
    const char *to;
    double scale;
    double offset;
} s_units[] = {
    { "m", "m", 1, 0 }, { "ft", "m", 0.3048, 0 },
    { "m/s", "m/h", 3600, 0 }, { "m/h", "m/h", 1, 0 }, { "ft/h", "m/h", 0.3048, 0 },
    { "N", "kN", 0.001, 0 }, { "kN", "kN", 1, 0 }, { "klbf", "kN", 4.4482216, 0 },
    { "kdaN", "kN", 10, 0 },
    { "c/s", "rpm", 60, 0 }, { "rpm", "rpm", 1, 0 }, { "1/min", "rpm", 1, 0 },
    { "N.m", "kN.m", 0.001, 0 }, { "kN.m", "kN.m", 1, 0 }, { "ft.lbf", "kN.m", 0.0013558179, 0 },
    { "kft.lbf", "kN.m", 1.3558179, 0 },
    { "Pa", "bar", 1e-5, 0 }, { "kPa", "bar", 0.01, 0 }, { "bar", "bar", 1, 0 },
    { "psi", "bar", 0.068947573, 0 },
    { "Hz", "spm", 60, 0 }, { "spm", "spm", 1, 0 }, { "1/min", "spm", 1, 0 },
    { "m3/s", "L/min", 60000, 0 }, { "L/min", "L/min", 1, 0 }, { "gal/min", "L/min", 3.7854118, 0 },
    { "m3", "m3", 1, 0 }, { "bbl", "m3", 0.15898729, 0 },
    { "%", "%", 1, 0 }, { "Euc", "%", 1, 0 },
    { "K", "degC", 1, -273.15 }, { "degC", "degC", 1, 0 }, { "degF", "degC", 5.0 / 9.0, -160.0 / 9.0 },
    { "kg/m3", "kg/m3", 1, 0 }, { "g/cm3", "kg/m3", 1000, 0 }, { "ppg", "kg/m3", 119.82643, 0 },
    { "kkgf", "kN", 9.80665, 0 }, { "MPa", "bar", 10, 0 }, { "m3/min", "L/min", 1000, 0 },
};

//  Other spellings of the units above, matched ignoring case: WITS0's
//  (M, F, KDN, KFLB, L/M...), what CSV exports write in their unit rows
//  (ft/hr, klbs, kft-lbs, gpm, deg F...) and Pason's EDR words (ft_per_hr,
//  kft_lb, gal_per_min, barrels, lbs_per_gal...). "F" is WITS0's foot, never
//  Fahrenheit. Pason's flow_percent is a paddle's deflection in %, not a flow.
static const struct {
    const char *alias;
    const char *unit;
} s_aliases[] = {
    { "M", "m" }, { "meter", "m" }, { "meters", "m" }, { "metre", "m" }, { "metres", "m" },
    { "F", "ft" }, { "feet", "ft" }, { "foot", "ft" },
    { "M/HR", "m/h" }, { "m/hr", "m/h" },
    { "F/HR", "ft/h" }, { "ft/hr", "ft/h" }, { "fph", "ft/h" }, { "ft/hour", "ft/h" },
    { "ft_per_hr", "ft/h" }, { "ft_per_hour", "ft/h" }, { "m_per_hr", "m/h" }, { "m_per_hour", "m/h" },
    { "KDN", "kdaN" }, { "KLB", "klbf" }, { "klbs", "klbf" }, { "kips", "klbf" }, { "kip", "klbf" },
    { "RPM", "rpm" }, { "rev/min", "rpm" },
    { "KNM", "kN.m" }, { "kNm", "kN.m" }, { "kN-m", "kN.m" },
    { "KFLB", "kft.lbf" }, { "kft-lbs", "kft.lbf" }, { "kft-lb", "kft.lbf" }, { "kft.lbs", "kft.lbf" },
    { "kftlb", "kft.lbf" }, { "kft-lbf", "kft.lbf" }, { "kftlbs", "kft.lbf" },
    { "ft-lbs", "ft.lbf" }, { "ft-lb", "ft.lbf" }, { "ft.lbs", "ft.lbf" }, { "ftlb", "ft.lbf" },
    { "ft-lbf", "ft.lbf" }, { "ftlbs", "ft.lbf" },
    { "kft_lb", "kft.lbf" }, { "kft_lbs", "kft.lbf" }, { "ft_lb", "ft.lbf" }, { "ft_lbs", "ft.lbf" },
    { "kN_m", "kN.m" },
    { "KPA", "kPa" }, { "PSI", "psi" }, { "psig", "psi" }, { "MPA", "MPa" },
    { "SPM", "spm" }, { "strokes/min", "spm" }, { "stk/min", "spm" },
    { "L/M", "L/min" }, { "lpm", "L/min" }, { "l/min", "L/min" },
    { "GPM", "gal/min" }, { "usgpm", "gal/min" }, { "gal_per_min", "gal/min" },
    { "L_per_min", "L/min" }, { "m3_per_min", "m3/min" },
    { "M3", "m3" }, { "m^3", "m3" }, { "BBL", "bbl" }, { "bbls", "bbl" }, { "barrels", "bbl" },
    { "barrel", "bbl" },
    { "KGM3", "kg/m3" }, { "kg/m^3", "kg/m3" }, { "sg", "g/cm3" }, { "g/cc", "g/cm3" },
    { "PPG", "ppg" }, { "lb/gal", "ppg" }, { "lbm/gal", "ppg" }, { "lbs_per_gal", "ppg" },
    { "lb_per_gal", "ppg" }, { "kg_per_m3", "kg/m3" },
    { "DEGC", "degC" }, { "deg C", "degC" }, { "\xC2\xB0" "C", "degC" }, { "celsius", "degC" },
    { "DEGF", "degF" }, { "deg F", "degF" }, { "\xC2\xB0" "F", "degF" }, { "fahrenheit", "degF" },
    { "deg_c", "degC" }, { "deg_f", "degF" },
    { "percent", "%" }, { "pct", "%" }, { "flow_percent", "%" },
};


//  The imperial (US oilfield) unit each of the suite's units is shown in.
//  Units not listed (rpm, spm, %, s...) are the same in both systems.
static const struct {
    const char *unit;
    const char *imperial;
} s_imperial[] = {
    { "m", "ft" }, { "m/h", "ft/h" }, { "kN", "klbf" }, { "kN.m", "kft.lbf" }, { "bar", "psi" },
    { "MPa", "psi" }, { "L/min", "gal/min" }, { "m3", "bbl" }, { "degC", "degF" }, { "kg/m3", "ppg" },
};

#define S_COUNT(a) (sizeof (a) / sizeof (a)[0])

const char *
rs_units_spelling (const char *unit)
{
    if (!unit)
        return "";
    for (size_t i = 0; i < S_COUNT (s_units); i++)
        if (strcmp (s_units[i].from, unit) == 0)
            return s_units[i].from;
    for (size_t i = 0; i < S_COUNT (s_aliases); i++)
        if (strcasecmp (s_aliases[i].alias, unit) == 0)
            return s_aliases[i].unit;
    return unit;
}

bool
rs_units_known (const char *unit)
{
    if (!unit)
        return false;
    unit = rs_units_spelling (unit);
    for (size_t i = 0; i < S_COUNT (s_units); i++)
        if (strcmp (s_units[i].from, unit) == 0 || strcmp (s_units[i].to, unit) == 0)
            return true;
    return false;
}

//  The table entry converting `from` into `to`, or NULL.
static bool
s_direct (const char *from, const char *to, double *scale, double *offset)
{
    for (size_t i = 0; i < S_COUNT (s_units); i++)
        if (strcmp (s_units[i].from, from) == 0 && strcmp (s_units[i].to, to) == 0) {
            *scale = s_units[i].scale;
            *offset = s_units[i].offset;
            return true;
        }
    return false;
}

//  The table lists conversions into the suite's units only; the way back and
//  between two units of the same quantity (MPa to psi both go through bar)
//  follow by inverting and composing entries.
bool
rs_units_convert (const char *from, const char *to, double *scale, double *offset)
{
    from = rs_units_spelling (from);
    to = rs_units_spelling (to);
    if (s_direct (from, to, scale, offset))
        return true;
    double s, o;
    if (s_direct (to, from, &s, &o)) {
        *scale = 1 / s;
        *offset = -o / s;
        return true;
    }
    for (size_t i = 0; i < S_COUNT (s_units); i++) {
        if (strcmp (s_units[i].from, from) != 0 || strcmp (s_units[i].to, from) == 0)
            continue;
        //  from -> base by entry i, then base -> to by inverting to's entry.
        if (s_direct (to, s_units[i].to, &s, &o)) {
            *scale = s_units[i].scale / s;
            *offset = (s_units[i].offset - o) / s;
            return true;
        }
    }
    return false;
}

int
rs_units_system (const char *name)
{
    if (name && (strcasecmp (name, "metric") == 0 || strcasecmp (name, "si") == 0))
        return RS_UNITS_METRIC;
    if (name && (strcasecmp (name, "imperial") == 0 || strcasecmp (name, "us") == 0
                 || strcasecmp (name, "oilfield") == 0))
        return RS_UNITS_IMPERIAL;
    return -1;
}

const char *
rs_units_system_name (rs_unit_system_t system)
{
    return system == RS_UNITS_IMPERIAL ? "imperial" : "metric";
}

rs_unit_view_t
rs_units_view (const char *unit, rs_unit_system_t system)
{
    rs_unit_view_t view = { unit ? unit : "", 1, 0 };
    if (system != RS_UNITS_IMPERIAL || !unit)
        return view;
    for (size_t i = 0; i < S_COUNT (s_imperial); i++)
        if (strcmp (s_imperial[i].unit, unit) == 0
            && rs_units_convert (unit, s_imperial[i].imperial, &view.scale, &view.offset)) {
            view.unit = s_imperial[i].imperial;
            break;
        }
    return view;
}

const char *
rs_units_displayed (size_t index)
{
    return index < S_COUNT (s_imperial) ? s_imperial[index].unit : NULL;
}
