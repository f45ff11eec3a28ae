/*  rs_webapi: time and list parameters, subscribe messages, static paths
    (nothing outside the tree), content types. Bad input first-class. */
#include <stdlib.h>

#include "rs_test.h"
#include "rs_webapi.h"

int
main (void)
{
    int64_t ts = 0;
    RS_CHECK_INT (rs_webapi_parse_time ("1700000000123456", &ts), 0);
    RS_CHECK_INT (ts, 1700000000123456LL);
    RS_CHECK_INT (rs_webapi_parse_time ("2023-11-14T22:13:20Z", &ts), 0);
    RS_CHECK_INT (ts, 1700000000000000LL);
    RS_CHECK_INT (rs_webapi_parse_time ("2023-11-14T22:13:20.5+01:00", &ts), 0);
    RS_CHECK_INT (ts, 1699996400500000LL);
    const char *bad_times[] = { "", "abc", "-5", "1.5", "12x", "2023-13-45T00:00:00Z", "99999999999999999999",
                                "7258118400000001", "2023-11-14T22:13:20Zjunk", NULL };
    for (int i = 0; bad_times[i]; i++)
        RS_CHECK_INT (rs_webapi_parse_time (bad_times[i], &ts), -1);
    RS_CHECK_INT (rs_webapi_parse_time (NULL, &ts), -1);
    //  Milliseconds or seconds since the epoch need their unit: bare, 10 to
    //  14 digits are refused rather than read as microseconds of 1970.
    RS_CHECK_INT (rs_webapi_parse_time ("1796506200000", &ts), RS_WEBAPI_TIME_UNIT);
    RS_CHECK_INT (rs_webapi_parse_time ("1796506200", &ts), RS_WEBAPI_TIME_UNIT);
    RS_CHECK_INT (rs_webapi_parse_time ("1796506200000ms", &ts), 0);
    RS_CHECK_INT (ts, 1796506200000000LL);
    RS_CHECK_INT (rs_webapi_parse_time ("1796506200s", &ts), 0);
    RS_CHECK_INT (ts, 1796506200000000LL);
    RS_CHECK_INT (rs_webapi_parse_time ("1796506200000000us", &ts), 0);
    RS_CHECK_INT (ts, 1796506200000000LL);
    RS_CHECK_INT (rs_webapi_parse_time ("0", &ts), 0);          //  small values stay microseconds
    RS_CHECK_INT (rs_webapi_parse_time ("ms", &ts), -1);
    RS_CHECK_INT (rs_webapi_parse_time ("5h", &ts), -1);
    RS_CHECK_INT (rs_webapi_parse_time ("99999999999999s", &ts), -1);   //  past 2200

    long v;
    RS_CHECK_INT (rs_webapi_parse_int ("500", 1, 10000, &v), 0);
    RS_CHECK_INT (v, 500);
    RS_CHECK_INT (rs_webapi_parse_int ("0", 1, 10000, &v), -1);
    RS_CHECK_INT (rs_webapi_parse_int ("10001", 1, 10000, &v), -1);
    RS_CHECK_INT (rs_webapi_parse_int ("-1", 1, 10000, &v), -1);
    RS_CHECK_INT (rs_webapi_parse_int ("1e3", 1, 10000, &v), -1);
    RS_CHECK_INT (rs_webapi_parse_int ("", 1, 10000, &v), -1);

    char names[4][RS_MAX_CHNAME + 1];
    size_t n;
    RS_CHECK_INT (rs_webapi_parse_channels ("hook_load,wob,vendor_gr", names, 4, &n), RS_OK);
    RS_CHECK_INT (n, 3);
    RS_CHECK_STR (names[2], "vendor_gr");
    RS_CHECK_INT (rs_webapi_parse_channels ("hook_load,,wob", names, 4, &n), RS_E_FORMAT);
    RS_CHECK_INT (rs_webapi_parse_channels ("Hook", names, 4, &n), RS_E_FORMAT);
    RS_CHECK (strstr (rs_errmsg (), "bad channel name"));
    RS_CHECK_INT (rs_webapi_parse_channels ("wob,wob", names, 4, &n), RS_E_FORMAT);
    RS_CHECK (strstr (rs_errmsg (), "twice"));
    RS_CHECK_INT (rs_webapi_parse_channels ("a,b,c,d,e", names, 4, &n), RS_E_FORMAT);
    RS_CHECK (strstr (rs_errmsg (), "too many"));
    RS_CHECK_INT (rs_webapi_parse_channels ("", names, 4, &n), RS_E_FORMAT);

    rs_hub_filter_t f;
    int64_t since;
    const char *ok = "{\"type\":\"subscribe\",\"wells\":[\"A-01\"],\"channels\":[\"spp\"],\"max_rate_hz\":5,"
                     "\"since\":\"2023-11-14T22:13:20Z\"}";
    RS_CHECK_INT (rs_webapi_parse_client_msg (ok, strlen (ok), &f, &since), RS_WEBAPI_MSG_SUBSCRIBE);
    RS_CHECK_INT (f.n_wells, 1);
    RS_CHECK_STR (f.wells[0], "A-01");
    RS_CHECK_STR (f.channels[0], "spp");
    RS_CHECK_NEAR (f.max_rate_hz, 5, 0);
    RS_CHECK_INT (since, 1700000000000000LL);
    const char *empty = "{\"type\":\"subscribe\",\"since\":1700000000000000}";
    RS_CHECK_INT (rs_webapi_parse_client_msg (empty, strlen (empty), &f, &since), 0);
    RS_CHECK_INT (f.n_wells + f.n_channels, 0);
    RS_CHECK_NEAR (f.max_rate_hz, RS_HUB_DEFAULT_RATE_HZ, 0);
    RS_CHECK_INT (since, 1700000000000000LL);
    const char *ping = "{\"type\":\"ping\"}";
    RS_CHECK_INT (rs_webapi_parse_client_msg (ping, strlen (ping), &f, &since), RS_WEBAPI_MSG_PING);
    const char *bad_msgs[] = {
        "not json", "[1,2]", "{\"type\":3}", "{\"type\":\"dance\"}",
        "{\"type\":\"subscribe\",\"wells\":\"A-01\"}", "{\"type\":\"subscribe\",\"wells\":[\"A.01\"]}",
        "{\"type\":\"subscribe\",\"channels\":[1]}", "{\"type\":\"subscribe\",\"channels\":[\"BAD\"]}",
        "{\"type\":\"subscribe\",\"max_rate_hz\":0}", "{\"type\":\"subscribe\",\"max_rate_hz\":1000}",
        "{\"type\":\"subscribe\",\"max_rate_hz\":\"2\"}", "{\"type\":\"subscribe\",\"since\":\"yesterday\"}",
        "{\"type\":\"subscribe\",\"since\":-1}", "{\"type\":\"subscribe\",\"colour\":\"red\"}",
        //  0 would read as "no history wanted": an error, never silence.
        "{\"type\":\"subscribe\",\"since\":0}", "{\"type\":\"subscribe\",\"since\":\"0\"}",
        "{\"type\":\"subscribe\",\"type\":\"subscribe\"}", NULL };
    for (int i = 0; bad_msgs[i]; i++) {
        rs_err_set (RS_OK, "%s", "");
        RS_CHECK_INT (rs_webapi_parse_client_msg (bad_msgs[i], strlen (bad_msgs[i]), &f, &since), -1);
        RS_CHECK (rs_errmsg ()[0] != 0);
    }

    char out[256];
    RS_CHECK_INT (rs_webapi_static_path ("/srv/fe", "/", out, sizeof out), 0);
    RS_CHECK_STR (out, "/srv/fe/index.html");
    RS_CHECK_INT (rs_webapi_static_path ("/srv/fe", "/vendor/uPlot.min.css", out, sizeof out), 0);
    RS_CHECK_STR (out, "/srv/fe/vendor/uPlot.min.css");
    RS_CHECK_INT (rs_webapi_static_path ("/srv/fe", "/app.v2..js", out, sizeof out), 0);
    const char *bad_paths[] = { "", "index.html", "/../etc/passwd", "/vendor/../../x", "/..", "/.env", "/a/.git/config",
                                "//etc/passwd", "/a\\b", "/a\nb", "/a/./b", NULL };
    for (int i = 0; bad_paths[i]; i++)
        RS_CHECK_INT (rs_webapi_static_path ("/srv/fe", bad_paths[i], out, sizeof out), -1);
    char tiny[8];
    RS_CHECK_INT (rs_webapi_static_path ("/srv/fe", "/index.html", tiny, sizeof tiny), -1);

    RS_CHECK_STR (rs_webapi_mime ("/x/app.js"), "text/javascript; charset=utf-8");
    RS_CHECK_STR (rs_webapi_mime ("/x/index.html"), "text/html; charset=utf-8");
    RS_CHECK_STR (rs_webapi_mime ("/x.d/README"), "application/octet-stream");

    //  The health model: a clean stop is not a fault, silence is.
    json_t *st = json_pack ("{s:{s:{s:{s:i}}, s:{s:{s:i}}}}", "components", "saver", "stats", "db_ok", 0, "slow",
                            "stats", "delay_ms", 60000);
    json_t *comps = json_pack ("{s:{s:b, s:s}, s:{s:b, s:s}, s:{s:b, s:s}, s:{s:b, s:s}, s:{s:b, s:s}}",
                               "replay", "up", 0, "state", "stopped", "lost", "up", 0, "state", "running",
                               "fine", "up", 1, "state", "running", "saver", "up", 1, "state", "running",
                               "slow", "up", 1, "state", "running");
    json_t *problems = rs_webapi_health (st, comps, 10.0);
    RS_CHECK_INT ((long long) json_array_size (problems), 3);
    RS_CHECK_STR (json_string_value (json_object_get (json_object_get (comps, "replay"), "health")), "stopped");
    RS_CHECK_STR (json_string_value (json_object_get (json_object_get (comps, "lost"), "health")), "down");
    RS_CHECK_STR (json_string_value (json_object_get (json_object_get (comps, "fine"), "health")), "up");
    RS_CHECK_STR (json_string_value (json_object_get (json_object_get (comps, "saver"), "health")), "sick");
    RS_CHECK_STR (json_string_value (json_object_get (json_object_get (comps, "slow"), "health")), "sick");
    json_decref (problems);
    problems = rs_webapi_health (NULL, comps, 10.0);
    RS_CHECK_STR (json_string_value (json_array_get (problems, 0)), "broker: does not answer STATUS");
    json_decref (problems);
    json_decref (comps);
    json_decref (st);
    //  Alarm request bodies: each field checked, errors name it.
    static const struct {
        const char *action, *body, *err;
    } alarm[] = {
        { "ack", "", "by: required" },
        { "ack", "{\"by\": \"\"}", "by: required" },
        { "ack", "{\"by\": 5}", "by: expected a string" },
        { "ack", "{\"by\": \"a\\u0001\"}", "by: control characters" },
        { "ack", "{\"by\": \"Ana\", \"reason\": \"x\"}", "reason: not a field" },
        { "ack", "[1]", "body: expected a JSON object" },
        { "shelve", "{\"by\": \"Ana\", \"minutes\": 10}", "reason: required" },
        { "shelve", "{\"by\": \"Ana\", \"reason\": \"r\", \"minutes\": 0}", "minutes: a whole number" },
        { "shelve", "{\"by\": \"Ana\", \"reason\": \"r\"}", "minutes: a whole number" },
        { "out_of_service", "{\"by\": \"Ana\", \"reason\": \" \"}", "reason: required" },
        { "unshelve", "{\"by\": \"Ana\", \"comment\": \"x\"}", "comment: not a field" },
    };
    for (size_t i = 0; i < sizeof alarm / sizeof alarm[0]; i++) {
        rs_err_set (RS_OK, "%s", "");
        json_t *req = rs_webapi_parse_alarm_body (alarm[i].action, alarm[i].body, strlen (alarm[i].body));
        RS_CHECK (req == NULL);
        RS_CHECK (strncmp (rs_errmsg (), alarm[i].err, strlen (alarm[i].err)) == 0);
        if (strncmp (rs_errmsg (), alarm[i].err, strlen (alarm[i].err)) != 0)
            fprintf (stderr, "  %s %s: %s\n", alarm[i].action, alarm[i].body, rs_errmsg ());
        json_decref (req);
    }
    const char *good = "{\"by\": \"Ana Lima\", \"reason\": \"sensor swap\", \"minutes\": 720}";
    json_t *req = rs_webapi_parse_alarm_body ("shelve", good, strlen (good));
    RS_CHECK (req && strcmp (json_string_value (json_object_get (req, "cmd")), "shelve") == 0);
    RS_CHECK (json_integer_value (json_object_get (req, "minutes")) == 720);
    json_decref (req);
    return RS_TEST_DONE ();
}
