/*  rs_chanmap: the alias table (mnemonics of the Volve / Baker Hughes logs,
    WITSML and WITS0 synonyms, and the curve descriptions those logs write)
    and the unit conversions they need. docs/REPLAY.md has the same table. */
#include "rs_chanmap.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rs_channels.h"
#include "rs_units.h"

#define MAX_ALIASES 8

//  Per channel: mnemonics in order of preference, then descriptions. Where a
//  log has an interval average and a raw reading of one quantity (HKLD_AVG
//  and HKLD), the average comes first: a row stands for the interval since
//  the last one, the average is not aliased by heave and vibration as a
//  point reading is, and the log's other averages (WOB_AVG, TORQUE_AVG) are
//  computed from it, so the channels of one row stay consistent.
static const struct {
    int channel;
    const char *mnemonic[MAX_ALIASES];
    const char *description[MAX_ALIASES];
} s_aliases[] = {
    { RS_CH_HOOK_LOAD, { "HKLD_AVG", "HKLA", "HKLD", "HKL", "HOOKLOAD", "HKLI" },
      { "Hookload", "Hook Load", "Hookload Average", "Hook Load Average" } },
    { RS_CH_BLOCK_POS, { "BLOCKCOMP", "BPOS", "BLKPOS", "BLOCKPOS" },
      { "Block/Topdrive Position Compensated", "Block/Topdrive Position", "Block Position", "Block Height",
        "Block/Topdrive Position Uncompensated" } },
    { RS_CH_BIT_DEPTH, { "BITDEP", "DBTM", "BDEP", "BIT_DEPTH" },
      { "Bit Depth", "Bit Measured Depth", "Bit Depth (MD)" } },
    { RS_CH_HOLE_DEPTH, { "Depth", "DMEA", "HOLEDEPTH", "HDTH" },
      { "Hole Depth", "Hole Depth (MD)", "Measured Hole Depth" } },
    { RS_CH_ROP, { "ROP_AVG", "ROPA", "ROP" }, { "Time Averaged ROP", "Rate of Penetration" } },
    { RS_CH_WOB, { "WOB_AVG", "SWOB", "WOBA", "WOB" }, { "Weight On Bit", "Weight on Bit Average" } },
    { RS_CH_RPM, { "SURF_RPM", "RPMA", "RPM", "RPMS", "TDRPM" },
      { "Surface RPM", "Rotary Speed", "Top Drive RPM", "Rotary RPM" } },
    { RS_CH_TORQUE, { "TORQUE_AVG", "TQA", "TORQUE", "STOR" },
      { "Surface Torque Average", "Surface Torque", "Rotary Torque", "Top Drive Torque" } },
    { RS_CH_SPP, { "PUMP", "SPPA", "SPP" },
      { "Pump Pressure - Stand Pipe", "Standpipe Pressure", "Stand Pipe Pressure" } },
    { RS_CH_CASING_PRESSURE, { "CHOKE_PRESS", "CHKP" }, { "Choke Pressure", "Casing Pressure" } },
    { RS_CH_SPM1, { "STRATE1", "SPM1" }, { "Pump 1 Stroke Rate" } },
    { RS_CH_SPM2, { "STRATE2", "SPM2" }, { "Pump 2 Stroke Rate" } },
    { RS_CH_FLOW_IN, { "FLOWIN", "MFIA", "TFLO" }, { "Mud Flow In", "Flow In" } },
    { RS_CH_FLOW_OUT, { "FLOWOUT", "MFOA" }, { "Mud Flow Out", "Flow Out" } },
    { RS_CH_PIT_VOLUME, { "PITTOT", "TVA" }, { "Total Pit Volume", "Active Pit Volume" } },
    { RS_CH_PIT_GAIN, { "GAINLOSSTOT", "TVCA" }, { "Total Pit Gain/Loss Volume" } },
    { RS_CH_GAS, { "TOTGAS", "GASA" }, { "Total Gas" } },
    { RS_CH_MUD_TEMP_IN, { "MTIN", "TMPI" }, { "Mud Temperature In" } },
    { RS_CH_MUD_TEMP_OUT, { "MTOUT", "TMPO" }, { "Mud Temperature Out" } },
    { RS_CH_MUD_DENSITY_IN, { "MWIN", "MDIA" }, { "Mud Weight In", "Mud Density In" } },
    { RS_CH_MUD_DENSITY_OUT, { "MWOUT", "MDOA" }, { "Mud Weight Out", "Mud Density Out" } },
};

#define N_ALIASES (sizeof s_aliases / sizeof s_aliases[0])

//  Description matches rank after every mnemonic match.
#define RANK_DESCRIPTION 100

static const int s_rig_channels[] = {
    RS_CH_HOOK_LOAD, RS_CH_BLOCK_POS, RS_CH_BIT_DEPTH, RS_CH_HOLE_DEPTH, RS_CH_FLOW_IN,
    RS_CH_SPP, RS_CH_RPM, RS_CH_TORQUE, RS_CH_WOB
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

//  True when a mnemonic names an interval's extreme (HKLD_MAX, TQ_MN...):
//  such curves share their description with the reading itself and must
//  not take its channel by description.
static bool
s_is_extreme (const char *mnemonic)
{
    static const char *suffix[] = { "_MAX", "_MIN", "_MX", "_MN", "_HIGH", "_LOW" };
    size_t len = strlen (mnemonic);
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        size_t sl = strlen (suffix[i]);
        if (len > sl && strcasecmp (mnemonic + len - sl, suffix[i]) == 0)
            return true;
    }
    return false;
}

//  Case-insensitive equality, ignoring leading and trailing blanks in text.
static bool
s_same_words (const char *text, const char *alias)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen (text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    return len == strlen (alias) && strncasecmp (text, alias, len) == 0;
}

//  Finds the alias entry and rank of a curve; -1 when none matches.
static int
s_match (const char *mnemonic, const char *description, int *rank, int *how)
{
    for (size_t i = 0; i < N_ALIASES; i++)
        for (int k = 0; k < MAX_ALIASES && s_aliases[i].mnemonic[k]; k++)
            if (strcasecmp (s_aliases[i].mnemonic[k], mnemonic) == 0) {
                *rank = k;
                *how = RS_CHANMAP_MNEMONIC;
                return (int) i;
            }
    if (!description || !*description || s_is_extreme (mnemonic))
        return -1;
    for (size_t i = 0; i < N_ALIASES; i++)
        for (int k = 0; k < MAX_ALIASES && s_aliases[i].description[k]; k++)
            if (s_same_words (description, s_aliases[i].description[k])) {
                *rank = RANK_DESCRIPTION + k;
                *how = RS_CHANMAP_DESCRIPTION;
                return (int) i;
            }
    return -1;
}

void
rs_chanmap_curve_desc (const char *mnemonic, const char *unit, const char *description, rs_chanmap_t *out)
{
    memset (out, 0, sizeof *out);
    out->channel = RS_CH_UNKNOWN;
    out->matched = RS_CH_UNKNOWN;
    out->lost_to = -1;
    out->scale = 1;
    snprintf (out->mnemonic, sizeof out->mnemonic, "%s", mnemonic);
    int rank = 0, how = RS_CHANMAP_EXTRA;
    int i = s_match (mnemonic, description, &rank, &how);
    if (i >= 0) {
        const rs_chan_info_t *info = rs_chan_info (s_aliases[i].channel);
        out->matched = s_aliases[i].channel;
        if (rs_units_convert (unit ? unit : "", info->unit, &out->scale, &out->offset)) {
            out->channel = s_aliases[i].channel;
            out->how = how;
            out->rank = rank;
            snprintf (out->name, sizeof out->name, "%s", info->name);
            return;
        }
        out->unit_unknown = true;
        out->scale = 1;
        out->offset = 0;
    }
    s_extra_name (mnemonic, out->name, sizeof out->name);
}

void
rs_chanmap_curve (const char *mnemonic, const char *unit, rs_chanmap_t *out)
{
    rs_chanmap_curve_desc (mnemonic, unit, NULL, out);
}

//  A curve that lost its channel to curve `to` of the same log: carried as
//  an extra channel, unconverted, as an unmapped curve is.
static void
s_demote (rs_chanmap_t *m, size_t to)
{
    m->channel = RS_CH_UNKNOWN;
    m->how = RS_CHANMAP_EXTRA;
    m->lost_to = (int) to;
    m->scale = 1;
    m->offset = 0;
    s_extra_name (m->mnemonic, m->name, sizeof m->name);
}

void
rs_chanmap_log (rs_chanmap_t *map, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (map[i].channel == RS_CH_UNKNOWN)
            continue;
        size_t best = i;
        for (size_t k = 0; k < n; k++)
            if (k != i && map[k].channel == map[i].channel && map[k].rank < map[best].rank)
                best = k;
        if (best == i)
            continue;
        s_demote (&map[i], best);
    }
    //  Ties (two curves with one rank): the first keeps the channel.
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            if (map[i].channel != RS_CH_UNKNOWN && map[k].channel == map[i].channel)
                s_demote (&map[k], i);
}

size_t
rs_chanmap_rig_channels (const int **ids)
{
    *ids = s_rig_channels;
    return sizeof s_rig_channels / sizeof s_rig_channels[0];
}

const char *
rs_chanmap_how_name (int how)
{
    return how == RS_CHANMAP_MNEMONIC ? "mnemonic" : how == RS_CHANMAP_DESCRIPTION ? "description" : "extra";
}

int
rs_chanmap_report (const rs_chanmap_t *map, size_t n, char *buf, size_t size)
{
    size_t len = 0;
    int missing = 0;
    char gone[200] = "";
    size_t gone_len = 0;
    buf[0] = 0;
    for (size_t r = 0; r < sizeof s_rig_channels / sizeof s_rig_channels[0]; r++) {
        int ch = s_rig_channels[r];
        const rs_chanmap_t *m = NULL;
        for (size_t i = 0; i < n && !m; i++)
            if (map[i].channel == ch)
                m = &map[i];
        const char *name = rs_chan_info (ch)->name;
        if (m) {
            int w = snprintf (buf + len, len < size ? size - len : 0, "%s%s<-%s (%s)", len ? " " : "", name,
                              m->mnemonic, rs_chanmap_how_name (m->how));
            if (w > 0)
                len += (size_t) w;
        }
        else {
            missing++;
            int w = snprintf (gone + gone_len, gone_len < sizeof gone ? sizeof gone - gone_len : 0, "%s%s",
                              gone_len ? " " : "", name);
            if (w > 0)
                gone_len += (size_t) w;
        }
    }
    if (missing)
        snprintf (buf + len, len < size ? size - len : 0, "%smissing: %s", len ? "; " : "", gone);
    return missing;
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

void
rs_chanmap_well_from_path (const char *path, const char *fallback, char *id, size_t size)
{
    const char *base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
    char name[65];
    snprintf (name, sizeof name, "%s", strcmp (path, "-") == 0 ? "" : base);
    char *dot = strrchr (name, '.');
    if (dot && dot != name)
        *dot = 0;
    rs_chanmap_well_id (name, fallback, id, size);
}
