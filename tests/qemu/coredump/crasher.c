/* A crasher for tests/qemu/test_coredump.py: a second thread waits on a pipe while the
 * main thread dies of SIGSEGV three named frames deep, so gdb on the host has a backtrace
 * and two threads to show. Built static with musl-gcc -g -O0. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int g_pipe[2];
volatile int g_marker = 0x5715c0de;

static void* waiter(void* unused) {
    (void)unused;
    char byte;
    (void)read(g_pipe[0], &byte, 1);
    return NULL;
}

__attribute__((noinline)) static void crash_here(int* pointer) { *pointer = g_marker; }
__attribute__((noinline)) static void middle(int* pointer) { crash_here(pointer); }

int main(void) {
    pthread_t thread;
    if (pipe(g_pipe) != 0 || pthread_create(&thread, NULL, waiter, NULL) != 0) return 2;
    usleep(50000);
    middle((int*)16);
    return 0;
}
