/*  test_uplink_downsample: N-second windows of a well's telemetry: nothing
    until a window closes, then one record of _mean/_min/_max per channel,
    stamped with the window's start and the last seq inside it; wells apart. */
#include <msgpack.h>

#include "rs_channels.h"
#include "rs_downsample.h"
#include "rs_test.h"

static rs_msg_t
s_sample (const char *well, uint64_t seq, int64_t ts_ms, const rs_value_t *v, size_t n)
{
    rs_msg_t m = { .kind = RS_KIND_TELEMETRY, .id = well, .n_values = n, .values = v };
    m.hdr.seq = seq;
    m.hdr.ts_us = ts_ms * 1000;
    return m;
}

//  The value of key in the packed map, NAN if absent.
static double
s_get (const msgpack_sbuffer *buf, const char *key)
{
    msgpack_unpacked u;
    msgpack_unpacked_init (&u);
    double v = NAN;
    if (msgpack_unpack_next (&u, buf->data, buf->size, NULL) == MSGPACK_UNPACK_SUCCESS
        && u.data.type == MSGPACK_OBJECT_MAP)
        for (uint32_t i = 0; i < u.data.via.map.size; i++) {
            msgpack_object_kv *kv = &u.data.via.map.ptr[i];
            if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == strlen (key)
                && memcmp (kv->key.via.str.ptr, key, strlen (key)) == 0)
                v = kv->val.type == MSGPACK_OBJECT_FLOAT64 || kv->val.type == MSGPACK_OBJECT_FLOAT32
                        ? kv->val.via.f64 : (double) kv->val.via.i64;
        }
    msgpack_unpacked_destroy (&u);
    return v;
}

int
main (void)
{
    RS_CHECK (rs_downsample_new (0) == NULL);
    rs_downsample_t *ds = rs_downsample_new (10000);
    RS_CHECK (ds != NULL);
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    int64_t ts = 0;
    uint64_t seq = 0;
    //  Window [1000000, 1010000): three samples of rop.
    const double rops[] = { 10, 20, 60 };
    for (int i = 0; i < 3; i++) {
        rs_value_t v[] = { { "rop", RS_CH_ROP, rops[i] } };
        rs_msg_t m = s_sample ("W1", (uint64_t) i + 1, 1000000 + i * 3000, v, 1);
        RS_CHECK_INT (rs_downsample_add (ds, &m, &buf, &ts, &seq), 0);
    }
    RS_CHECK_INT (buf.size, 0);
    //  Another well does not close W1's window.
    rs_value_t w2[] = { { "rop", RS_CH_ROP, 99 } };
    rs_msg_t m2 = s_sample ("W2", 1, 1011000, w2, 1);
    RS_CHECK_INT (rs_downsample_add (ds, &m2, &buf, &ts, &seq), 0);
    //  The next window's first sample closes it: mean 30, min 10, max 60.
    rs_value_t v[] = { { "rop", RS_CH_ROP, 5 } };
    rs_msg_t m = s_sample ("W1", 4, 1012000, v, 1);
    RS_CHECK_INT (rs_downsample_add (ds, &m, &buf, &ts, &seq), 3);
    RS_CHECK_INT (ts, 1000000);
    RS_CHECK_INT (seq, 3);
    RS_CHECK_NEAR (s_get (&buf, "rop_mean"), 30, 1e-9);
    RS_CHECK_NEAR (s_get (&buf, "rop_min"), 10, 1e-9);
    RS_CHECK_NEAR (s_get (&buf, "rop_max"), 60, 1e-9);
    rs_downsample_destroy (&ds);
    RS_CHECK (ds == NULL);
    msgpack_sbuffer_destroy (&buf);
    return RS_TEST_DONE ();
}
