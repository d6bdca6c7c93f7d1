#!/usr/bin/env python3
"""The events test program (tests/qemu/events/: poll, select, epoll, eventfd, signalfd,
timerfd, interval and POSIX timers, record locks, flock, extended attributes and the
remaining file calls), built static with musl-gcc, run as init of a Strix initramfs —
or, with --host, on the Linux that runs the tests, which checks the program itself.

    test_events.py KERNEL          boot Strix with the program as /init
    test_events.py --host          run the program here
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from benchlib.cpio import NewcArchive  # noqa: E402
from harness import Qemu, check, run  # noqa: E402

SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "events")
SOURCES = ["harness.c", "main.c", "waiting.c", "timers.c", "locks.c", "attributes.c", "file_calls.c"]


def build(work):
    """Compiles the program; the kernel's UAPI headers come from the host's linux-libc-dev."""
    include = os.path.join(work, "include")
    os.makedirs(include)
    for name, target in [("linux", "/usr/include/linux"), ("asm-generic", "/usr/include/asm-generic"),
                         ("asm", "/usr/include/x86_64-linux-gnu/asm")]:
        os.symlink(target, os.path.join(include, name))
    binary = os.path.join(work, "events_test")
    command = ["musl-gcc", "-static", "-O1", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror",
               "-idirafter", include, "-o", binary] + [os.path.join(SOURCE_DIR, s) for s in SOURCES]
    subprocess.run(command, check=True)
    return binary


def summarize(text):
    failures = re.findall(r"^FAIL .*$", text, re.MULTILINE)
    summary = re.search(r"SUMMARY events passed=(\d+) failed=(\d+) skipped=(\d+)", text)
    check(summary is not None, "no SUMMARY line")
    passed, failed, skipped = (int(x) for x in summary.groups())
    check(failed == 0 and not failures, f"{failed} case(s) failed:\n" + "\n".join(failures))
    check(passed > 0, "no case passed")
    print(f"events: {passed} passed, {skipped} skipped")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel", nargs="?")
    parser.add_argument("--host", action="store_true")
    parser.add_argument("--memory", default="256M")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        binary = build(work)
        if args.host:
            result = subprocess.run([binary], capture_output=True, text=True, timeout=600)
            print(result.stdout, end="")
            summarize(result.stdout)
            return
        archive = NewcArchive()
        for directory in ["dev", "tmp", "proc"]:
            archive.directory(directory)
        archive.char_device("dev/console", 5, 1)
        with open(binary, "rb") as program:
            archive.file("init", program.read(), 0o755)
        initrd = os.path.join(work, "initrd.cpio")
        with open(initrd, "wb") as out:
            out.write(archive.bytes())
        with Qemu(args.kernel, append="console=ttyS0", initrd=initrd, memory=args.memory, timeout=500,
                  name="events") as vm:
            vm.expect(r"SUMMARY events passed=\d+ failed=\d+ skipped=\d+", timeout=480)
            summarize(vm.text())
            vm.expect_absent(r"Kernel panic|UBSAN|BUG:", within=0.5)


run(main)
