/* Strix events test — the case lists of each part. */
#ifndef EVENTS_CASES_H
#define EVENTS_CASES_H

#include "harness.h"

extern const struct test_case waiting_cases[];
extern const int waiting_case_count;

#endif
