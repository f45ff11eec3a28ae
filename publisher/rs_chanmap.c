/*  rs_chanmap: default WITSML mnemonics (the Volve / Baker Hughes set and
    common synonyms) and the unit conversions they need. */
#include "rs_chanmap.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rs_channels.h"
#include "rs_units.h"

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
        if (rs_units_convert (unit, info->unit, &out->scale, &out->offset)) {
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
