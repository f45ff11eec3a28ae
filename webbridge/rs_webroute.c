/*  rs_webroute: the REST API's routing table. See rs_webroute.h. */
#include "rs_webroute.h"

#include <stdio.h>
#include <string.h>

#define ACK_PREFIX "/api/alerts/"

static const char *const s_none[] = { NULL };
static const char *const s_history[] = { "well", "from", "to", "channels", "points", NULL };
static const char *const s_export[] = { "well", "from", "to", "channels", "units", NULL };
static const char *const s_alerts[] = { "well", NULL };
static const char *const s_latest[] = { "well", "format", NULL };
static const char *const s_audit[] = { "since", "until", "well", "action", "limit", NULL };

//  The operators' requests on an alarm: path suffix, engine command.
static const char *const s_alarm_actions[][2] = {
    { "/ack", "ack" }, { "/shelve", "shelve" }, { "/unshelve", "unshelve" },
    { "/out-of-service", "out_of_service" }, { "/in-service", "in_service" },
};

static const struct {
    const char *path;
    rs_webroute_id_t id;
    bool put;                       //  PUT allowed besides GET and HEAD
    const char *const *allowed;     //  query parameters; NULL = not checked
} s_routes[] = {
    { "/api/auth", RS_WEBROUTE_AUTH, false, NULL },
    { "/api/health", RS_WEBROUTE_HEALTH, false, s_none },
    { "/api/wells", RS_WEBROUTE_WELLS, false, s_none },
    { "/api/latest", RS_WEBROUTE_LATEST, false, s_latest },
    { "/api/channels", RS_WEBROUTE_CHANNELS, false, s_none },
    { "/api/history", RS_WEBROUTE_HISTORY, false, s_history },
    { "/api/alerts", RS_WEBROUTE_ALERTS, false, s_alerts },
    { "/api/thresholds", RS_WEBROUTE_THRESHOLDS, true, s_none },
    { "/api/export.csv", RS_WEBROUTE_EXPORT, false, s_export },
    { "/api/audit", RS_WEBROUTE_AUDIT, false, s_audit },
};
#define N_ROUTES (sizeof s_routes / sizeof s_routes[0])

//  POST /api/alerts/<id>/<action>. Returns 0, 404 or 405.
static int
s_match_ack (const char *path, const char *method, rs_webroute_t *out)
{
    const char *rest = path + strlen (ACK_PREFIX);
    const char *slash = strchr (rest, '/');
    size_t a = 0, n = sizeof s_alarm_actions / sizeof s_alarm_actions[0];
    while (slash && a < n && strcmp (slash, s_alarm_actions[a][0]) != 0)
        a++;
    if (!slash || a == n || (size_t) (slash - rest) >= sizeof out->arg) {
        rs_err_set (RS_E_RANGE, "no such path: %s", path);
        return 404;
    }
    if (strcmp (method, "POST") != 0) {
        rs_err_set (RS_E_RANGE, "use POST to %s an alert", strcmp (slash, "/ack") == 0 ? "acknowledge" : slash + 1);
        return 405;
    }
    out->id = RS_WEBROUTE_ACK;
    snprintf (out->action, sizeof out->action, "%s", s_alarm_actions[a][1]);
    out->write = true;
    memcpy (out->arg, rest, (size_t) (slash - rest));
    out->arg[slash - rest] = 0;
    return 0;
}

int
rs_webroute_match (const char *path, const char *method, const rs_webapi_params_t *params, rs_webroute_t *out)
{
    memset (out, 0, sizeof *out);
    bool get = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;
    if (strncmp (path, ACK_PREFIX, strlen (ACK_PREFIX)) == 0 && strlen (path) > strlen (ACK_PREFIX))
        return s_match_ack (path, method, out);
    size_t r = 0;
    while (r < N_ROUTES && strcmp (s_routes[r].path, path) != 0)
        r++;
    if (r == N_ROUTES) {
        rs_err_set (RS_E_RANGE, "no such path: %s", path);
        return 404;
    }
    if (!get && !(s_routes[r].put && strcmp (method, "PUT") == 0)) {
        rs_err_set (RS_E_RANGE, "method %s not allowed on %s", method, path);
        return 405;
    }
    if (s_routes[r].allowed && rs_webapi_check_params (params, s_routes[r].allowed) != 0)
        return 400;
    out->id = s_routes[r].id;
    out->write = !get;
    return 0;
}
