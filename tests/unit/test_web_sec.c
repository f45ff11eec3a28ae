/*  The web bridge's access rules (rs_websec) and request-body and query
    parsing (rs_webapi): tokens, loopback, origins, rate limit, ack and
    threshold bodies, query strings. */
#include <jansson.h>
#include <string.h>

#include "rs_test.h"
#include "rs_webapi.h"
#include "rs_websec.h"

int
main (void)
{
    //  Loopback or not.
    const char *loop[] = { "127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", NULL };
    for (int i = 0; loop[i]; i++)
        RS_CHECK (rs_websec_host_is_loopback (loop[i]));
    const char *open[] = { "0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "rig-pc", "", "128.0.0.1", "::ffff:127.0.0.1x",
                           NULL };
    for (int i = 0; open[i]; i++)
        RS_CHECK (!rs_websec_host_is_loopback (open[i]));
    RS_CHECK (!rs_websec_host_is_loopback (NULL));

    //  Tokens.
    RS_CHECK (rs_websec_token_equal ("0123456789abcdef", "0123456789abcdef"));
    RS_CHECK (!rs_websec_token_equal ("0123456789abcdeF", "0123456789abcdef"));
    RS_CHECK (!rs_websec_token_equal ("0123456789abcde", "0123456789abcdef"));
    RS_CHECK (!rs_websec_token_equal ("0123456789abcdef0", "0123456789abcdef"));
    RS_CHECK (!rs_websec_token_equal ("", "0123456789abcdef"));
    RS_CHECK (!rs_websec_token_equal ("", ""));
    RS_CHECK (!rs_websec_token_equal (NULL, "x"));
    RS_CHECK_STR (rs_websec_bearer ("Bearer abc"), "abc");
    RS_CHECK_STR (rs_websec_bearer ("bearer   abc"), "abc");
    RS_CHECK (rs_websec_bearer ("Basic abc") == NULL);
    RS_CHECK (rs_websec_bearer ("Bearerabc") == NULL);
    RS_CHECK (rs_websec_bearer ("Bearer ") == NULL);
    RS_CHECK (rs_websec_bearer (NULL) == NULL);

    //  Who may do what.
    rs_websec_policy_t none = { NULL, "" };
    RS_CHECK_INT (rs_websec_check (&none, true, NULL), RS_WEBSEC_ALLOW);
    RS_CHECK_INT (rs_websec_check (&none, false, "junk"), RS_WEBSEC_ALLOW);
    rs_websec_policy_t wo = { NULL, "write-token-0123456" };
    RS_CHECK_INT (rs_websec_check (&wo, false, NULL), RS_WEBSEC_ALLOW);
    RS_CHECK_INT (rs_websec_check (&wo, true, NULL), RS_WEBSEC_UNAUTHORIZED);
    RS_CHECK_INT (rs_websec_check (&wo, true, "nope"), RS_WEBSEC_UNAUTHORIZED);
    RS_CHECK_INT (rs_websec_check (&wo, true, "write-token-0123456"), RS_WEBSEC_ALLOW);
    rs_websec_policy_t rw = { "read-token-0123456", "write-token-0123456" };
    RS_CHECK_INT (rs_websec_check (&rw, false, NULL), RS_WEBSEC_UNAUTHORIZED);
    RS_CHECK_INT (rs_websec_check (&rw, false, "read-token-0123456"), RS_WEBSEC_ALLOW);
    RS_CHECK_INT (rs_websec_check (&rw, false, "write-token-0123456"), RS_WEBSEC_ALLOW);
    RS_CHECK_INT (rs_websec_check (&rw, true, "read-token-0123456"), RS_WEBSEC_FORBIDDEN);
    RS_CHECK_INT (rs_websec_check (&rw, true, "write-token-0123456"), RS_WEBSEC_ALLOW);
    RS_CHECK_INT (rs_websec_check (&rw, false, "read-token-012345"), RS_WEBSEC_UNAUTHORIZED);

    //  Host names (DNS rebinding) and origins.
    rs_websec_hosts_t lo = { 8080, "127.0.0.1", "rig-pc, dash:443" };
    RS_CHECK (rs_websec_host_allowed ("127.0.0.1:8080", &lo));
    RS_CHECK (rs_websec_host_allowed ("LOCALHOST:8080", &lo));
    RS_CHECK (rs_websec_host_allowed ("[::1]:8080", &lo));
    RS_CHECK (rs_websec_host_allowed ("127.0.0.1", &lo));
    RS_CHECK (rs_websec_host_allowed ("rig-pc:8080", &lo));
    RS_CHECK (rs_websec_host_allowed ("dash:443", &lo));
    RS_CHECK (!rs_websec_host_allowed ("dash:8080", &lo));
    RS_CHECK (!rs_websec_host_allowed ("127.0.0.1:9999", &lo));
    RS_CHECK (!rs_websec_host_allowed ("evil.example:8080", &lo));
    RS_CHECK (!rs_websec_host_allowed ("localhost.evil.example:8080", &lo));
    RS_CHECK (!rs_websec_host_allowed ("10.0.0.5:8080", &lo));
    RS_CHECK (!rs_websec_host_allowed ("::1", &lo));
    RS_CHECK (!rs_websec_host_allowed ("", &lo));
    RS_CHECK (!rs_websec_host_allowed (NULL, &lo));
    RS_CHECK (!rs_websec_host_allowed ("127.0.0.1:8080/x", &lo));
    RS_CHECK (!rs_websec_host_allowed ("127.0.0.1:80800", &lo));
    rs_websec_hosts_t any = { 8080, "0.0.0.0", NULL };
    RS_CHECK (rs_websec_host_allowed ("10.0.0.5:8080", &any));
    RS_CHECK (!rs_websec_host_allowed ("rig-pc:8080", &any));
    rs_websec_hosts_t lan = { 8080, "10.0.0.5", NULL };
    RS_CHECK (rs_websec_host_allowed ("10.0.0.5:8080", &lan));
    RS_CHECK (!rs_websec_host_allowed ("10.0.0.6:8080", &lan));
    RS_CHECK (rs_websec_origin_allowed ("http://127.0.0.1:8080", false, &lo, "", false));
    RS_CHECK (rs_websec_origin_allowed ("HTTP://Rig-PC:8080", false, &lo, NULL, false));
    RS_CHECK (!rs_websec_origin_allowed ("https://127.0.0.1:8080", false, &lo, "", false));
    RS_CHECK (rs_websec_origin_allowed ("https://127.0.0.1:8080", true, &lo, "", false));
    RS_CHECK (!rs_websec_origin_allowed ("http://evil.example:8080", false, &lo, "", false));
    RS_CHECK (!rs_websec_origin_allowed ("http://127.0.0.1:8080.evil", false, &lo, "", false));
    RS_CHECK (!rs_websec_origin_allowed ("null", false, &lo, "", false));
    RS_CHECK (!rs_websec_origin_allowed (NULL, false, &lo, "", false));
    RS_CHECK (rs_websec_origin_allowed ("http://ops:9000", false, &lo, "http://a:1, http://ops:9000", false));
    RS_CHECK (!rs_websec_origin_allowed ("http://ops:900", false, &lo, "http://a:1,http://ops:9000", false));
    RS_CHECK (rs_websec_origin_allowed ("http://anything", false, &lo, "*", true));
    RS_CHECK (!rs_websec_origin_allowed ("http://anything", false, &lo, "*", false));
    RS_CHECK_INT (rs_websec_hosts_valid ("rig-pc,dash:443, [fe80::1]:8080"), RS_OK);
    RS_CHECK_INT (rs_websec_hosts_valid ("http://rig-pc"), RS_E_CONFIG);
    RS_CHECK_INT (rs_websec_hosts_valid ("rig/pc"), RS_E_CONFIG);
    RS_CHECK_INT (rs_websec_hosts_valid ("*"), RS_E_CONFIG);
    RS_CHECK_INT (rs_websec_origins_valid (""), RS_OK);
    RS_CHECK_INT (rs_websec_origins_valid ("*"), RS_OK);
    RS_CHECK_INT (rs_websec_origins_valid ("http://10.0.0.5:8080,https://dash"), RS_OK);
    RS_CHECK_INT (rs_websec_origins_valid ("10.0.0.5:8080"), RS_E_CONFIG);
    RS_CHECK_INT (rs_websec_origins_valid ("http://a/path"), RS_E_CONFIG);
    RS_CHECK_INT (rs_websec_origins_valid ("http://"), RS_E_CONFIG);

    //  Rate limit: 10 at once, then 2 per second.
    rs_ratelimit_t *rl = rs_ratelimit_new (2, 10, 4);
    RS_CHECK (rl != NULL);
    for (int i = 0; i < 10; i++)
        RS_CHECK_INT (rs_ratelimit_take (rl, "10.0.0.1", 1000), 0);
    RS_CHECK_INT (rs_ratelimit_take (rl, "10.0.0.1", 1000), 1);
    RS_CHECK_INT (rs_ratelimit_take (rl, "10.0.0.2", 1000), 0);     //  others unaffected
    RS_CHECK_INT (rs_ratelimit_take (rl, "10.0.0.1", 1500), 0);     //  one token back after 0.5 s
    RS_CHECK (rs_ratelimit_take (rl, "10.0.0.1", 1500) >= 1);
    //  More addresses than slots: the oldest is forgotten (gets a fresh burst).
    for (int i = 0; i < 8; i++) {
        char key[32];
        snprintf (key, sizeof key, "10.1.0.%d", i);
        RS_CHECK_INT (rs_ratelimit_take (rl, key, 2000 + i), 0);
    }
    RS_CHECK_INT (rs_ratelimit_take (rl, "10.0.0.1", 3000), 0);
    rs_ratelimit_destroy (&rl);
    RS_CHECK (rl == NULL);
    rs_ratelimit_t *off = rs_ratelimit_new (0, 0, 4);
    for (int i = 0; i < 100; i++)
        RS_CHECK_INT (rs_ratelimit_take (off, "x", 1), 0);
    rs_ratelimit_destroy (&off);

    //  Query strings.
    rs_webapi_params_t p;
    RS_CHECK_INT (rs_webapi_parse_query ("well=A-01&from=2026-01-01T00%3A00%3A00Z&channels=wob,rpm", &p), RS_OK);
    RS_CHECK_INT (p.n, 3);
    RS_CHECK_STR (rs_webapi_param (&p, "from"), "2026-01-01T00:00:00Z");
    RS_CHECK (rs_webapi_param (&p, "to") == NULL);
    RS_CHECK_INT (rs_webapi_parse_query (NULL, &p), RS_OK);
    RS_CHECK_INT (p.n, 0);
    RS_CHECK_INT (rs_webapi_parse_query ("well=a%00b", &p), RS_E_FORMAT);
    RS_CHECK_INT (rs_webapi_parse_query ("well=a&well=b", &p), RS_E_FORMAT);
    RS_CHECK_INT (rs_webapi_parse_query ("a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15&p=16&q=17",
                                         &p), RS_E_FORMAT);
    char longkey[100];
    memset (longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = 0;
    RS_CHECK_INT (rs_webapi_parse_query (longkey, &p), RS_E_FORMAT);
    static const char *const allowed[] = { "well", NULL };
    RS_CHECK_INT (rs_webapi_parse_query ("well=x&%01bad=1", &p), RS_OK);
    RS_CHECK_INT (rs_webapi_check_params (&p, allowed), RS_E_FORMAT);
    RS_CHECK (strstr (rs_errmsg (), "'?bad'") != NULL);

    //  URL paths arrive still encoded.
    char path[64];
    RS_CHECK_INT (rs_webapi_decode_path ("/a%20b/%2e%2e", path, sizeof path), 0);
    RS_CHECK_STR (path, "/a b/..");
    RS_CHECK_INT (rs_webapi_decode_path ("/index.html%00.txt", path, sizeof path), -1);
    RS_CHECK_INT (rs_webapi_decode_path ("/%00", path, sizeof path), -1);
    char longpath[100];
    memset (longpath, 'p', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = 0;
    RS_CHECK_INT (rs_webapi_decode_path (longpath, path, sizeof path), -1);

    //  History range.
    const char *defaults[] = { "hook_load", "wob" };
    rs_webapi_range_t r;
    RS_CHECK_INT (rs_webapi_parse_query ("well=A-01", &p), RS_OK);
    RS_CHECK_INT (rs_webapi_parse_range (&p, 7200000000, 3600, defaults, 2, &r), RS_OK);
    RS_CHECK_INT (r.from_us, 3600000000);
    RS_CHECK_INT (r.n_channels, 2);
    RS_CHECK_STR (r.names[1], "wob");
    RS_CHECK_INT (rs_webapi_parse_query ("well=A-01&from=20&to=10", &p), RS_OK);
    RS_CHECK_INT (rs_webapi_parse_range (&p, 7200000000, 3600, defaults, 2, &r), RS_E_FORMAT);
    RS_CHECK_INT (rs_webapi_parse_query ("from=1", &p), RS_OK);
    RS_CHECK_INT (rs_webapi_parse_range (&p, 7200000000, 3600, defaults, 2, &r), RS_E_FORMAT);

    //  Acknowledge bodies.
    char by[RS_WEBAPI_MAX_BY + 1];
    RS_CHECK_INT (rs_webapi_parse_ack_body ("", 0, by, sizeof by), RS_OK);
    RS_CHECK_STR (by, "");
    const char *good = "{\"by\":\"driller\"}";
    RS_CHECK_INT (rs_webapi_parse_ack_body (good, strlen (good), by, sizeof by), RS_OK);
    RS_CHECK_STR (by, "driller");
    const char *bad_ack[] = { "[]", "{\"by\":1}", "{\"by\":\"a\\u0000b\"}", "{\"by\":\"a\\nb\"}", "{\"by\":\"x\",\"y\":1}",
                              "{\"by\":\"x\",\"by\":\"y\"}", "{", "\xff\xfe", "{\"by\":\"\xc3\x28\"}",
                              "{\"by\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", NULL };
    for (int i = 0; bad_ack[i]; i++) {
        rs_err_set (RS_OK, "%s", "");
        RS_CHECK_INT (rs_webapi_parse_ack_body (bad_ack[i], strlen (bad_ack[i]), by, sizeof by), RS_E_FORMAT);
        RS_CHECK (rs_errmsg ()[0] != 0);
    }

    //  Threshold bodies.
    const char *rules = "{\"rules\":[{\"channel\":\"wob\"}],\"save\":false}";
    json_t *req = rs_webapi_parse_thresholds_body (rules, strlen (rules));
    RS_CHECK (req != NULL);
    RS_CHECK_STR (json_string_value (json_object_get (req, "cmd")), "set_thresholds");
    json_decref (req);
    const char *bad_rules[] = { "", "[]", "{\"rules\":{}}", "{\"rules\":[],\"cmd\":\"quit\"}", "{\"rules\":[],\"save\":1}",
                                "{\"rules\":[1e999999]}", "{\"rules\":[]", NULL };
    for (int i = 0; bad_rules[i]; i++) {
        rs_err_set (RS_OK, "%s", "");
        RS_CHECK (rs_webapi_parse_thresholds_body (bad_rules[i], strlen (bad_rules[i])) == NULL);
        RS_CHECK (rs_errmsg ()[0] != 0);
    }
    RS_CHECK (rs_webapi_json_depth_ok ("[[{}]]", 6, 3));
    RS_CHECK (!rs_webapi_json_depth_ok ("[[{}]]", 6, 2));
    const char *in_string = "[\"[[[[\"]", *escaped = "[\"\\\"[[\"]";
    RS_CHECK (rs_webapi_json_depth_ok (in_string, strlen (in_string), 1));   //  brackets in strings do not count
    RS_CHECK (rs_webapi_json_depth_ok (escaped, strlen (escaped), 1));       //  nor after an escaped quote
    RS_CHECK (!rs_webapi_json_depth_ok ("[\"\\\\\"[[", 7, 1));           //  an escaped backslash ends no string
    //  Deep nesting is refused before the (recursive) parser sees it.
    char deep[6000];
    size_t n = 0;
    n += (size_t) snprintf (deep, sizeof deep, "{\"rules\":");
    while (n < 2900)
        deep[n++] = '[';
    while (n < sizeof deep - 2)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = 0;
    RS_CHECK (rs_webapi_parse_thresholds_body (deep, strlen (deep)) == NULL);
    return RS_TEST_DONE ();
}
