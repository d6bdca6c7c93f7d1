/* Strix events test — runs every part (waiting, timers, locks, attributes, file calls). */
#include "cases.h"

int main(int argc, char** argv) {
    static struct test_case all[256];
    int count = 0;
    for (int i = 0; i < waiting_case_count; i++) all[count++] = waiting_cases[i];
    for (int i = 0; i < timer_case_count; i++) all[count++] = timer_cases[i];
    for (int i = 0; i < lock_case_count; i++) all[count++] = lock_cases[i];
    for (int i = 0; i < attribute_case_count; i++) all[count++] = attribute_cases[i];
    for (int i = 0; i < file_call_case_count; i++) all[count++] = file_call_cases[i];
    return run_cases("events", all, count, argc, argv);
}
