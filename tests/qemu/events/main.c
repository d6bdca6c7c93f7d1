/* Strix events test — runs every part (waiting, timers, locks, attributes, file calls). */
#include "cases.h"

int main(int argc, char** argv) {
    static struct test_case all[256];
    int count = 0;
    for (int i = 0; i < waiting_case_count; i++) all[count++] = waiting_cases[i];
    return run_cases("events", all, count, argc, argv);
}
