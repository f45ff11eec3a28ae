/*  rigstream.h: the public API of librigstream in one include, as an
    out-of-tree subscriber or publisher sees it once the SDK is installed
    (`pkg-config --cflags --libs rigstream`). These headers, in
    common/include/, are the contract: the subscriber SDK (rs_sub), the
    publisher API (rs_pub), the wire format (rs_msg), result codes (rs_err),
    configuration (rs_config), logging (rs_log), channels and units, clocks,
    CURVE and signals. The headers beside the sources in common/ are the
    library's own (journals, repair, sequence tracking...) and are not
    installed. */
#ifndef RIGSTREAM_H
#define RIGSTREAM_H

#include "rs_err.h"
#include "rs_channels.h"
#include "rs_clock.h"
#include "rs_config.h"
#include "rs_curve.h"
#include "rs_log.h"
#include "rs_msg.h"
#include "rs_pub.h"
#include "rs_signal.h"
#include "rs_sub.h"
#include "rs_units.h"

#endif
