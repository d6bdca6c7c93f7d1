#!/usr/bin/env python3
"""Runs the in-kernel tests (`ktest`) in QEMU and checks the summary and the power-off.

    test_ktest.py KERNEL [--machine pc|q35] [--memory 128M] [--iso ISO --uefi]
"""
import argparse

from harness import Qemu, check, run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    parser.add_argument("--machine", default="pc")
    parser.add_argument("--memory", default="128M")
    parser.add_argument("--iso")
    parser.add_argument("--uefi", action="store_true")
    parser.add_argument("--name")
    args = parser.parse_args()
    with Qemu(args.kernel, append="console=ttyS0 ktest", machine=args.machine, memory=args.memory,
              iso=args.iso, uefi=args.uefi, timeout=240, name=args.name) as vm:
        banner = vm.expect(r"Strix version \S+", timeout=180)
        summary = vm.expect(r"ktest: summary: (\d+) passed, (\d+) failed, (\d+) ubsan reports", timeout=120)
        passed, failed, ubsan = (int(x) for x in summary.groups())
        check(passed > 0, "no in-kernel test ran")
        check(failed == 0, f"{failed} in-kernel test(s) failed")
        check(ubsan == 0, f"{ubsan} undefined-behaviour report(s)")
        status = vm.wait_exit(timeout=30)
        check(status == 0, f"power-off should end QEMU with status 0, got {status}")
        print(f"{banner.group(0)}: {passed} passed on {args.machine} -m {args.memory}"
              f"{' (ISO, UEFI)' if args.uefi else ' (ISO, BIOS)' if args.iso else ''}")


run(main)
