/*  rs_webout: the bridge's own messages on the wire: the audit records of
    what it did alone (rs_alerts' outbox) on audit.<component>
    (docs/PROTOCOL.md), so the saver keeps them with the engine's. */
#ifndef RS_WEBOUT_H
#define RS_WEBOUT_H

#include "rs_alerts.h"
#include "rs_pub.h"

//  Publishes every audit record waiting in alerts; returns how many were
//  sent. A record that cannot be sent is logged and dropped.
size_t rs_webout_audit (rs_alerts_t *alerts, rs_pub_t *pub, const char *component);

#endif
