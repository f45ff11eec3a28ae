/*  rs_webcost: what history and export requests may cost. The request rate
    counts messages, not the work each causes: one "since" of an hour reads
    tens of thousands of rows. This ledger admits a heavy request (REST
    history and export, WebSocket history) only while a slot is free (at
    most `max_active` at once, `max_active_client` per client) and while
    the client and the whole bridge are within their budgets of rows read
    and CPU time; after the work, the request is charged what it really
    cost. A budget refills continuously (per minute): a client over it
    waits until its debt is paid back, which is the Retry-After it is told.

    Every loopback address is one client, as for the request rate: a
    process on the laptop rotating 127.x.y.z gets no fresh budget. Pure
    policy over plain numbers (no civetweb): unit-tested directly. */
#ifndef RS_WEBCOST_H
#define RS_WEBCOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int max_active;                 //  heavy requests at once, every client; 0 = 2
    int max_active_client;          //  heavy requests at once, one client; 0 = 1
    int wait_ms;                    //  how long a request waits for a free slot before it is refused
    double client_rows_min;         //  rows one client may read per minute; 0 = no budget
    double total_rows_min;          //  rows every client together may read per minute; 0 = no budget
    double client_cpu_ms_min;       //  CPU milliseconds one client may use per minute; 0 = no budget
    double total_cpu_ms_min;        //  the same for every client together; 0 = no budget
} rs_webcost_opts_t;

typedef enum {
    RS_WEBCOST_OK = 0,
    RS_WEBCOST_BUSY,                //  every slot taken (all clients)
    RS_WEBCOST_CLIENT_BUSY,         //  this client's slots taken
    RS_WEBCOST_CLIENT_ROWS,         //  this client's row budget spent
    RS_WEBCOST_TOTAL_ROWS,          //  the bridge's row budget spent
    RS_WEBCOST_CLIENT_CPU,          //  this client's CPU budget spent
    RS_WEBCOST_TOTAL_CPU            //  the bridge's CPU budget spent
} rs_webcost_reason_t;

//  A refusal: why, in words that name the option, and when to try again.
typedef struct {
    rs_webcost_reason_t reason;
    int retry_after_s;              //  >= 1
    char message[200];
} rs_webcost_verdict_t;

//  An admitted request: hand it back to rs_webcost_end.
typedef struct {
    int slot;                       //  the client's entry; -1 = none
    int64_t cpu_start_ns;           //  the thread's CPU clock at the start
} rs_webcost_ticket_t;

typedef struct {
    uint64_t admitted;
    uint64_t refused_busy;          //  BUSY and CLIENT_BUSY
    uint64_t refused_budget;        //  row and CPU budgets
    uint64_t rows, cpu_ms;          //  charged so far
    int active;                     //  running now
} rs_webcost_stats_t;

typedef struct rs_webcost_t rs_webcost_t;

//  Fresh ledger, or NULL (out of memory).
rs_webcost_t *rs_webcost_new (const rs_webcost_opts_t *opts);
void rs_webcost_destroy (rs_webcost_t **self_p);

//  The client key of an address: "loopback" for every loopback address.
const char *rs_webcost_client (const char *remote_addr);

//  Admits one heavy request of `remote_addr` at now_ms, waiting up to
//  wait_ms for a slot when they are all taken (never for a budget).
//  Returns 0 with a ticket (and the calling thread's CPU clock read), else
//  the reason with v filled (counted; the caller answers and logs).
//  Thread-safe.
int rs_webcost_begin (rs_webcost_t *self, const char *remote_addr, int64_t now_ms, rs_webcost_ticket_t *ticket,
                      rs_webcost_verdict_t *v);
//  Ends a request begun in this same thread: frees its slot and charges
//  the rows it read plus the thread CPU time since rs_webcost_begin.
//  Returns the CPU milliseconds charged.
double rs_webcost_end (rs_webcost_t *self, rs_webcost_ticket_t *ticket, uint64_t rows, int64_t now_ms);
//  The same with the CPU time given (unit tests).
void rs_webcost_charge (rs_webcost_t *self, rs_webcost_ticket_t *ticket, uint64_t rows, double cpu_ms,
                        int64_t now_ms);

void rs_webcost_stats (rs_webcost_t *self, rs_webcost_stats_t *out);

//  Notes a response of `bytes` just sent and freed: from RS_WEBCOST_TRIM_BYTES
//  on, the heap should be given back to the system (glibc keeps freed
//  memory otherwise). rs_webcost_trim_due says so once, then clears it.
#define RS_WEBCOST_TRIM_BYTES (256 * 1024)
void rs_webcost_sent (rs_webcost_t *self, size_t bytes);
bool rs_webcost_trim_due (rs_webcost_t *self);

#endif
