/* The C suites' two assertions: a failed check is reported with its line and counted, and the
 * program goes on, so one run shows every failure. */
#ifndef CALLBOARD_TEST_CHECK_H
#define CALLBOARD_TEST_CHECK_H

#include <stdio.h>

static int failures = 0;

#define CHECK(condition)                                                                  \
    do {                                                                                  \
        if (!(condition)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
            failures++;                                                                   \
        }                                                                                 \
    } while (0)

#define CHECK_STATUS(call, expected)                                                  \
    do {                                                                              \
        cb_status got_ = (call);                                                      \
        if (got_ != (expected)) {                                                     \
            fprintf(stderr, "%s:%d: %s returned %u (%s), expected %s\n", __FILE__,    \
                    __LINE__, #call, (unsigned)got_, cb_status_str(got_), #expected); \
            failures++;                                                               \
        }                                                                             \
    } while (0)

#endif
