#!/usr/bin/env python3
"""Boots Strix the way Linux boots (-kernel/-initrd/-append) and checks what the kernel
must have found: the command line, the initrd (its exact size), the memory map, ACPI,
the clocks, the "ready" line; then that the serial console takes input (until init
exists the kernel echoes what is typed)."""
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
        initrd.write(os.urandom(123457))
        initrd.flush()
        cmdline = 'console=ttyS0,115200 loglevel=7 FOO=bar "spaced arg=x y" single'
        with Qemu(args.kernel, append=cmdline, initrd=initrd.name, timeout=120) as vm:
            vm.expect(r"Strix version")
            vm.expect(r"Command line: " + re.escape(cmdline))
            size = int(vm.expect(r"initrd 0x[0-9a-f]+\+0x([0-9a-f]+)").group(1), 16)
            check(size == 123457, f"initrd size {size}, expected 123457")
            vm.expect(r"mem: \[mem 0x0000000000100000-0x[0-9a-f]+\] usable")
            vm.expect(r"acpi: MADT: 1 CPU\(s\)")
            vm.expect(r"clocksource: switched to tsc")
            # Unknown parameters go to init as Linux passes them: words to argv, name=value
            # pairs to the environment.
            vm.expect(r'init: argv: "/init" "single"')
            vm.expect(r'init: envp: "HOME=/" "TERM=linux" "FOO=bar" "spaced arg=x y"')
            vm.expect(r"strix: ready in \d+ ms")
            vm.expect(r"console echoes what you type")
            vm.send("hello strix\r")
            vm.expect(r"hello strix")


run(main)
