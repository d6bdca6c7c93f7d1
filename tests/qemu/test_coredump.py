#!/usr/bin/env python3
"""Core dumps end to end: boots the rescue initramfs with a static musl crasher
(coredump/crasher.c: two threads, a SIGSEGV three frames deep), lets it dump core in /tmp
from the busybox shell, copies the core out over the serial console (gzip | base64), and
has the host's readelf and gdb read it: the notes, both threads, the signal and a backtrace
through the crasher's named functions. Needs musl-tools, binutils and gdb."""
import argparse
import base64
import gzip
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from harness import Qemu, check, run  # noqa: E402
import make_rescue_initramfs  # noqa: E402
from rescue_shell import Shell  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def build_crasher(work):
    path = os.path.join(work, "crasher")
    subprocess.run(["musl-gcc", "-static", "-g", "-O0", "-pthread", "-o", path,
                    os.path.join(HERE, "coredump", "crasher.c")], check=True)
    return path


def fetch_core(shell, vm, work):
    """The shell prints the gzipped core in base64 between markers; returns its path."""
    lines = shell.ok("echo __CORE_BEGIN__; gzip -c core | base64; echo __CORE_END__", timeout=300)
    begin, end = lines.index("__CORE_BEGIN__"), lines.index("__CORE_END__")
    data = gzip.decompress(base64.b64decode("".join(lines[begin + 1:end])))
    path = os.path.join(work, "core")
    with open(path, "wb") as f:
        f.write(data)
    return path


def output_of(command):
    return subprocess.run(command, capture_output=True, text=True, timeout=120).stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        crasher = build_crasher(work)
        initramfs = os.path.join(work, "rescue.cpio.gz")
        make_rescue_initramfs.build(initramfs, "/bin/busybox", extra_files=[("crasher", crasher)])
        with Qemu(args.kernel, initrd=initramfs, memory="256M", timeout=540) as vm:
            vm.expect(make_rescue_initramfs.BANNER_MARKER, timeout=120)
            shell = Shell(vm)
            shell.wait_prompt(0, timeout=60)
            start = len(vm.text())
            vm.send("stty -echo\n")
            shell.wait_prompt(start)
            check(shell.ok("cat /proc/sys/kernel/core_pattern /proc/sys/kernel/core_uses_pid") == ["core", "0"],
                  "core_pattern and core_uses_pid defaults")
            # RLIMIT_CORE 0 (the default): no file, no "(core dumped)".
            lines, status = shell.run("cd /tmp && /crasher")
            check(status == 139 and not any("core dumped" in line for line in lines),
                  f"the crasher without a core limit: status {status}, {lines}")
            check(shell.run("ls core")[1] != 0, "a core file appeared at RLIMIT_CORE 0")
            lines, status = shell.run("ulimit -c unlimited && /crasher")
            check(status == 139, f"the crasher: status {status}, {lines}")
            check(any("core dumped" in line for line in lines), f"the shell saw no core dump: {lines}")
            listing = shell.ok("ls -ln core")
            check(listing and listing[0].startswith("-rw-------"), f"the core file: {listing}")
            core = fetch_core(shell, vm, work)
            vm.send("poweroff\n")
            status = vm.wait_exit(timeout=60)
            check(status == 0, f"QEMU exited with {status} after poweroff")
            check("UBSAN:" not in vm.text(), "the kernel reported undefined behaviour")

        notes = output_of(["readelf", "-nW", core])
        for name in ("NT_PRSTATUS", "NT_PRPSINFO", "NT_SIGINFO", "NT_AUXV", "NT_FILE", "NT_FPREGSET"):
            check(name in notes, f"readelf -n finds no {name}:\n{notes}")
        check(notes.count("NT_PRSTATUS") == 2, f"expected two threads' NT_PRSTATUS:\n{notes}")
        header = output_of(["readelf", "-hW", core])
        check(re.search(r"Type:\s+CORE", header) is not None, f"not a core file:\n{header}")
        gdb = output_of(["gdb", "-nx", "-batch", "-ex", "info threads", "-ex", "bt", "-ex", "p/x g_marker",
                         crasher, core])
        print(gdb)
        check("Program terminated with signal SIGSEGV" in gdb, "gdb sees no SIGSEGV")
        check("crash_here" in gdb and "middle" in gdb and "main" in gdb, "gdb's backtrace lacks the crasher's frames")
        check(re.search(r"\* 1\s+LWP \d+", gdb) and re.search(r"\n\s+2\s+LWP \d+", gdb), "gdb does not see two threads")
        check("0x5715c0de" in gdb, "gdb cannot read the crasher's data from the core")


run(main)
