/*  rs_engine_ctl: the prediction engine's control commands, JSON in, JSON
    out, without the socket (main.c binds a ROUTER on ENGINE_CONTROL_PORT
    and passes each request here). Requests are one JSON object:

      {"cmd": "ping"}                                 {"ok": true, "reply": "pong"}
      {"cmd": "status"}                               wells, active alerts, counters
      {"cmd": "get_thresholds"}                       {"ok": true, "rules": [...], "config_file": ...}
      {"cmd": "set_thresholds", "rules": [...],       validates, applies, and saves to the
       "save": true, "by": ...}                       rules file (else the configuration file)
      {"cmd": "reload"}                               re-reads the configuration file
      {"cmd": "ack", "id": N, "by": "name", "comment": "...", "addr": "..."}
      {"cmd": "shelve", "id": N, "by": ..., "reason": ..., "minutes": 1-720}
      {"cmd": "unshelve" | "in_service", "id": N, "by": ...}
      {"cmd": "out_of_service", "id": N, "by": ..., "reason": ...}
                                                      an operator's request on an alarm;
                                                      {"ok": true, "alert": {...}} or a
                                                      refusal with "code" 400, 404 or 409

    Every reply has "ok"; a refused request has "ok": false and "error",
    and changes nothing. See docs/PREDICTION.md, "Control endpoint". */
#ifndef RS_ENGINE_CTL_H
#define RS_ENGINE_CTL_H

#include <stddef.h>

#include "rs_engine.h"

//  Handles one request. config_path is the configuration file ("" or NULL
//  = none). Returns a fresh NUL-terminated reply (caller frees), or NULL on
//  no memory.
char *rs_engine_ctl_handle (rs_engine_t *engine, const char *config_path, const void *request,
                            size_t len);

//  Re-reads the configuration file and applies it. Returns RS_OK, or an error code with
//  the reason recorded (rs_errmsg; the engine keeps its configuration).
//  What a rule set changes, by rule name ("added: \"a\"; removed: \"b\";
//  changed: \"c\"", or "no change"), cut with "..." to fit size.
void rs_engine_ctl_rules_diff (const rs_rules_t *before, const rs_rules_t *after, char *out, size_t size);
rs_err_t rs_engine_ctl_reload (rs_engine_t *engine, const char *config_path);

#endif
