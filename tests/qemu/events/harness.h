/*
 * Strix events test — the harness. Each case runs in a forked child (its own alarm,
 * its own process group), so a hang or crash fails that case only; the parent prints
 * one line per case (PASS/FAIL/SKIP) and a summary. Runs on Linux and as Strix's init.
 */
#ifndef EVENTS_HARNESS_H
#define EVENTS_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct test_case {
    const char* name;
    void (*run)(void);
};

#define CASE(name) static void case_##name(void)
#define CASE_ENTRY(name) \
    { #name, case_##name }

extern int g_verdict_fd;
void fail_at(const char* file, int line, const char* fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
void skip(const char* fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
const char* errno_name(int error);

#define CHECK(cond, ...)                                       \
    do {                                                       \
        if (!(cond)) fail_at(__FILE__, __LINE__, __VA_ARGS__); \
    } while (0)
#define CHECK_OK(expr)                                                                          \
    ({                                                                                          \
        long _value = (long)(expr);                                                             \
        if (_value < 0) fail_at(__FILE__, __LINE__, "%s failed: %s", #expr, errno_name(errno)); \
        _value;                                                                                 \
    })
#define CHECK_ERRNO(expr, expected)                                                                   \
    do {                                                                                              \
        errno = 0;                                                                                    \
        long _value = (long)(expr);                                                                   \
        int _error = errno;                                                                           \
        if (_value != -1 || _error != (expected))                                                     \
            fail_at(__FILE__, __LINE__, "%s: expected %s, got %ld (%s)", #expr, errno_name(expected), \
                    _value, errno_name(_error));                                                      \
    } while (0)

long long monotonic_ns(void);
void sleep_ms(long ms);
int wait_status(pid_t child);
/* Writes `size` bytes to a new file `name`. */
int write_file(const char* name, const char* data, size_t size);
int run_cases(const char* program, const struct test_case* cases, int count, int argc, char** argv);

#endif
