#!/usr/bin/env python3
"""Terminals, driven like a person at the serial console: boots a busybox initramfs whose
init starts `setsid cttyhack sh` (a session leader with /dev/ttyS0 as its controlling
terminal, so ash has job control), then types at the shell — line editing, ^C on a
foreground `sleep`, background jobs, ^Z with fg/bg, TOSTOP and background reads,
`stty -a`, `stty raw -echo` and back, the kernel's own canonical editing under `head`,
`tty` — and runs tests/qemu/tty/pty_test.c (built here with musl-gcc -static) for
pseudo-terminals. Last, the shell (the session leader) exits: the kernel hangs up the
terminal, its foreground process group gets SIGHUP, and init's next shell opens the
terminal afresh.

    test_tty.py KERNEL [--conformance DIR]

With --conformance, DIR holds the conformance suite's builds (glibc/tty, musl/tty) and
only they are run, each printing its case lines; that needs poll(2), and without it the
test reports itself skipped (exit status 77).
"""
import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
from benchlib.cpio import NewcArchive  # noqa: E402
from harness import Qemu, check, run  # noqa: E402

SKIPPED = 77
PROMPT = "strix# "
APPLETS = ["sh", "setsid", "cttyhack", "sleep", "stty", "tty", "echo", "cat", "head", "kill", "mount",
           "poweroff", "true", "mkdir"]

# Init runs a new session on the console's real device whenever the last one ended (sh -c
# first, so that setsid runs in a process that is not a group leader and need not fork).
# /dev has static nodes (no devtmpfs needed) including /dev/pts/0..7; devpts is mounted on
# /dev/pts when the kernel can mount, and either way ptsname's /dev/pts/N opens the slave.
INIT = """#!/bin/sh
export PATH=/bin PS1='{prompt}' HOME=/ CONFORMANCE_TMPDIR=/tmp CONFORMANCE_TIMEOUT_SCALE=10
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
echo "tty-init: ready"
while true; do
    sh -c 'exec setsid cttyhack sh'
    echo "tty-init: session ended"
done
"""


def build_initramfs(path, programs):
    archive = NewcArchive()
    for directory in ["bin", "dev", "dev/pts", "proc", "tmp", "etc"]:
        archive.directory(directory)
    archive.char_device("dev/console", 5, 1)
    archive.char_device("dev/tty", 5, 0, 0o666)
    archive.char_device("dev/ttyS0", 4, 64)
    archive.char_device("dev/ptmx", 5, 2, 0o666)
    # ash gives background jobs /dev/null as stdin; an empty file serves until the kernel
    # has a null device.
    archive.file("dev/null", b"", 0o666)
    for index in range(8):
        archive.char_device(f"dev/pts/{index}", 136, index, 0o620)
    with open("/bin/busybox", "rb") as f:
        archive.file("bin/busybox", f.read(), 0o755)
    for applet in APPLETS:
        archive.symlink(f"bin/{applet}", "busybox")
    for name, program in programs.items():
        with open(program, "rb") as f:
            archive.file(f"bin/{name}", f.read(), 0o755)
    archive.file("init", INIT.format(prompt=PROMPT).encode(), 0o755)
    with open(path, "wb") as f:
        f.write(gzip.compress(archive.bytes(), compresslevel=6, mtime=0))


def build_pty_test(work):
    compiler = shutil.which("musl-gcc")
    check(compiler is not None, "musl-gcc not found (Debian package musl-tools)")
    output = os.path.join(work, "pty_test")
    subprocess.run([compiler, "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", output,
                    os.path.join(HERE, "tty", "pty_test.c")], check=True)
    return output


class Console:
    """The shell at the other end of the serial line."""

    def __init__(self, vm):
        self.vm = vm

    def mark(self):
        return len(self.vm.text())

    def type(self, keys, expect=None, timeout=30, prompt=True):
        """Sends keys; waits for `expect` (a regex, matched after this point) and then the
        prompt. Returns the match."""
        start = self.mark()
        self.vm.send(keys)
        match = self.vm.expect(expect, timeout=timeout, start=start) if expect else None
        if prompt:
            self.vm.expect(re.escape(PROMPT), timeout=timeout, start=match.end() if match else start)
        return match

    def run(self, command, expect=None, timeout=30):
        return self.type(command + "\r", expect, timeout)

    def wait_for_job(self, pattern, since=None, attempts=20):
        """Runs `jobs` until the shell's reports (since `since`, a mark) match: a job just
        put in the background may not have run yet."""
        for _ in range(attempts):
            start = self.mark() if since is None else since
            self.run("jobs")
            match = re.search(pattern, self.vm.text()[start:], re.MULTILINE)
            if match:
                return match
            time.sleep(0.5)
        check(False, f"jobs never reported /{pattern}/")

    def start(self, command, marker):
        """Starts a foreground command that prints `marker` once running (no prompt)."""
        self.type(f"echo {marker}; {command}\r", rf"^{marker}$", prompt=False)
        time.sleep(1.5)  # let the shell hand the terminal to the command


def interactive(vm):
    console = Console(vm)
    vm.expect(r"tty-init: ready", timeout=60)
    vm.expect(re.escape(PROMPT), timeout=60)

    # Typing and line editing (the shell edits; DEL erases).
    console.run("echo hello", r"^hello$")
    console.type("echo abcx\x7fd\r", r"^abcd$")
    console.run("tty", r"^/dev/ttyS0$")

    # The kernel's canonical editing: `head` reads a line the tty assembled.
    console.type("head -n 1\r", prompt=False)
    time.sleep(1.5)
    console.type("wxyz\x7f\x7fab\r", r"^wxab$")

    # ^C interrupts the foreground job, not the shell.
    console.start("sleep 100", "sleeping")
    console.type("\x03", r"\^C", timeout=10)
    console.run("echo status=$?", r"^status=130$")

    # Background jobs.
    console.run("sleep 100 &")
    console.wait_for_job(r"^\[1\]\+\s+Running\s+sleep 100$")
    killed = console.mark()
    console.run("kill %1")
    console.wait_for_job(r"Terminated\s+sleep 100", since=killed)

    # ^Z stops the foreground job; bg and fg continue it.
    console.start("sleep 100", "sleeping")
    console.type("\x1a", r"\[1\]\+\s+Stopped\s+sleep 100", timeout=10)
    console.run("jobs", r"^\[1\]\+\s+Stopped\s+sleep 100$")
    console.run("bg", r"^\[1\] sleep 100$")
    console.wait_for_job(r"^\[1\]\+\s+Running\s+sleep 100$")
    console.type("fg\r", r"^sleep 100$", prompt=False)
    time.sleep(1.5)
    console.type("\x03", r"\^C", timeout=10)

    # A background job reading stops (SIGTTIN); writing does with TOSTOP (SIGTTOU).
    console.run("cat &")
    console.wait_for_job(r"Stopped \(tty input\)\s+cat")
    console.run("kill -9 %1")
    console.run("stty tostop")
    console.run("echo background-output &")
    console.wait_for_job(r"Stopped \(tty output\)\s+echo background-output")
    console.run("fg", r"^background-output$")
    console.run("stty -tostop")

    # Settings and window size.
    console.run("stty rows 30 cols 100")
    console.run("stty size", r"^30 100$")
    console.run("stty -a", r"^speed 115200 baud; rows 30; columns 100; line = 0;$")
    console.run("stty -a", r"^isig icanon iexten echo echoe echok -echonl -noflsh -xcase -tostop ")
    # Raw mode: no ICRNL, so lines end with ^J until cooked mode is back.
    console.run("stty raw -echo")
    console.type("stty -a\n", r"^-isig -icanon iexten -echo echoe echok ")
    console.type("echo raw-mode\n", r"^raw-mode$")
    console.type("stty -raw echo\n")
    console.run("stty -a", r"^isig icanon iexten echo ")
    console.run("echo cooked-again", r"^cooked-again$")

    # Pseudo-terminals.
    console.run("pty_test", r"^PTY-TEST: done passed=\d+ failed=0$", timeout=120)
    text = vm.text()
    check("PTY FAIL" not in text, "pty_test reported failures")

    # The session leader exits: SIGHUP reaches its foreground process group (here a
    # subshell of the leader that records it), and the terminal works for the next session.
    console.type("exec sh -c '(trap \"echo got-hup > /tmp/hangup; exit\" HUP; sleep 20) & sleep 1; exit 0'\r",
                 r"tty-init: session ended", timeout=60)
    console.run("cat /tmp/hangup", r"^got-hup$")
    console.run("tty", r"^/dev/ttyS0$")
    console.type("poweroff -f\r", prompt=False)


def conformance(vm, programs):
    console = Console(vm)
    vm.expect(re.escape(PROMPT), timeout=60)
    console.run("pty_test", r"^PTY-TEST: done", timeout=120)
    if "PTY-TEST: no poll(2) in this kernel" in vm.text():
        return False
    for name in programs:
        match = console.run(name, r"^SUMMARY tty passed=(\d+) failed=(\d+)", timeout=300)
        check(match.group(2) == "0", f"{name}: {match.group(2)} case(s) failed")
    console.type("poweroff -f\r", prompt=False)
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    parser.add_argument("--conformance", help="the conformance suite's build directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        programs = {"pty_test": build_pty_test(work)}
        if args.conformance:
            for variant in ["glibc", "musl"]:
                path = os.path.join(args.conformance, variant, "tty")
                if os.path.exists(path):
                    programs[f"conformance_tty_{variant}"] = path
            check(len(programs) > 1, f"no conformance tty programs under {args.conformance}")
        initrd = os.path.join(work, "initrd.cpio.gz")
        build_initramfs(initrd, programs)
        name = "tty_conformance" if args.conformance else "tty"
        with Qemu(args.kernel, append="console=ttyS0 quiet", initrd=initrd, timeout=600, name=name) as vm:
            if args.conformance:
                if not conformance(vm, [p for p in programs if p.startswith("conformance")]):
                    print("SKIP: this kernel has no poll(2), which the conformance tty program needs")
                    sys.exit(SKIPPED)
            else:
                interactive(vm)
            vm.wait_exit(timeout=60)
            text = vm.text()
            check("UBSAN:" not in text, "the kernel reported undefined behaviour")
            check("Kernel panic" not in text, "the kernel panicked")


run(main)
