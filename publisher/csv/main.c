/*  rigstream-csv: replays recorded rig data in CSV (a Pason EDR export, the
    Volve time logs, or any file with a time column) as telemetry, paced like
    rigstream-replay (rs_pace): as fast as possible, at a speed factor, or
    clock-synchronised. Columns become channels through rs_csv; the file is
    read up to its first data row before connecting, so a file that cannot be
    read as mapped is refused at once, broker or not. This file is the
    options; rs_csvreplay is the engine. */
#include <stdlib.h>

#include "rs_config.h"
#include "rs_csvreplay.h"
#include "rs_pace.h"
#include "rs_pub.h"

static const rs_option_t s_options[] = {
    RS_OPTIONS_PACE,
    { "preset", "CSV_PRESET", RS_OPT_STRING, NULL,
      "column mapping for a known export: pason or volve (none: columns named as channels or mnemonics)", 0, 0 },
    { "map", "CSV_MAP", RS_OPT_STRING, NULL,
      "mapping file: columns to channels and units (instead of --preset; see --print-preset)", 0, 0 },
    { "well", "CSV_WELL", RS_OPT_STRING, NULL,
      "well id to publish as (default: the file's name without extension, made a valid id)", 0, 0 },
    { "nulls", "CSV_NULLS", RS_OPT_STRING, "-999.25,-9999", "values that mean no reading (comma-separated)", 0, 0 },
    { "time-column", "CSV_TIME_COLUMN", RS_OPT_STRING, NULL,
      "column holding the time (date and time, or epoch seconds; the time of day with --date-column)", 0, 0 },
    { "date-column", "CSV_DATE_COLUMN", RS_OPT_STRING, NULL, "column holding the date, when the time is in another",
      0, 0 },
    { "date-order", "CSV_DATE_ORDER", RS_OPT_STRING, "mdy",
      "how to read dates such as 03/04/2024: mdy (month first, as US exports) or dmy", 0, 0 },
    { "utc-offset", "CSV_UTC_OFFSET", RS_OPT_DOUBLE, "0",
      "local time minus UTC, hours, for times written without a zone", -14, 14 },
    { "extras", "CSV_EXTRAS", RS_OPT_BOOL, "true",
      "carry columns that are no known channel as extra channels (--no-extras drops them)", 0, 0 },
    { "print-preset", NULL, RS_OPT_STRING, NULL, "print a preset's mapping (a start for --map) and exit", 0, 0 },
    RS_OPTION_END
};

int
main (int argc, char **argv)
{
    rs_csvreplay_t *self = rs_csvreplay_new ();
    const rs_pub_def_t def = {
        .component = "csv", .program = "rigstream-csv", .acquisition = true, .positional = "FILE",
        .usage = "replay recorded rig data in CSV (Pason EDR, Volve, ...)", .options = s_options,
        .on_setup = rs_csvreplay_setup, .on_ready = rs_csvreplay_ready, .on_run = rs_csvreplay_run,
        .on_stop = rs_csvreplay_stop, .on_heartbeat = rs_csvreplay_heartbeat, .on_free = rs_csvreplay_free,
        .arg = self,
    };
    int rc = self ? rs_pub_main (&def, argc, argv) : EXIT_FAILURE;
    rs_csvreplay_destroy (&self);
    return rc;
}
