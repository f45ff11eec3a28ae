/*  rs_test: the few macros the unit tests need. Each test binary exits non-zero
    when any check failed and prints one line per failure with file:line. */
#ifndef RS_TEST_H
#define RS_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int rs_test_failures = 0;
static int rs_test_checks = 0;

#define RS_CHECK(cond) do { rs_test_checks++; if (!(cond)) { rs_test_failures++; \
    fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define RS_CHECK_INT(a, b) do { long long _a = (long long) (a), _b = (long long) (b); rs_test_checks++; \
    if (_a != _b) { rs_test_failures++; fprintf (stderr, "%s:%d: %s == %lld, expected %lld\n", \
    __FILE__, __LINE__, #a, _a, _b); } } while (0)
#define RS_CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); rs_test_checks++; \
    if (!_a || !_b || strcmp (_a, _b) != 0) { rs_test_failures++; fprintf (stderr, \
    "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, _a ? _a : "(null)", \
    _b ? _b : "(null)"); } } while (0)
#define RS_CHECK_NEAR(a, b, tol) do { double _a = (a), _b = (b); rs_test_checks++; \
    if (!(fabs (_a - _b) <= (tol))) { rs_test_failures++; fprintf (stderr, \
    "%s:%d: %s == %g, expected %g +- %g\n", __FILE__, __LINE__, #a, _a, _b, (double) (tol)); } } while (0)

#define RS_TEST_DONE() (fprintf (stderr, "%s: %d checks, %d failed\n", __FILE__, \
    rs_test_checks, rs_test_failures), rs_test_failures ? 1 : 0)

#endif
