"""QEMU tests: the rescue initramfs's busybox shell (tools/make_rescue_initramfs.py), typed at
over the serial console. Shared by test_procfs.py and test_session.py.

    with boot_rescue(kernel, work) as (vm, shell):
        lines = shell.ok("ls /")              # output lines; fails unless the status is 0
        lines, status = shell.run("false")    # output lines and exit status
        shell.poweroff()

The shell first turns terminal echo off (`stty -echo`): the console then shows only what
commands print. Each command ends with a marker carrying its exit status (`echo __doneN__$?`),
so the output of a command is exactly what lies between the command and its marker.
"""
import contextlib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
from harness import Qemu, check  # noqa: E402
import make_rescue_initramfs  # noqa: E402

PROMPT = r"\w+:\S*# "  # PS1 of /etc/profile: host:directory#
KERNEL_LINE = re.compile(r"^\[\s*\d+\.\d+\] ")


class Shell:
    def __init__(self, vm):
        self.vm = vm
        self.count = 0
        self.notices = []  # the job notices the shell printed before the last prompt

    def mark(self):
        return len(self.vm.text())

    def wait_prompt(self, start, timeout=60):
        return self.vm.expect(PROMPT, timeout=timeout, start=start).end()

    def run(self, command, timeout=60, keep_kernel_lines=False, keep_blank_lines=False):
        """Runs `command`; returns (output lines, exit status)."""
        self.count += 1
        marker = f"__done{self.count}__"
        start = self.mark()
        # The marker ends the first line: a here-document's lines follow it.
        first, newline, rest = command.partition("\n")
        separator = " " if first.rstrip().endswith("&") else "; "  # `sleep 100 &; ...` is a syntax error
        self.vm.send(f"{first}{separator}echo {marker}$?\n{rest}{newline}")
        # Output without a final newline (cat of a NUL-separated file) shares the marker's line.
        # The status ends with its newline: the console may so far hold only its first digit.
        match = self.vm.expect(rf"{marker}(\d+)\r?\n", timeout=timeout, start=start)
        prompt = self.vm.expect(PROMPT, timeout=timeout, start=match.end())
        # What the shell says between the command and its next prompt: "[1]+  Terminated ...".
        self.notices = self.vm.text()[match.end():prompt.start()].split("\n")
        self.notices = [line for line in self.notices if line.strip() and not KERNEL_LINE.match(line)]
        lines = self.vm.text()[start:match.start()].splitlines()
        if not keep_kernel_lines:
            lines = [line for line in lines if not KERNEL_LINE.match(line)]
        if not keep_blank_lines:
            lines = [line for line in lines if line.strip()]
        return lines, int(match.group(1))

    def ok(self, command, **options):
        lines, status = self.run(command, **options)
        check(status == 0, f"`{command}` failed with status {status}: {lines}")
        return lines

    def expect_output(self, command, expected, status=0, **options):
        """Runs `command` and checks its output lines and exit status exactly."""
        lines, got = self.run(command, **options)
        check((lines, got) == (expected, status),
              f"`{command}`: got {lines} (status {got}), expected {expected} (status {status})")
        return lines

    def type(self, keys, expect=None, timeout=30):
        """Sends keys as a person would (no marker, no prompt awaited); waits for `expect`."""
        start = self.mark()
        self.vm.send(keys)
        return self.vm.expect(expect, timeout=timeout, start=start) if expect else None

    def poweroff(self):
        """`poweroff`: busybox init stops everything; QEMU must exit with status 0."""
        self.vm.send("poweroff\n")
        status = self.vm.wait_exit(timeout=60)
        check(status == 0, f"QEMU exited with {status} after poweroff")
        self.vm.expect(r"reboot: Power down", timeout=5)


def build_initramfs(work):
    """The rescue initramfs `make run` boots, built into `work`."""
    path = os.path.join(work, "rescue.cpio.gz")
    make_rescue_initramfs.build(path, "/bin/busybox")
    return path


@contextlib.contextmanager
def boot_rescue(kernel, initrd, memory="256M", timeout=540, name=None, append="console=ttyS0"):
    """Boots `kernel` with the rescue initramfs to its shell prompt, echo off."""
    with Qemu(kernel, initrd=initrd, memory=memory, timeout=timeout, name=name, append=append) as vm:
        vm.expect(make_rescue_initramfs.BANNER_MARKER, timeout=120)
        shell = Shell(vm)
        shell.wait_prompt(0, timeout=60)
        start = shell.mark()
        vm.send("stty -echo\n")
        shell.wait_prompt(start)
        yield vm, shell


def check_kernel_clean(vm, strix=True):
    """No crash, and (Strix's UBSan kernel) no undefined behaviour."""
    text = vm.text()
    if strix:
        check("UBSAN:" not in text, "the kernel reported undefined behaviour")
    check("Kernel panic" not in text and "BUG:" not in text, "the kernel crashed")
