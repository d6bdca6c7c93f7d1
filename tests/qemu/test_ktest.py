#!/usr/bin/env python3
"""Runs the in-kernel tests (`ktest`) in QEMU and checks the summary and the power-off.

    test_ktest.py KERNEL [--machine pc|q35] [--memory 128M] [--iso ISO --uefi]
                         [--suites a,b] [--append-extra ARGS] [--scratch [--modern]]

--scratch attaches the storage tests' disks, told apart by serial number: a blank
writable one (strix-scratch), a read-only one (strix-scratch-ro), one whose sector 1000
cannot be read and sector 2000 not written (QEMU's blkdebug, strix-scratch-err), and a
fresh ext4 file system (strix-scratch-ext4) that e2fsck -fn must find clean afterwards;
and a legacy-only virtio device, which the driver must refuse with a log line.
--modern makes them virtio 1.0-only devices (disable-legacy=on) instead of transitional.
"""
import argparse
import os
import subprocess
import tempfile

from harness import Qemu, check, run

BLKDEBUG = """[inject-error]
event = "read_aio"
errno = "5"
sector = "1000"
once = "off"

[inject-error]
event = "write_aio"
errno = "5"
sector = "2000"
once = "off"
"""


def scratch_disks(directory, modern):
    """QEMU arguments for the scratch disks, and the ext4 image to check afterwards."""
    def image(name, mib):
        path = os.path.join(directory, name)
        with open(path, "wb") as f:
            f.truncate(mib * 1024 * 1024)
        return path
    scratch = image("scratch.img", 16)
    read_only = image("scratch-ro.img", 16)
    failing = image("scratch-err.img", 8)
    ext4 = image("scratch-ext4.img", 32)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "ktest", ext4], check=True)
    conf = os.path.join(directory, "blkdebug.conf")
    with open(conf, "w") as f:
        f.write(BLKDEBUG)
    device = "virtio-blk-pci" + (",disable-legacy=on" if modern else "")
    disks = [(f"file={scratch},format=raw", "strix-scratch"),
             (f"file={read_only},format=raw,readonly=on", "strix-scratch-ro"),
             (f"file=blkdebug:{conf}:{failing},format=raw", "strix-scratch-err"),
             (f"file={ext4},format=raw", "strix-scratch-ext4")]
    extra = []
    for index, (drive, serial) in enumerate(disks):
        extra += ["-drive", f"{drive},if=none,id=scratch{index}",
                  "-device", f"{device},drive=scratch{index},serial={serial}"]
    # A legacy-only (virtio 0.9.5) device, which the driver must refuse by name.
    legacy = image("legacy.img", 1)
    extra += ["-drive", f"file={legacy},format=raw,if=none,id=legacy",
              "-device", "virtio-blk-pci,drive=legacy,disable-modern=on,disable-legacy=off"]
    return extra, ext4


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    parser.add_argument("--machine", default="pc")
    parser.add_argument("--memory", default="128M")
    parser.add_argument("--iso")
    parser.add_argument("--uefi", action="store_true")
    parser.add_argument("--name")
    parser.add_argument("--suites", help="comma-separated suites (ktest=...)")
    parser.add_argument("--append-extra", default="")
    parser.add_argument("--scratch", action="store_true", help="attach the storage tests' disks")
    parser.add_argument("--modern", action="store_true", help="virtio 1.0-only scratch disks")
    args = parser.parse_args()
    append = "console=ttyS0 ktest" + (f"={args.suites}" if args.suites else "")
    if args.append_extra:
        append += " " + args.append_extra
    with tempfile.TemporaryDirectory() as directory:
        extra, ext4 = scratch_disks(directory, args.modern) if args.scratch else ([], None)
        with Qemu(args.kernel, append=append, machine=args.machine, memory=args.memory,
                  iso=args.iso, uefi=args.uefi, extra=extra, timeout=240, name=args.name) as vm:
            banner = vm.expect(r"Strix version \S+(?= )", timeout=180)
            summary = vm.expect(r"ktest: summary: (\d+) passed, (\d+) failed, (\d+) ubsan reports", timeout=180)
            passed, failed, ubsan = (int(x) for x in summary.groups())
            check(passed > 0, "no in-kernel test ran")
            check(failed == 0, f"{failed} in-kernel test(s) failed")
            check(ubsan == 0, f"{ubsan} undefined-behaviour report(s)")
            if args.scratch:
                check("skipped (run with --scratch)" not in vm.text(), "a scratch disk was not found")
                check("legacy-only device" in vm.text(), "the legacy-only virtio device was not refused")
            status = vm.wait_exit(timeout=30)
            check(status == 0, f"power-off should end QEMU with status 0, got {status}")
        if ext4:
            fsck = subprocess.run(["e2fsck", "-fn", ext4], capture_output=True, text=True)
            check(fsck.returncode == 0, f"e2fsck -fn on the ext4 scratch disk:\n{fsck.stdout}{fsck.stderr}")
        print(f"{banner.group(0)}: {passed} passed on {args.machine} -m {args.memory}"
              f"{' (ISO, UEFI)' if args.uefi else ' (ISO, BIOS)' if args.iso else ''}"
              f"{' with scratch disks' if args.scratch else ''}")


run(main)
