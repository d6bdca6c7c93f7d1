#!/usr/bin/env python3
"""Runs the conformance suite (user/conformance/) inside Strix under QEMU.

    tools/run_conformance.py KERNEL PROGRAM_DIR [--programs a,b] [--timeout S] [--variant NAME]

Builds an initramfs holding Debian's busybox-static, the suite's programs and an /init
that runs each program in turn, then powers off. Prints every case line, and a last line
`CONFORMANCE passed=N failed=M programs=K skipped=S`; exit status 0 iff nothing failed.
"""
import argparse
import gzip
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "qemu"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib.cpio import NewcArchive  # noqa: E402
from harness import Qemu  # noqa: E402

APPLETS = ["sh", "echo", "cat", "mkdir", "mount", "poweroff", "sleep", "ls", "rm", "timeout", "mktemp", "tee",
           "grep", "sed", "basename", "dirname", "true", "false", "id", "env"]

INIT = """#!/bin/sh
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /tmp 2>/dev/null
export CONFORMANCE_TMPDIR=/tmp PATH=/bin CONFORMANCE_TIMEOUT_SCALE=10
echo "conformance-init: start"
for p in {programs}; do
    echo "conformance-init: program $p"
    /conformance/$p {cases}
    echo "conformance-init: exit $p $?"
done
echo "conformance-init: done"
poweroff -f
"""


def build_initramfs(program_dir, programs, path, cases=()):
    archive = NewcArchive()
    for directory in ["bin", "dev", "proc", "sys", "tmp", "conformance", "etc"]:
        archive.directory(directory)
    archive.char_device("dev/console", 5, 1)
    archive.char_device("dev/null", 1, 3, 0o666)
    archive.char_device("dev/zero", 1, 5, 0o666)
    archive.char_device("dev/tty", 5, 0, 0o666)
    with open("/bin/busybox", "rb") as f:
        archive.file("bin/busybox", f.read(), 0o755)
    for applet in APPLETS:
        archive.symlink(f"bin/{applet}", "busybox")
    for program in programs:
        with open(os.path.join(program_dir, program), "rb") as f:
            archive.file(f"conformance/{program}", f.read(), 0o755)
    archive.file("etc/passwd", b"root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    archive.file("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    archive.file("init", INIT.format(programs=" ".join(programs), cases=" ".join(cases)).encode(), 0o755)
    with open(path, "wb") as f:
        f.write(gzip.compress(archive.bytes(), compresslevel=6, mtime=0))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    parser.add_argument("program_dir")
    parser.add_argument("--programs", default="")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--memory", default="512M")
    parser.add_argument("--append", default="")
    parser.add_argument("--name", default="conformance_strix")
    parser.add_argument("--cases", default="", help="comma-separated case-name substrings to run")
    args = parser.parse_args()
    available = sorted(p for p in os.listdir(args.program_dir)
                       if os.access(os.path.join(args.program_dir, p), os.X_OK) and not p.endswith(".sh"))
    programs = [p for p in args.programs.split(",") if p] or available
    with tempfile.TemporaryDirectory() as work:
        initrd = os.path.join(work, "initrd.cpio.gz")
        build_initramfs(args.program_dir, programs, initrd, [c for c in args.cases.split(",") if c])
        with Qemu(args.kernel, append=f"console=ttyS0 quiet {args.append}", initrd=initrd, memory=args.memory,
                  timeout=args.timeout, name=args.name) as vm:
            try:
                vm.expect(r"conformance-init: done", timeout=args.timeout)
                vm.wait_exit(timeout=30)
            except AssertionError as failure:
                print(f"QEMU run did not finish: {failure}")
            text = vm.text()
    passed = len(re.findall(r"^PASS ", text, re.M))
    failed = len(re.findall(r"^FAIL ", text, re.M))
    skipped = len(re.findall(r"^SKIP ", text, re.M))
    finished = set(re.findall(r"^conformance-init: exit (\S+) (\d+)", text, re.M))
    summaries = re.findall(r"^SUMMARY (\S+)", text, re.M)
    for line in text.splitlines():
        if line.startswith(("FAIL ", "SUMMARY ", "conformance-init:")) or "Kernel panic" in line or "UBSAN:" in line:
            print(line)
    missing = [p for p in programs if p not in summaries]
    for p in missing:
        print(f"FAIL {p}: no SUMMARY line (crashed, hung or was killed)")
    failed += len(missing)
    if "UBSAN:" in text:
        print("FAIL kernel: the kernel reported undefined behaviour (UBSAN:)")
        failed += 1
    print(f"CONFORMANCE passed={passed} failed={failed} programs={len(programs)} skipped={skipped}")
    sys.exit(0 if failed == 0 and finished else 1)


if __name__ == "__main__":
    main()
