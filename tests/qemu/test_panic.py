#!/usr/bin/env python3
"""Checks what a kernel crash looks like and what follows it (lkdtm=NAME triggers one):
the reason, registers, a symbolized backtrace, then a halt (panic=0), a reboot after N
seconds (panic=N) or at once (panic=-1). With -no-reboot QEMU exits on the reboot."""
import argparse

from harness import Qemu, check, run

CASES = [
    # (lkdtm name, panic=, what the report must say, a function the backtrace must name)
    ("PANIC", "1", r"Kernel panic - not syncing: dumptest", r"lkdtm::trigger"),
    ("BUG", "-1", r"Kernel panic - not syncing: assertion failed: name.empty\(\)", r"lkdtm::trigger"),
    ("NULL_DEREF", "-1", r"BUG: unable to handle page fault for address: 0000000000000000", r"null_dereference"),
    ("WRITE_RO", "-1", r"#PF: protection violation write access", r"write_read_only"),
    ("EXEC_DATA", "-1", r"#PF: protection violation instruction fetch", r"lkdtm::trigger"),
    ("STACK_OVERFLOW", "-1", r"double fault, probably a kernel stack overflow", r"RIP: 0008:.*recurse"),
    ("UD2", "-1", r"Kernel panic - not syncing: invalid opcode in kernel mode", r"lkdtm::trigger"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    args = parser.parse_args()
    for name, timeout, report, symbol in CASES:
        with Qemu(args.kernel, append=f"console=ttyS0 quiet lkdtm={name} panic={timeout}",
                  timeout=60, name=f"test_panic_{name}") as vm:
            vm.expect(report)
            vm.expect(symbol)
            if timeout == "1":
                vm.expect(r"Rebooting in 1 seconds")
            status = vm.wait_exit(timeout=30)
            check(status == 0, f"{name}: QEMU should exit on the reboot, status {status}")
            check("Restarting system" in vm.text(), f"{name}: no restart message")
            print(f"{name}: reported and rebooted after {vm.elapsed():.1f}s")

    # panic=0 (the default): the machine halts and stays halted.
    with Qemu(args.kernel, append="console=ttyS0 quiet lkdtm=PANIC", timeout=60, name="test_panic_halt") as vm:
        vm.expect(r"end Kernel panic")
        vm.expect_absent(r"Restarting", within=3)
        check(vm.process.poll() is None, "a panic without panic= must halt, not exit")

    # UBSan reports and carries on (the test kernel is built with the sanitizer).
    with Qemu(args.kernel, append="console=ttyS0 quiet lkdtm=UBSAN_OVERFLOW", timeout=60,
              name="test_panic_ubsan") as vm:
        vm.expect(r"UBSAN: signed integer overflow \(\+\) in .*lkdtm.cpp")
        vm.expect(r"lkdtm: unknown crash type|strix: ready")


run(main)
