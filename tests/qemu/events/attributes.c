/* placeholder */
#include "cases.h"
const struct test_case attribute_cases[] = {{0, 0}};
const int attribute_case_count = 0;
