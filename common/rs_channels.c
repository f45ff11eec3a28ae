/*  rs_channels: the table of known telemetry channels. Adding a channel means
    one line here and one enum value in rs_channels.h, in the same order. */
#include "rs_channels.h"

#include <string.h>

//  Each entry carries its name's length, so lookups compare lengths first.
#define CH(name, unit, label, meaning) { { name, unit, label, meaning }, sizeof (name) - 1 }

static const struct {
    rs_chan_info_t info;
    size_t len;
} s_channels[RS_CH_COUNT] = {
    CH ("bit_depth", "m", "Bit depth", "Measured depth of the bit"),
    CH ("hole_depth", "m", "Hole depth", "Measured depth of the bottom of the hole"),
    CH ("block_pos", "m", "Block position", "Travelling block height above the rig floor"),
    CH ("rop", "m/h", "ROP", "Rate of penetration: hole depth gained per hour while on bottom"),
    CH ("wob", "kN", "WOB", "Weight on bit: off-bottom hook load minus current hook load"),
    CH ("hook_load", "kN", "Hook load", "Load on the hook: block, string in the hole, minus WOB"),
    CH ("rpm", "rpm", "Rotary speed", "Surface rotary speed of the string, revolutions per minute"),
    CH ("torque", "kN.m", "Torque", "Surface rotary torque"),
    CH ("spp", "bar", "Standpipe pressure", "Pump pressure measured at the standpipe"),
    CH ("casing_pressure", "bar", "Casing pressure", "Annulus (choke) pressure at surface, when shut in"),
    CH ("spm1", "spm", "Pump 1 strokes", "Mud pump 1 rate, strokes per minute"),
    CH ("spm2", "spm", "Pump 2 strokes", "Mud pump 2 rate, strokes per minute"),
    CH ("flow_in", "L/min", "Flow in", "Mud flow pumped into the well"),
    CH ("flow_out", "L/min", "Flow out", "Mud flow returning from the well"),
    CH ("pit_volume", "m3", "Pit volume", "Active mud pit volume"),
    CH ("pit_gain", "m3", "Pit gain", "Active pit volume change since the reference: gain (+) or loss (-)"),
    CH ("gas", "%", "Total gas", "Total hydrocarbon gas in the returns at the shakers"),
    CH ("mud_temp_in", "degC", "Mud temp in", "Temperature of the mud going in"),
    CH ("mud_temp_out", "degC", "Mud temp out", "Temperature of the mud coming out"),
    CH ("mud_density_in", "kg/m3", "Mud density in", "Density of the mud going in"),
    CH ("mud_density_out", "kg/m3", "Mud density out", "Density of the mud coming out"),
};

const rs_chan_info_t *
rs_chan_info (int id)
{
    if (id < 0 || id >= RS_CH_COUNT)
        return NULL;
    return &s_channels[id].info;
}

//  A linear scan over 21 short names costs less than hashing on this path:
//  the length and first byte rule out almost every entry before memcmp.
int
rs_chan_lookup (const char *name, size_t len)
{
    if (!name || len == 0)
        return RS_CH_UNKNOWN;
    for (int i = 0; i < RS_CH_COUNT; i++)
        if (s_channels[i].len == len && s_channels[i].info.name[0] == name[0]
            && memcmp (s_channels[i].info.name, name, len) == 0)
            return i;
    return RS_CH_UNKNOWN;
}

int
rs_chan_name_valid (const char *name, size_t len)
{
    if (!name || len == 0 || len > 32)
        return 0;
    if (name[0] < 'a' || name[0] > 'z')
        return 0;
    for (size_t i = 1; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

rs_err_t
rs_chan_parse_set (const char *list, bool set[RS_CH_COUNT])
{
    if (!list || !set)
        return rs_err_set (RS_E_INVAL, "no channel list");
    for (const char *p = list; *p;) {
        size_t len = strcspn (p, ",");
        int ch = rs_chan_lookup (p, len);
        if (ch < 0)
            return rs_err_set (RS_E_CONFIG, "\"%.*s\" is no channel", (int) (len > 64 ? 64 : len), p);
        set[ch] = true;
        p += len + (p[len] == ',');
    }
    return RS_OK;
}
