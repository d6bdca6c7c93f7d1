/* Strix events test — the case lists of each part. */
#ifndef EVENTS_CASES_H
#define EVENTS_CASES_H

#include "harness.h"

extern const struct test_case waiting_cases[];
extern const int waiting_case_count;
extern const struct test_case timer_cases[];
extern const int timer_case_count;
extern const struct test_case lock_cases[];
extern const int lock_case_count;
extern const struct test_case attribute_cases[];
extern const int attribute_case_count;
extern const struct test_case file_call_cases[];
extern const int file_call_case_count;

#endif
