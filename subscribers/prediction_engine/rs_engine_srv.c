/*  rs_engine_srv: the control ROUTER socket over rs_engine_ctl. */
#include "rs_engine_srv.h"

#include <jansson.h>
#include <string.h>

#include "rs_engine_ctl.h"
#include "rs_log.h"

//  The hard cap per frame: a longer frame makes libzmq drop the connection
//  unanswered. Anything up to it is read and answered, those over 1 MiB with
//  an error from rs_engine_ctl (docs/PREDICTION.md).
#define CONTROL_MAXMSGSIZE (32 * 1024 * 1024)

struct rs_engine_srv_t {
    rs_engine_t *engine;
    const char *config_path;
    zsock_t *sock;
    rs_engine_srv_stats_t stats;
    rs_log_limit_t bad_limit, refused_limit;
};

//  Counts and logs (rate limited) a reply that refuses the request.
static void
s_count_refusal (rs_engine_srv_t *self, const char *reply)
{
    json_t *o = reply ? json_loads (reply, 0, NULL) : NULL;
    if (json_is_false (json_object_get (o, "ok"))) {
        self->stats.refused++;
        rs_log_limited (&self->refused_limit, 1000, RS_LOG_WARN, "control: refused a request: %s",
                        json_string_value (json_object_get (o, "error")));
    }
    json_decref (o);
}

//  Sends [identity][empty][reply]: what a REQ client expects; a DEALER reads
//  the same two frames. Takes the identity.
static void
s_send (rs_engine_srv_t *self, zframe_t **id, const char *reply)
{
    zmsg_t *out = zmsg_new ();
    zmsg_append (out, id);
    zmsg_addmem (out, "", 0);
    zmsg_addstr (out, reply ? reply : "{\"ok\":false,\"error\":\"out of memory\"}");
    zmsg_send (&out, self->sock);
}

static void
s_answer (rs_engine_srv_t *self, zframe_t **id, zframe_t *body)
{
    self->stats.requests++;
    uint64_t loads = rs_engine_stats (self->engine)->config_loads;
    char *reply = rs_engine_ctl_handle (self->engine, self->config_path, zframe_data (body), zframe_size (body));
    if (rs_engine_stats (self->engine)->config_loads != loads)
        rs_info ("control: configuration changed: %zu rule(s)", rs_engine_config (self->engine)->n);
    s_count_refusal (self, reply);
    s_send (self, id, reply);
    free (reply);
}

//  A request of the wrong shape: counted, logged and answered, so that no
//  client waits for a reply that never comes.
static void
s_refuse_malformed (rs_engine_srv_t *self, zframe_t **id, bool delimited, size_t frames)
{
    self->stats.malformed++;
    char msg[200];
    if (delimited)
        snprintf (msg, sizeof msg, "a request is one frame of JSON; got %zu", frames);
    else
        snprintf (msg, sizeof msg, "a request is an empty delimiter frame, then the JSON (REQ sends this); "
                  "got %zu frame(s) without the delimiter", frames);
    rs_log_limited (&self->bad_limit, 1000, RS_LOG_WARN, "control: malformed request answered with an error: %s", msg);
    json_t *o = json_pack ("{s:b,s:s}", "ok", 0, "error", msg);
    char *reply = o ? json_dumps (o, JSON_COMPACT) : NULL;
    json_decref (o);
    s_send (self, id, reply);
    free (reply);
}

//  One request: [identity][empty][JSON] from a REQ (or DEALER) client.
static int
s_on_request (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    rs_engine_srv_t *self = arg;
    zmsg_t *req = zmsg_recv (sock);
    if (!req)
        return 0;
    size_t nframes = zmsg_size (req);
    zframe_t *id = zmsg_pop (req);
    zframe_t *first = zmsg_first (req);
    bool delimited = first && zframe_size (first) == 0;
    if (!id)
        self->stats.malformed++;
    else
    if (!delimited || nframes != 3) {
        //  The frames after the identity, and after the delimiter if any.
        size_t n = nframes - 1 - (delimited ? 1 : 0);
        s_refuse_malformed (self, &id, delimited, n);
    }
    else {
        zframe_t *empty = zmsg_pop (req);
        zframe_t *body = zmsg_pop (req);
        s_answer (self, &id, body);
        zframe_destroy (&empty);
        zframe_destroy (&body);
    }
    zframe_destroy (&id);
    zmsg_destroy (&req);
    return 0;
}

rs_engine_srv_t *
rs_engine_srv_new (rs_engine_t *engine, const char *config_path, const char *endpoint,
                   const rs_curve_t *curve, zloop_t *loop)
{
    rs_engine_srv_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->engine = engine;
    self->config_path = config_path;
    self->sock = zsock_new (ZMQ_ROUTER);
    if (!self->sock) {
        rs_engine_srv_destroy (&self);
        return NULL;
    }
    zsock_set_maxmsgsize (self->sock, CONTROL_MAXMSGSIZE);
    if (strchr (endpoint, '['))
        zsock_set_ipv6 (self->sock, 1);
    zsock_set_linger (self->sock, 0);
    if (rs_curve_server (curve, zsock_resolve (self->sock)) != 0) {
        rs_engine_srv_destroy (&self);
        return NULL;
    }
    if (zsock_bind (self->sock, "%s", endpoint) < 0) {
        rs_error ("cannot bind the control endpoint %s: %s (is another engine running? "
                  "ENGINE_CONTROL_PORT=0 turns it off)", endpoint, zmq_strerror (zmq_errno ()));
        rs_engine_srv_destroy (&self);
        return NULL;
    }
    zloop_reader (loop, self->sock, s_on_request, self);
    zloop_reader_set_tolerant (loop, self->sock);
    return self;
}

void
rs_engine_srv_destroy (rs_engine_srv_t **self_p)
{
    //  The loop is not touched: it only polls while running, and zloop_destroy
    //  does not read its sockets, so either may go first.
    if (!self_p || !*self_p)
        return;
    rs_engine_srv_t *self = *self_p;
    zsock_destroy (&self->sock);
    free (self);
    *self_p = NULL;
}

const rs_engine_srv_stats_t *
rs_engine_srv_stats (const rs_engine_srv_t *self)
{
    return &self->stats;
}
