/*  rs_chanmap: default WITSML mnemonics (the Volve / Baker Hughes set and
    common synonyms) and the unit conversions they need. */
#include "rs_chanmap.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rs_channels.h"

static const struct {
    const char *mnemonic;
    int channel;
} s_mnemonics[] = {
    { "BITDEP", RS_CH_BIT_DEPTH }, { "DBTM", RS_CH_BIT_DEPTH },
    { "Depth", RS_CH_HOLE_DEPTH }, { "DMEA", RS_CH_HOLE_DEPTH }, { "HOLEDEPTH", RS_CH_HOLE_DEPTH },
    { "BLOCKCOMP", RS_CH_BLOCK_POS }, { "BPOS", RS_CH_BLOCK_POS },
    { "ROP_AVG", RS_CH_ROP }, { "ROPA", RS_CH_ROP },
    { "WOB_AVG", RS_CH_WOB }, { "SWOB", RS_CH_WOB },
    { "HKLD_AVG", RS_CH_HOOK_LOAD }, { "HKLA", RS_CH_HOOK_LOAD },
    { "SURF_RPM", RS_CH_RPM }, { "RPMA", RS_CH_RPM },
    { "TORQUE_AVG", RS_CH_TORQUE }, { "TQA", RS_CH_TORQUE },
    { "PUMP", RS_CH_SPP }, { "SPPA", RS_CH_SPP },
    { "CHOKE_PRESS", RS_CH_CASING_PRESSURE }, { "CHKP", RS_CH_CASING_PRESSURE },
    { "STRATE1", RS_CH_SPM1 }, { "SPM1", RS_CH_SPM1 },
    { "STRATE2", RS_CH_SPM2 }, { "SPM2", RS_CH_SPM2 },
    { "FLOWIN", RS_CH_FLOW_IN }, { "MFIA", RS_CH_FLOW_IN },
    { "FLOWOUT", RS_CH_FLOW_OUT }, { "MFOA", RS_CH_FLOW_OUT },
    { "PITTOT", RS_CH_PIT_VOLUME }, { "TVA", RS_CH_PIT_VOLUME },
    { "GAINLOSSTOT", RS_CH_PIT_GAIN }, { "TVCA", RS_CH_PIT_GAIN },
    { "TOTGAS", RS_CH_GAS }, { "GASA", RS_CH_GAS },
    { "MTIN", RS_CH_MUD_TEMP_IN }, { "TMPI", RS_CH_MUD_TEMP_IN },
    { "MTOUT", RS_CH_MUD_TEMP_OUT }, { "TMPO", RS_CH_MUD_TEMP_OUT },
    { "MWIN", RS_CH_MUD_DENSITY_IN }, { "MDIA", RS_CH_MUD_DENSITY_IN },
    { "MWOUT", RS_CH_MUD_DENSITY_OUT }, { "MDOA", RS_CH_MUD_DENSITY_OUT },
};

//  Conversions to the suite's units. "Euc" (a vendor's engineering units) is
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
//  (M, F, KDN, KFLB, L/M...) and what CSV exports write in their unit rows
//  (ft/hr, klbs, kft-lbs, gpm, deg F...). "F" is WITS0's foot, never
//  Fahrenheit.
static const struct {
    const char *alias;
    const char *unit;
} s_aliases[] = {
    { "M", "m" }, { "meter", "m" }, { "meters", "m" }, { "metre", "m" }, { "metres", "m" },
    { "F", "ft" }, { "feet", "ft" }, { "foot", "ft" },
    { "M/HR", "m/h" }, { "m/hr", "m/h" },
    { "F/HR", "ft/h" }, { "ft/hr", "ft/h" }, { "fph", "ft/h" }, { "ft/hour", "ft/h" },
    { "KDN", "kdaN" }, { "KLB", "klbf" }, { "klbs", "klbf" }, { "kips", "klbf" }, { "kip", "klbf" },
    { "RPM", "rpm" }, { "rev/min", "rpm" },
    { "KNM", "kN.m" }, { "kNm", "kN.m" }, { "kN-m", "kN.m" },
    { "KFLB", "kft.lbf" }, { "kft-lbs", "kft.lbf" }, { "kft-lb", "kft.lbf" }, { "kft.lbs", "kft.lbf" },
    { "kftlb", "kft.lbf" }, { "kft-lbf", "kft.lbf" }, { "kftlbs", "kft.lbf" },
    { "ft-lbs", "ft.lbf" }, { "ft-lb", "ft.lbf" }, { "ft.lbs", "ft.lbf" }, { "ftlb", "ft.lbf" },
    { "ft-lbf", "ft.lbf" }, { "ftlbs", "ft.lbf" },
    { "KPA", "kPa" }, { "PSI", "psi" }, { "psig", "psi" }, { "MPA", "MPa" },
    { "SPM", "spm" }, { "strokes/min", "spm" }, { "stk/min", "spm" },
    { "L/M", "L/min" }, { "lpm", "L/min" }, { "l/min", "L/min" },
    { "GPM", "gal/min" }, { "usgpm", "gal/min" },
    { "M3", "m3" }, { "m^3", "m3" }, { "BBL", "bbl" }, { "bbls", "bbl" },
    { "KGM3", "kg/m3" }, { "kg/m^3", "kg/m3" }, { "sg", "g/cm3" }, { "g/cc", "g/cm3" },
    { "PPG", "ppg" }, { "lb/gal", "ppg" }, { "lbm/gal", "ppg" },
    { "DEGC", "degC" }, { "deg C", "degC" }, { "\xC2\xB0" "C", "degC" }, { "celsius", "degC" },
    { "DEGF", "degF" }, { "deg F", "degF" }, { "\xC2\xB0" "F", "degF" }, { "fahrenheit", "degF" },
    { "percent", "%" }, { "pct", "%" },
};

const char *
rs_chanmap_unit (const char *unit)
{
    if (!unit)
        return "";
    for (size_t i = 0; i < sizeof s_units / sizeof s_units[0]; i++)
        if (strcmp (s_units[i].from, unit) == 0)
            return s_units[i].from;
    for (size_t i = 0; i < sizeof s_aliases / sizeof s_aliases[0]; i++)
        if (strcasecmp (s_aliases[i].alias, unit) == 0)
            return s_aliases[i].unit;
    return unit;
}

bool
rs_chanmap_convert (const char *from, const char *to, double *scale, double *offset)
{
    from = rs_chanmap_unit (from);
    to = rs_chanmap_unit (to);
    for (size_t i = 0; i < sizeof s_units / sizeof s_units[0]; i++)
        if (strcmp (s_units[i].from, from) == 0 && strcmp (s_units[i].to, to) == 0) {
            *scale = s_units[i].scale;
            *offset = s_units[i].offset;
            return true;
        }
    return false;
}

//  An extra channel's name: the mnemonic in lower case, other characters as
//  '_', prefixed "x_" when it would not start with a letter or would take a
//  known channel's name.
static void
s_extra_name (const char *mnemonic, char *name, size_t size)
{
    char base[64];
    size_t n = 0;
    for (const char *p = mnemonic; *p && n < sizeof base - 1; p++)
        base[n++] = isalnum ((unsigned char) *p) ? (char) tolower ((unsigned char) *p) : '_';
    base[n] = 0;
    bool prefix = n == 0 || !isalpha ((unsigned char) base[0])
               || rs_chan_lookup (base, n) != RS_CH_UNKNOWN;
    snprintf (name, size, "%s%s", prefix ? "x_" : "", base);
}

void
rs_chanmap_curve (const char *mnemonic, const char *unit, rs_chanmap_t *out)
{
    memset (out, 0, sizeof *out);
    out->channel = RS_CH_UNKNOWN;
    out->scale = 1;
    for (size_t i = 0; i < sizeof s_mnemonics / sizeof s_mnemonics[0]; i++) {
        if (strcmp (s_mnemonics[i].mnemonic, mnemonic) != 0)
            continue;
        const rs_chan_info_t *info = rs_chan_info (s_mnemonics[i].channel);
        if (rs_chanmap_convert (unit, info->unit, &out->scale, &out->offset)) {
            out->channel = s_mnemonics[i].channel;
            snprintf (out->name, sizeof out->name, "%s", info->name);
            return;
        }
        out->unit_unknown = true;
        out->scale = 1;
        break;
    }
    s_extra_name (mnemonic, out->name, sizeof out->name);
}

void
rs_chanmap_well_id (const char *name, const char *fallback, char *id, size_t size)
{
    size_t n = 0;
    for (const char *p = name ? name : ""; *p && n + 1 < size && n < 64; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
               || c == '_' || c == '-';
        id[n++] = ok ? c : '_';
    }
    id[n] = 0;
    if (n == 0)
        snprintf (id, size, "%s", fallback);
}
