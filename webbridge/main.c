/*  rigstream-web: the web bridge. One rs_sub loop reads every topic from the
    broker and feeds the hub (live values for the browsers) and the alert
    store; civetweb serves the dashboard, the REST API and /ws (rs_web).
    This file is the options; rs_webapp is the engine. */
#include <malloc.h>
#include <stdlib.h>

#include "rs_sub.h"
#include "rs_webapp.h"

static const rs_option_t s_options[] = {
    { "control-port", "BROKER_CONTROL_PORT", RS_OPT_INT, "5557", "broker control port", 1, 65535 },
    { "control", "BROKER_CONTROL_ENDPOINT", RS_OPT_ENDPOINT, NULL,
      "broker control endpoint; overrides broker-host and control-port", 0, 0 },
    { "host", "WEB_HOST", RS_OPT_STRING, "127.0.0.1", "interface the web dashboard listens on", 0, 0 },
    { "port", "WEB_PORT", RS_OPT_INT, "8080", "port of the web dashboard", 1, 65535 },
    { "root", "WEB_ROOT", RS_OPT_STRING, NULL,
      "directory of the built dashboard (default: frontend/ of the build tree)", 0, 0 },
    { "well-timeout-s", "WEB_WELL_TIMEOUT_S", RS_OPT_INT, "10",
      "seconds without a sample after which a well is not live and its channels stale (/api/wells, /api/latest)",
      1, 86400 },
    { "max-clients", "WEB_MAX_CLIENTS", RS_OPT_INT, "32", "WebSocket clients served at once", 1, 1000 },
    { "tls-cert", "WEB_TLS_CERT", RS_OPT_STRING, NULL,
      "PEM file with the private key and certificate: serve HTTPS and WSS instead of HTTP", 0, 0 },
    { "write-token", "WEB_WRITE_TOKEN", RS_OPT_STRING, NULL,
      "token operators sign in with to acknowledge alerts and change thresholds (at least 16 characters); "
      "required unless the dashboard listens on loopback only", 0, 0 },
    { "read-token", "WEB_READ_TOKEN", RS_OPT_STRING, NULL,
      "token needed to read the API and the live feed (at least 16 characters); empty: reading is open", 0, 0 },
    { "allow-origins", "WEB_ALLOW_ORIGINS", RS_OPT_STRING, NULL,
      "origins allowed to read the API and the live feed besides the dashboard's own, comma-separated "
      "(http://host:port, or *); writes come only from the dashboard's own pages", 0, 0 },
    { "allowed-hosts", "WEB_ALLOWED_HOSTS", RS_OPT_STRING, NULL,
      "names the dashboard is reached by besides localhost, the loopback addresses and WEB_HOST, "
      "comma-separated (name or name:port); other Host headers get 421 (DNS rebinding)", 0, 0 },
    { "max-body", "WEB_MAX_BODY", RS_OPT_INT, "65536", "largest request body in bytes", 1024, 16777216 },
    { "ws-max-message", "WEB_WS_MAX_MESSAGE", RS_OPT_INT, "4096",
      "largest WebSocket message a browser may send, in bytes", 256, 1048576 },
    { "rate-limit", "WEB_RATE_LIMIT", RS_OPT_INT, "50",
      "requests per second per client address, bursts of 4x allowed (0: no limit)", 0, 100000 },
    { "ws-per-client", "WEB_WS_PER_CLIENT", RS_OPT_INT, "8",
      "WebSockets one client may hold without the dashboard's Origin or a token (every loopback address is one "
      "client)", 1, 1000 },
    { "ws-reserve", "WEB_WS_RESERVE", RS_OPT_INT, "4",
      "of WEB_MAX_CLIENTS, the WebSockets only the dashboard's pages (allowed Origin) and token holders may take",
      0, 1000 },
    { "history-concurrent", "WEB_HISTORY_CONCURRENT", RS_OPT_INT, "2",
      "history and export requests (REST and WebSocket since) worked on at once, all clients", 1, 64 },
    { "history-client-concurrent", "WEB_HISTORY_CLIENT_CONCURRENT", RS_OPT_INT, "1",
      "history and export requests worked on at once for one client", 1, 64 },
    { "history-wait-ms", "WEB_HISTORY_WAIT_MS", RS_OPT_INT, "2000",
      "how long a history or export request waits for a free slot before it is refused", 0, 60000 },
    { "history-client-rows", "WEB_HISTORY_CLIENT_ROWS", RS_OPT_INT, "2000000",
      "rows one client's history and export requests may read per minute (0: no budget)", 0, 1000000000 },
    { "history-total-rows", "WEB_HISTORY_TOTAL_ROWS", RS_OPT_INT, "6000000",
      "rows every client's history and export requests may read per minute together (0: no budget)", 0,
      1000000000 },
    { "history-client-cpu-ms", "WEB_HISTORY_CLIENT_CPU_MS", RS_OPT_INT, "10000",
      "CPU milliseconds one client's history and export requests may use per minute (0: no budget)", 0, 3600000 },
    { "history-total-cpu-ms", "WEB_HISTORY_TOTAL_CPU_MS", RS_OPT_INT, "20000",
      "CPU milliseconds every client's history and export requests may use per minute together (0: no budget)",
      0, 3600000 },
    { "history-max-ms", "WEB_HISTORY_MAX_MS", RS_OPT_INT, "10000",
      "wall time one history or export request may read the database for: 413 beyond", 100, 600000 },
    { "history-max-bytes", "WEB_HISTORY_MAX_BYTES", RS_OPT_INT, "8388608",
      "largest history answer (REST or WebSocket), in bytes: 413 or an error beyond", 65536, 1073741824 },
    { "ws-queue-bytes", "WEB_WS_QUEUE_BYTES", RS_OPT_INT, "4194304",
      "bytes of answers queued for one WebSocket beyond which its history requests are refused", 65536,
      1073741824 },
    { "export-max-bytes", "WEB_EXPORT_MAX_BYTES", RS_OPT_INT, "268435456",
      "largest CSV export, in bytes: 413 beyond", 65536, 17179869184 },
    { "audit-log", "WEB_AUDIT_LOG", RS_OPT_STRING, NULL,
      "audit file (JSON lines) of every write request and every refused one (default: "
      "$RIGSTREAM_RUN_DIR/logs/web_audit.log, RIGSTREAM_RUN_DIR being run; none: no audit file)", 0, 0 },
    { "audit-max-kb", "WEB_AUDIT_MAX_KB", RS_OPT_INT, "10240", "size at which the audit file is rotated, in KB",
      16, 1048576 },
    { "audit-keep", "WEB_AUDIT_KEEP", RS_OPT_INT, "5", "rotated audit files kept (file.1 ... file.N)", 1, 100 },
    { "db", "DATABASE_PATH", RS_OPT_STRING, "./data/rigstream.db",
      "SQLite database the saver writes and the web bridge reads", 0, 0 },
    { "engine-control-port", "ENGINE_CONTROL_PORT", RS_OPT_INT, "5558",
      "prediction engine control port (thresholds)", 1, 65535 },
    { "engine-control", "ENGINE_CONTROL_ENDPOINT", RS_OPT_ENDPOINT, NULL,
      "prediction engine control endpoint; overrides broker-host and engine-control-port", 0, 0 },
    { "units", "DISPLAY_UNITS", RS_OPT_STRING, "metric",
      "units the dashboard starts in (each browser can switch): metric (as stored) or imperial", 0, 0 },
    { "engine-control-key", "ENGINE_CONTROL_KEY", RS_OPT_STRING, NULL,
      "with CURVE: the prediction engine's public key (Z85) or public certificate file", 0, 0 },
    RS_OPTION_END
};

int
main (int argc, char **argv)
{
    //  civetweb runs a thread per connection: with an arena each, glibc
    //  would keep the heap of every large answer per thread. Few arenas and
    //  a fixed mmap threshold (large buffers mapped and unmapped, never
    //  kept) let an idle bridge give the memory back.
    mallopt (M_ARENA_MAX, 2);
    mallopt (M_MMAP_THRESHOLD, 256 * 1024);
    mallopt (M_TRIM_THRESHOLD, 1024 * 1024);
    rs_webapp_t *self = rs_webapp_new ();
    const rs_sub_def_t def = {
        .component = "webbridge",
        .program = "rigstream-web",
        .usage = "serve the operators' dashboard and its API",
        .options = s_options,
        .own_ready_line = true,
        .journal = true,
        .on_setup = rs_webapp_setup,
        .on_start = rs_webapp_start,
        .on_message = rs_webapp_message,
        .on_stats = rs_webapp_stats,
        .on_stop = rs_webapp_stop,
        .on_free = rs_webapp_free,
        .arg = self,
    };
    int rc = self ? rs_sub_main (&def, argc, argv) : EXIT_FAILURE;
    rs_webapp_destroy (&self);
    return rc;
}
