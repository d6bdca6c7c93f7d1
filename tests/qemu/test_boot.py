#!/usr/bin/env python3
"""Boots Strix the way Linux boots (-kernel/-initrd/-append) and checks what the kernel
must have found: the command line, the initrd (its exact size), the memory map, ACPI,
the clocks, init's arguments; and that a malformed initrd (random bytes here) is reported
clearly and leads to Linux's "No working init found" panic rather than a crash."""
import argparse
import os
import re
import tempfile

from harness import Qemu, check, run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile(suffix=".img") as initrd:
        initrd.write(b"\x42" + os.urandom(123456))
        initrd.flush()
        cmdline = 'console=ttyS0,115200 loglevel=7 FOO=bar "spaced arg=x y" single'
        with Qemu(args.kernel, append=cmdline, initrd=initrd.name, timeout=120) as vm:
            vm.expect(r"Strix version")
            vm.expect(r"Command line: " + re.escape(cmdline))
            size = int(vm.expect(r"initrd 0x[0-9a-f]+\+0x([0-9a-f]+)\r?\n").group(1), 16)
            check(size == 123457, f"initrd size {size}, expected 123457")
            vm.expect(r"mem: \[mem 0x0000000000100000-0x[0-9a-f]+\] usable")
            vm.expect(r"acpi: MADT: 1 CPU\(s\)")
            vm.expect(r"clocksource: switched to tsc")
            # Unknown parameters go to init as Linux passes them: words to argv, name=value
            # pairs to the environment.
            vm.expect(r'init: argv: "/init" "single"')
            vm.expect(r'init: envp: "HOME=/" "TERM=linux" "FOO=bar" "spaced arg=x y"')
            vm.expect(r"initramfs: unpacking failed after 0 entries .*: unrecognised data")
            vm.expect(r"strix: ready in \d+ ms")
            vm.expect(r"Kernel panic - not syncing: No working init found")


run(main)
