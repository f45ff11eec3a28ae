/*  libFuzzer harness for the WITS0 parser (rs_wits0) and the frame-to-sample
    mapping (rs_wits0map). The first byte picks the chunk size the input is
    fed in, so frames split at every place; every frame handed out must hold
    the documented invariants, and writing it back and parsing it again must
    give the same items. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rs_wits0.h"
#include "rs_wits0map.h"

static rs_wits0map_t *s_maps[2];     //  metric, FPS
static rs_wits0map_t *s_map;
static rs_wits0_sample_t s_sample;

static void
s_again (const rs_wits0_item_t *items, size_t n, void *arg)
{
    *(size_t *) arg = n;
    (void) items;
}

static void
s_frame (const rs_wits0_item_t *items, size_t n, void *arg)
{
    (void) arg;
    if (n == 0 || n > RS_WITS0_MAX_ITEMS)
        abort ();
    bool reading = false;
    for (size_t i = 0; i < n; i++) {
        const rs_wits0_item_t *it = &items[i];
        if (it->code < 101 || it->code > 9999 || it->code % 100 == 0 || !it->text
            || strlen (it->text) > RS_WITS0_MAX_LINE || isinf (it->value) || (it->null && !isnan (it->value)))
            abort ();
        for (const char *p = it->text; *p; p++)
            if ((*p < 0x20 || *p > 0x7e) && *p != '\t')
                abort ();
        reading = reading || !it->null;
    }
    if (!reading)
        abort ();   //  heartbeats are counted, never handed out
    rs_wits0map_sample (s_map, items, n, 0, 0, true, &s_sample);
    if (s_sample.n > n)
        abort ();
    for (size_t i = 0; i < s_sample.n; i++)
        if (!s_sample.ch[i].name || isinf (s_sample.ch[i].value))
            abort ();
    //  Written back (texts as received) and parsed again: the same number of
    //  items. (Item 1984 is the exception: "1984 PASON" is an item, but
    //  written back as 1984PASON it reads as Pason's prefix line.)
    for (size_t i = 0; i < n; i++)
        if (items[i].code == 1984)
            return;
    static char buf[RS_WITS0_MAX_ITEMS * (RS_WITS0_MAX_LINE + 8) + 16];
    int len = rs_wits0_format (items, n, buf, sizeof buf);
    if (len < 0)
        abort ();
    rs_wits0_t *again = rs_wits0_new ();
    size_t n_again = 0;
    rs_wits0_feed (again, buf, (size_t) len, s_again, &n_again);
    rs_wits0_destroy (&again);
    if (n_again != n)
        abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_maps[0]) {
        s_maps[0] = rs_wits0map_parse (NULL, NULL, false);
        s_maps[1] = rs_wits0map_parse (NULL, NULL, true);
        if (!s_maps[0] || !s_maps[1])
            abort ();
    }
    if (size < 1)
        return 0;
    s_map = s_maps[data[0] >> 7];
    size_t chunk = (size_t) data[0] % 17 + 1;
    rs_wits0_t *p = rs_wits0_new ();
    for (size_t i = 1; i < size; i += chunk)
        rs_wits0_feed (p, data + i, size - i < chunk ? size - i : chunk, s_frame, NULL);
    rs_wits0_end (p, s_frame, NULL);
    const rs_wits0_stats_t *st = rs_wits0_stats (p);
    if (st->bytes != size - 1 || st->nulls > st->items)
        abort ();
    rs_wits0_destroy (&p);
    return 0;
}
