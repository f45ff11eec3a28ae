/*  rs_pub: publisher side of the wire contract. Sequence numbers are kept per
    topic so that a subscriber filtering on one topic sees a gap-free series. */
#include "rs_pub.h"

#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_bind.h"
#include "rs_clock.h"
#include "rs_config.h"
#include "rs_curve.h"
#include "rs_jfile.h"
#include "rs_journal.h"
#include "rs_log.h"
#include "rs_signal.h"

#define RS_PUB_MAX_STATS 128
//  Messages sent per replay request at most; the subscriber asks again for
//  the rest, which keeps the ROUTER's queue far below its high-water mark.
#define RS_REPLAY_CHUNK 2000

struct rs_pub_t {
    zsock_t *sock;
    void *handle;             //  the libzmq socket behind sock
    rs_encoder_t *enc;
    zhashx_t *seqs;           //  topic -> uint64_t * (last seq sent)
    char pub_id[RS_MAX_ID + 1];
    char component[RS_MAX_ID + 1];
    char endpoint[256];
    char topic[RS_MAX_TOPIC + 1];   //  topic of the body being built
    uint64_t epoch;
    int64_t started_ms;
    uint64_t sent;
    uint64_t errors;
    uint64_t seq;             //  seq of the body being built
    bool ready;
    //  Replay journal, written here and read by the replay actor's thread.
    rs_journal_t *journal;
    rs_jfile_t *jfile;        //  the journal on disk too; NULL = memory only
    bool ended;               //  the "stopped" heartbeat went out: a clean end
    pthread_mutex_t journal_lock;
    zactor_t *replay;
    char replay_bind[256];
    char replay_ep[256];
    uint64_t replay_requests;
    const rs_curve_t *curve;
    rs_curve_t *own_curve;    //  made by rs_pub_start from the configuration
    zsock_t *curve_monitor;   //  refused handshakes, told while waiting for the broker
};

static void
s_free (void **item)
{
    free (*item);
    *item = NULL;
}

static int
s_replay_one (const char *topic, uint64_t seq, const void *body, size_t len, void *arg)
{
    (void) seq;
    zmsg_t *msg = (zmsg_t *) arg;
    zmsg_addstr (msg, "MSG");
    zmsg_addstr (msg, topic);
    zmsg_addmem (msg, body, len);
    return 0;
}

//  Answers one request: [identity] REPLAY topic epoch from to, with up to a
//  chunk of [identity] MSG topic body messages, then
//  [identity] END topic epoch first last (what the journal holds).
static void
s_replay_serve (rs_pub_t *self, zsock_t *router)
{
    zmsg_t *req = zmsg_recv (router);
    if (!req)
        return;
    zframe_t *id = zmsg_pop (req);
    char *cmd = zmsg_popstr (req), *topic = zmsg_popstr (req), *epoch_s = zmsg_popstr (req);
    char *from_s = zmsg_popstr (req), *to_s = zmsg_popstr (req);
    if (id && cmd && strcmp (cmd, "REPLAY") == 0 && topic && epoch_s && from_s && to_s) {
        uint64_t epoch = strtoull (epoch_s, NULL, 10);
        uint64_t from = strtoull (from_s, NULL, 10), to = strtoull (to_s, NULL, 10);
        uint64_t first = 0, last = 0;
        zmsg_t *batch = zmsg_new ();
        self->replay_requests++;
        pthread_mutex_lock (&self->journal_lock);
        if (epoch == self->epoch)
            rs_journal_range (self->journal, topic, from, to, RS_REPLAY_CHUNK, s_replay_one, batch,
                              &first, &last);
        pthread_mutex_unlock (&self->journal_lock);
        //  Each journaled message goes out as its own [id] MSG topic body.
        while (zmsg_size (batch) >= 3) {
            zmsg_t *out = zmsg_new ();
            zmsg_append (out, &(zframe_t *) { zframe_dup (id) });
            for (int i = 0; i < 3; i++) {
                zframe_t *f = zmsg_pop (batch);
                zmsg_append (out, &f);
            }
            zmsg_send (&out, router);
        }
        zmsg_destroy (&batch);
        zmsg_t *end = zmsg_new ();
        zmsg_append (end, &(zframe_t *) { zframe_dup (id) });
        zmsg_addstr (end, "END");
        zmsg_addstr (end, topic);
        zmsg_addstrf (end, "%llu", (unsigned long long) self->epoch);
        zmsg_addstrf (end, "%llu", (unsigned long long) first);
        zmsg_addstrf (end, "%llu", (unsigned long long) last);
        zmsg_send (&end, router);
    }
    zframe_destroy (&id);
    free (cmd);
    free (topic);
    free (epoch_s);
    free (from_s);
    free (to_s);
    zmsg_destroy (&req);
}

//  The replay server: a thread of its own so requests are answered promptly
//  whatever the publisher's loop is doing (sleeping until the next sample).
static void
s_replay_actor (zsock_t *pipe, void *arg)
{
    rs_pub_t *self = (rs_pub_t *) arg;
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    if (router)
        zsock_set_sndhwm (router, RS_REPLAY_CHUNK * 8);
    //  The journal is a server too: with CURVE it only answers allowed clients.
    if (router && rs_curve_server (self->curve, zsock_resolve (router)) != 0) {
        zsock_destroy (&router);
        zsock_signal (pipe, 1);
        return;
    }
    if (!router || zsock_bind (router, "%s", self->replay_bind) < 0) {
        rs_error ("publisher: cannot bind the replay endpoint %s: %s", self->replay_bind,
                  zmq_strerror (zmq_errno ()));
        zsock_destroy (&router);
        zsock_signal (pipe, 1);
        return;
    }
    snprintf (self->replay_ep, sizeof self->replay_ep, "%s", zsock_endpoint (router));
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    //  Signals are the main thread's business; this loop ends on $TERM only.
    zpoller_set_nonstop (poller, true);
    while (true) {
        zsock_t *which = zpoller_wait (poller, -1);
        if (which == router)
            s_replay_serve (self, router);
        else if (which == pipe) {
            char *cmd = zstr_recv (pipe);
            bool term = !cmd || strcmp (cmd, "$TERM") == 0;
            free (cmd);
            if (term)
                break;
        }
        else if (zpoller_terminated (poller))
            break;
    }
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

static uint64_t *
s_seq_slot (rs_pub_t *self, const char *topic)
{
    uint64_t *seq = zhashx_lookup (self->seqs, topic);
    if (!seq && (seq = calloc (1, sizeof *seq)) && zhashx_insert (self->seqs, topic, seq) != 0) {
        free (seq);
        seq = NULL;
    }
    return seq;
}

//  A record of the disk journal read back: the newest epoch wins; its
//  messages refill the memory journal and its seqs continue.
static int
s_reload_one (const char *topic, uint64_t epoch, uint64_t seq, const void *body, size_t len, void *arg)
{
    rs_pub_t *self = (rs_pub_t *) arg;
    if (epoch < self->epoch)
        return 0;
    if (epoch > self->epoch) {
        self->epoch = epoch;
        zhashx_purge (self->seqs);
    }
    uint64_t *last = s_seq_slot (self, topic);
    if (last && seq > *last)
        *last = seq;
    if (strncmp (topic, "sys.", 4) != 0)
        rs_journal_put (self->journal, topic, seq, body, len);
    return 0;
}

static int
s_start_journal (rs_pub_t *self, const rs_pub_opts_t *opts)
{
    size_t bytes = opts->journal_bytes ? opts->journal_bytes : 64 * 1024 * 1024;
    self->journal = rs_journal_new (opts->journal_msgs, bytes);
    if (!self->journal)
        return -1;
    pthread_mutex_init (&self->journal_lock, NULL);
    if (opts->journal_dir && *opts->journal_dir && strcmp (opts->journal_dir, "off") != 0) {
        uint64_t fresh = self->epoch;
        self->epoch = 0;
        self->jfile = rs_jfile_open (opts->journal_dir, self->pub_id, opts->journal_disk_bytes,
                                     opts->journal_disk_age_s * 1000000, s_reload_one, self);
        if (!self->jfile)
            return -1;
        if (self->epoch)
            rs_info ("replay journal: continuing epoch %llu from %s (%zu message(s) read back): this "
                     "publisher did not stop cleanly", (unsigned long long) self->epoch, opts->journal_dir,
                     rs_jfile_loaded (self->jfile));
        else
            self->epoch = fresh;
    }
    if (rs_bind_resolve (opts->replay_endpoint ? opts->replay_endpoint : "tcp://127.0.0.1:*", self->replay_bind,
                         sizeof self->replay_bind) != RS_OK) {
        rs_error ("publisher: cannot listen for the replay journal (REPLAY_ENDPOINT): %s", rs_errmsg ());
        return -1;
    }
    if (rs_curve_check_bind (self->curve, self->replay_bind, true, "replay journal") != 0)
        return -1;
    self->replay = zactor_new (s_replay_actor, self);
    //  zactor_new waits for the actor's signal; a failed bind leaves no endpoint.
    if (!self->replay || !self->replay_ep[0])
        return -1;
    rs_info ("replay journal: %zu messages or %zu MB per topic, served on %s%s", opts->journal_msgs,
             bytes >> 20, self->replay_ep, rs_curve_on (self->curve) ? " with CURVE" : "");
    return 0;
}

void
rs_pub_opts_config (rs_pub_opts_t *opts, rs_config_t *cfg)
{
    opts->journal_msgs = (size_t) rs_config_int (cfg, "replay-journal");
    opts->journal_bytes = (size_t) rs_config_int (cfg, "replay-journal-mb") << 20;
    opts->replay_endpoint = rs_config_str (cfg, "replay-endpoint");
    if (rs_config_has (cfg, "replay-journal-dir")) {
        opts->journal_dir = rs_config_str (cfg, "replay-journal-dir");
        opts->journal_disk_bytes = (size_t) rs_config_int (cfg, "replay-journal-disk-mb") << 20;
        opts->journal_disk_age_s = rs_config_int (cfg, "replay-journal-disk-hours") * 3600;
    }
}

rs_pub_t *
rs_pub_new (const rs_pub_opts_t *opts)
{
    //  The instance name (--name) when the program has one for this component.
    const char *component = opts ? rs_config_instance (opts->component) : NULL;
    if (!opts || !opts->endpoint || !component || !rs_id_valid (component, strlen (component))) {
        rs_error ("publisher: an endpoint and a valid component name are required");
        return NULL;
    }
    rs_pub_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    //  The id names the stream, not the process: a restarted component is a
    //  new epoch of the same publisher, so subscribers see a restart (and
    //  can tell whether the old incarnation's tail was lost) rather than an
    //  unrelated new publisher.
    snprintf (self->pub_id, sizeof self->pub_id, "%s", opts->pub_id ? opts->pub_id : component);
    if (!rs_id_valid (self->pub_id, strlen (self->pub_id))) {
        rs_error ("publisher: invalid publisher id '%s' (1-%d chars of A-Z a-z 0-9 _ -)",
                  self->pub_id, RS_MAX_ID);
        free (self);
        return NULL;
    }
    snprintf (self->component, sizeof self->component, "%s", component);
    snprintf (self->endpoint, sizeof self->endpoint, "%s", opts->endpoint);
    self->curve = opts->curve;
    self->epoch = (uint64_t) rs_clock_now_us ();
    self->started_ms = rs_clock_mono_ms ();
    self->enc = rs_encoder_new ();
    self->seqs = zhashx_new ();
    self->sock = zsock_new (ZMQ_XPUB);
    if (!self->enc || !self->seqs || !self->sock) {
        rs_error ("publisher: out of memory or sockets");
        rs_pub_destroy (&self);
        return NULL;
    }
    zhashx_set_destructor (self->seqs, s_free);
    self->handle = zsock_resolve (self->sock);
    zsock_set_sndhwm (self->sock, opts->sndhwm > 0 ? opts->sndhwm : 100000);
    //  czmq's default linger is 0; keep queued messages for a moment at exit.
    zsock_set_linger (self->sock, 2000);
    if (rs_curve_client (self->curve, self->handle, NULL) != 0) {
        rs_error ("publisher: cannot set up CURVE: %s", zmq_strerror (zmq_errno ()));
        rs_pub_destroy (&self);
        return NULL;
    }
    self->curve_monitor = rs_curve_monitor (self->curve, self->sock);
    if (zsock_connect (self->sock, "%s", opts->endpoint) != 0) {
        rs_error ("publisher: cannot connect to %s: %s", opts->endpoint, zmq_strerror (zmq_errno ()));
        rs_pub_destroy (&self);
        return NULL;
    }
    if (opts->journal_msgs > 0 && s_start_journal (self, opts) != 0) {
        rs_pub_destroy (&self);
        return NULL;
    }
    return self;
}

void
rs_pub_destroy (rs_pub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rs_pub_t *self = *self_p;
    zactor_destroy (&self->replay);
    //  Kept after a crash or a failed start; gone once the stream has ended.
    rs_jfile_close (&self->jfile, self->ended);
    if (self->journal) {
        rs_journal_destroy (&self->journal);
        pthread_mutex_destroy (&self->journal_lock);
    }
    zsock_destroy (&self->sock);
    zsock_destroy (&self->curve_monitor);
    zhashx_destroy (&self->seqs);
    rs_encoder_destroy (&self->enc);
    rs_curve_destroy (&self->own_curve);
    free (self);
    *self_p = NULL;
}

bool
rs_pub_ready (rs_pub_t *self)
{
    //  The broker subscribes to everything when it connects and the
    //  subscription is withdrawn when it goes away.
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    while (zmq_msg_recv (&msg, self->handle, ZMQ_DONTWAIT) >= 0) {
        if (zmq_msg_size (&msg) >= 1) {
            uint8_t first = *(uint8_t *) zmq_msg_data (&msg);
            if (first == 1)
                self->ready = true;
            else if (first == 0)
                self->ready = false;
        }
    }
    zmq_msg_close (&msg);
    return self->ready;
}

int
rs_pub_wait_ready (rs_pub_t *self, int timeout_ms)
{
    int64_t deadline = rs_clock_mono_ms () + timeout_ms;
    while (!rs_pub_ready (self)) {
        int64_t left = deadline - rs_clock_mono_ms ();
        if (zsys_interrupted)
            return RS_E_STOPPED;
        if (left <= 0)
            return RS_E_TIMEOUT;
        zmq_pollitem_t item = { self->handle, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, left > 100 ? 100 : (long) left) < 0 && zmq_errno () != EINTR)
            return RS_E_IO;
    }
    return RS_OK;
}

//  rs_pub_start, for an acquisition reader (rs_pub_def_t.acquisition) or not.
static int
s_pub_start (rs_config_t *cfg, const char *component, const char *pub_id, bool acquisition, rs_pub_t **pub_p)
{
    *pub_p = NULL;
    char endpoint[256];
    if (rs_config_broker_endpoint (cfg, false, endpoint, sizeof endpoint) != 0) {
        rs_error ("publisher: no usable broker endpoint in the configuration");
        return RS_E_SOCKET;
    }
    rs_curve_t *curve = rs_curve_new_config (cfg);
    if (!curve)
        return RS_E_CONFIG;
    //  An instance name is also the publisher id, unless one is given: two
    //  WITS0 readers must not both publish as "wits0".
    const char *name = rs_config_name (cfg);
    if (*name && pub_id && rs_config_has (cfg, "publisher-id") && !rs_config_is_set (cfg, "publisher-id")
        && strcmp (pub_id, rs_config_str (cfg, "publisher-id")) == 0)
        pub_id = name;
    rs_pub_opts_t opts = { .endpoint = endpoint, .component = component, .pub_id = pub_id,
                           .curve = curve };
    rs_pub_opts_config (&opts, cfg);
    //  Acquisition readers hold what they read from the rig nowhere else:
    //  their journal goes to disk unless REPLAY_JOURNAL_DIR says otherwise.
    if (opts.journal_dir && !*opts.journal_dir && acquisition)
        opts.journal_dir = "./data/journal";
    //  A refused journal address is a configuration error (exit 2), told
    //  apart here from socket failures; s_start_journal logs the reason.
    if (opts.journal_msgs > 0 && !rs_curve_bind_allowed (curve, opts.replay_endpoint, true)) {
        rs_curve_check_bind (curve, opts.replay_endpoint, true, "replay journal");
        rs_curve_destroy (&curve);
        return RS_E_CONFIG;
    }
    if (opts.journal_msgs > 0 && !rs_curve_can_serve (curve)) {
        rs_error ("CURVE: the replay journal is served with CURVE and needs CURVE_ALLOW_DIR, the "
                  "directory of the clients allowed to ask it (or REPLAY_JOURNAL=0 for none)");
        rs_curve_destroy (&curve);
        return RS_E_CONFIG;
    }
    *pub_p = rs_pub_new (&opts);
    if (!*pub_p) {
        rs_curve_destroy (&curve);
        return RS_E_SOCKET;
    }
    (*pub_p)->own_curve = curve;
    //  After the first socket: czmq installs its own handlers at that point.
    rs_signal_catch ();
    return rs_pub_wait_broker (*pub_p);
}

int
rs_pub_start (rs_config_t *cfg, const char *component, const char *pub_id, rs_pub_t **pub_p)
{
    return s_pub_start (cfg, component, pub_id, false, pub_p);
}

//  Loads the configuration of def into *cfg_p. Returns RS_OK or the code
//  to exit with.
static int
s_configure (const rs_pub_def_t *def, int argc, char **argv, rs_config_t **cfg_p)
{
    static const rs_option_t front[] = { RS_OPTIONS_BROKER_CLIENT, RS_OPTIONS_PUBLISHER, RS_OPTION_END };
    const rs_option_t back[] = {
        { "publisher-id", "PUBLISHER_ID", RS_OPT_STRING, def->pub_id ? def->pub_id : def->component,
          "publisher id: the same across restarts, unique among running publishers", 0, 0 },
        RS_OPTION_END
    };
    const char *program = def->program ? def->program : def->component;
    rs_option_t *table = rs_config_table (front, def->options, back);
    *cfg_p = table ? rs_config_new (program, def->usage, table, def->positional) : NULL;
    free (table);
    int rc = rs_config_start (cfg_p, argc, argv, def->component);
    if (rc != RS_OK)
        return rc;
    const char *pub_id = rs_config_str (*cfg_p, "publisher-id");
    if (!rs_id_valid (pub_id, strlen (pub_id))) {
        fprintf (stderr, "%s: invalid value \"%s\" for --publisher-id: 1-%d chars of A-Z a-z 0-9 _ -\n",
                 program, pub_id, RS_MAX_ID);
        return RS_E_CONFIG;
    }
    return RS_OK;
}

int
rs_pub_main (const rs_pub_def_t *def, int argc, char **argv)
{
    if (!def || !def->component || !def->on_run)
        return rs_exit_status (RS_E_INVAL);
    rs_config_t *cfg = NULL;
    int rc = s_configure (def, argc, argv, &cfg);
    bool set_up = rc == RS_OK;
    if (rc == RS_OK && def->on_setup)
        rc = def->on_setup (cfg, def->arg);
    rs_pub_t *pub = NULL;
    if (rc == RS_OK)
        rc = s_pub_start (cfg, def->component, rs_config_str (cfg, "publisher-id"), def->acquisition, &pub);
    if (rc == RS_OK) {
        char text[1024] = "";
        if (def->on_ready)
            def->on_ready (pub, text, sizeof text, def->arg);
        rs_info ("ready: %s%sto %s", text, *text ? " " : "", pub->endpoint);
        rc = def->on_run (pub, cfg, def->arg);
        *text = '\0';
        if (def->on_stop)
            def->on_stop (pub, text, sizeof text, def->arg);
        rs_info ("stopped: %s%s%llu messages sent", text, *text ? "; " : "", (unsigned long long) pub->sent);
        //  The last heartbeat is the end of every stream: "stopped", with
        //  the last seq of each topic (docs/PROTOCOL.md, "End of a stream").
        if (def->on_heartbeat)
            def->on_heartbeat (pub, "stopped", def->arg);
        else
            rs_pub_heartbeat (pub, NULL, 0, &(rs_text_t) { "state", "stopped" }, 1);
    }
    rs_pub_destroy (&pub);
    if (set_up && def->on_free)
        def->on_free (def->arg);
    rs_config_destroy (&cfg);
    return rs_exit_status (rc);
}

const char *
rs_pub_endpoint (rs_pub_t *self)
{
    return self->endpoint;
}

int
rs_pub_wait_broker (rs_pub_t *self)
{
    int64_t since = rs_clock_mono_ms (), logged = since;
    if (rs_pub_wait_ready (self, 200) == RS_OK)
        return RS_OK;
    if (!zsys_interrupted)
        rs_info ("waiting for the broker at %s", self->endpoint);
    int64_t told = 0;
    while (rs_pub_wait_ready (self, 1000) != RS_OK) {
        if (zsys_interrupted)
            return RS_E_STOPPED;
        int64_t now = rs_clock_mono_ms ();
        //  A refused handshake looks like an absent broker: say which it is.
        int refused = 0;    //  1: our certificate refused, 2: another failed handshake
        while (self->curve_monitor && (zsock_events (self->curve_monitor) & ZMQ_POLLIN)) {
            int kind = rs_curve_monitor_event (self->curve_monitor);
            if (kind < 0)
                break;
            refused |= kind;
        }
        if (refused && now - told >= 10000) {
            told = now;
            if (refused & 1)
                rs_error ("the broker at %s refused this program's certificate (%s): its public key "
                          "is not in the broker's allow-list, CURVE_ALLOW_DIR (see docs/SECURITY.md)",
                          self->endpoint, rs_curve_public_key (self->curve));
            else
                rs_error ("the CURVE handshake with the broker at %s failed: is CURVE_SERVER_KEY the "
                          "broker's public key, and does the broker run with CURVE?", self->endpoint);
        }
        if (now - logged >= 10000) {
            rs_info ("still waiting for the broker at %s (%lld s)", self->endpoint,
                     (long long) ((now - since) / 1000));
            logged = now;
        }
    }
    return RS_OK;
}

static uint64_t
s_next_seq (rs_pub_t *self, const char *topic)
{
    uint64_t *seq = s_seq_slot (self, topic);
    return seq ? ++*seq : 0;
}

//  Sends the encoder's body under self->topic.
static int
s_send (rs_pub_t *self)
{
    size_t tlen = strlen (self->topic);
    //  Written ahead: after a crash the file holds everything sent, so the
    //  restarted publisher never numbers another message with a sent seq.
    if (self->jfile)
        rs_jfile_append (self->jfile, self->topic, self->epoch, self->seq, rs_encoder_data (self->enc),
                         rs_encoder_size (self->enc), rs_clock_now_us ());
    int rc = RS_OK;
    if (zmq_send (self->handle, self->topic, tlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0
        || zmq_send (self->handle, rs_encoder_data (self->enc), rs_encoder_size (self->enc),
                     ZMQ_DONTWAIT) < 0) {
        self->errors++;
        rc = RS_E_IO;
    }
    else
        self->sent++;
    //  Heartbeats are not worth replaying; everything else is journaled,
    //  also when the send failed: its seq is taken, a subscriber can ask.
    if (self->journal && strncmp (self->topic, "sys.", 4) != 0) {
        pthread_mutex_lock (&self->journal_lock);
        rs_journal_put (self->journal, self->topic, self->seq, rs_encoder_data (self->enc),
                        rs_encoder_size (self->enc));
        pthread_mutex_unlock (&self->journal_lock);
    }
    return rc;
}

static int
s_header (rs_pub_t *self, rs_kind_t kind, const char *id, int64_t ts_us, rs_header_t *hdr)
{
    if (rs_topic_format (self->topic, sizeof self->topic, kind, id) < 0)
        return RS_E_TOPIC;
    hdr->pub = self->pub_id;
    hdr->epoch = self->epoch;
    hdr->seq = self->seq = s_next_seq (self, self->topic);
    hdr->ts_us = ts_us ? ts_us : rs_clock_now_us ();
    return hdr->seq ? RS_OK : RS_E_NOMEM;
}

//  The sequence number is taken only once the body is known to be valid, so a
//  rejected call leaves no gap behind.
static void
s_unnumber (rs_pub_t *self)
{
    uint64_t *seq = zhashx_lookup (self->seqs, self->topic);
    if (seq && *seq)
        --*seq;
}

//  Sends an encoded body, or counts the failure to build it. A rejected body
//  gives its sequence number back, so it leaves no gap (s_header numbered it
//  unless the topic itself was invalid).
static int
s_finish (rs_pub_t *self, int rc)
{
    if (rc == RS_OK)
        return s_send (self);
    if (rc != RS_E_TOPIC)
        s_unnumber (self);
    self->errors++;
    return rc;
}

int
rs_pub_sample (rs_pub_t *self, const char *well, int64_t ts_us, const rs_value_t *ch, size_t n)
{
    rs_header_t hdr;
    int rc = s_header (self, RS_KIND_TELEMETRY, well, ts_us, &hdr);
    if (rc == RS_OK)
        rc = rs_encode_sample (self->enc, well, &hdr, ch, n);
    return s_finish (self, rc);
}

int
rs_pub_event (rs_pub_t *self, const char *well, int64_t ts_us, const char *type, const char *phase,
              uint64_t event_id, const char *note, const char *state)
{
    rs_header_t hdr;
    int rc = s_header (self, RS_KIND_EVENT, well, ts_us, &hdr);
    if (rc == RS_OK)
        rc = rs_encode_event (self->enc, well, &hdr, type, phase, event_id, note, state);
    return s_finish (self, rc);
}

int
rs_pub_heartbeat (rs_pub_t *self, const rs_value_t *stats, size_t n_stats, const rs_text_t *info,
                  size_t n_info)
{
    rs_value_t all[RS_PUB_MAX_STATS];
    size_t n = 0;
    all[n++] = (rs_value_t) { "pid", -1, (double) getpid () };
    all[n++] = (rs_value_t) { "uptime_s", -1, (double) (rs_clock_mono_ms () - self->started_ms) / 1000.0 };
    all[n++] = (rs_value_t) { "sent", -1, (double) self->sent };
    all[n++] = (rs_value_t) { "send_errors", -1, (double) self->errors };
    if (self->journal) {
        pthread_mutex_lock (&self->journal_lock);
        all[n++] = (rs_value_t) { "journal_msgs", -1, (double) rs_journal_messages (self->journal) };
        all[n++] = (rs_value_t) { "journal_bytes", -1, (double) rs_journal_bytes (self->journal) };
        pthread_mutex_unlock (&self->journal_lock);
    }
    if (self->jfile)
        all[n++] = (rs_value_t) { "journal_disk_bytes", -1, (double) rs_jfile_bytes (self->jfile) };
    for (size_t i = 0; i < n_stats && n < RS_PUB_MAX_STATS; i++)
        all[n++] = stats[i];
    //  The last seq of each topic lets durable subscribers see a lost tail:
    //  messages that were dropped with nothing after them to reveal the gap.
    char names[RS_PUB_MAX_STATS][RS_MAX_ID + 1];
    for (uint64_t *seq = zhashx_first (self->seqs); seq && n < RS_PUB_MAX_STATS;
         seq = zhashx_next (self->seqs)) {
        const char *topic = zhashx_cursor (self->seqs);
        if (strncmp (topic, "sys.", 4) == 0)
            continue;
        int len = snprintf (names[n], sizeof names[n], "seq.%s", topic);
        if (len < 0 || (size_t) len >= sizeof names[n])
            continue;
        all[n] = (rs_value_t) { names[n], -1, (double) *seq };
        n++;
    }
    rs_text_t texts[RS_PUB_MAX_STATS];
    size_t n_texts = 0;
    for (size_t i = 0; i < n_info && n_texts < RS_PUB_MAX_STATS - 2; i++) {
        texts[n_texts++] = info[i];
        //  The end-of-stream: the disk journal is no longer needed.
        if (strcmp (info[i].key, "state") == 0 && strcmp (info[i].value, "stopped") == 0)
            self->ended = true;
    }
    if (self->replay_ep[0]) {
        texts[n_texts++] = (rs_text_t) { "replay", self->replay_ep };
        //  Subscribers repairing gaps need the journal's CURVE key; the
        //  heartbeat reaches them over the authenticated broker.
        if (rs_curve_on (self->curve) && n_texts < RS_PUB_MAX_STATS)
            texts[n_texts++] = (rs_text_t) { "replay_key", rs_curve_public_key (self->curve) };
    }
    rs_header_t hdr;
    int rc = s_header (self, RS_KIND_SYS, self->component, 0, &hdr);
    if (rc == RS_OK)
        rc = rs_encode_heartbeat (self->enc, self->component, &hdr, all, n, texts, n_texts);
    return s_finish (self, rc);
}

msgpack_packer *
rs_pub_begin (rs_pub_t *self, rs_kind_t kind, const char *id, int64_t ts_us, size_t n_extra)
{
    rs_header_t hdr;
    if (s_header (self, kind, id, ts_us, &hdr) != RS_OK)
        return NULL;
    msgpack_packer *pk = rs_encode_begin (self->enc, kind, id, &hdr, n_extra);
    if (!pk)
        s_unnumber (self);
    return pk;
}

int
rs_pub_send (rs_pub_t *self)
{
    return s_send (self);
}

const char *
rs_pub_replay_endpoint (rs_pub_t *self)
{
    return self->replay_ep;
}

uint64_t
rs_pub_epoch (rs_pub_t *self)
{
    return self->epoch;
}

uint64_t
rs_pub_sent (rs_pub_t *self)
{
    return self->sent;
}

void *
rs_pub_socket (rs_pub_t *self)
{
    return self->handle;
}
