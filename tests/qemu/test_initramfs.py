#!/usr/bin/env python3
"""Damaged initramfs images: each boot must log one clear line naming the problem, keep what
was unpacked before it, and go on as Linux does — run /init when the good part had one
(which prints a line and powers off), else stop with the "No working init found" panic.
Never a crash or undefined behaviour.

    test_initramfs.py KERNEL

Cases: a plain archive cut short inside a file; an entry whose header has a bad magic in
the middle of the archive; a gzip stream cut short; a gzip stream cut before /init; and an
initrd that QEMU, short of memory, put over the kernel's bss (the kernel cleared it at boot:
it must be neither unpacked nor freed). (Random bytes for an initrd: test_boot.py.)"""
import argparse
import gzip
import os
import re
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
from benchlib.cpio import NewcArchive  # noqa: E402
from harness import Qemu, check, run  # noqa: E402

INIT_MARKER = "damaged-initramfs: init ran"
INIT = f"""#!/bin/busybox sh
/bin/busybox echo "{INIT_MARKER}"
/bin/busybox poweroff -f
""".encode()
FILLER = os.urandom(256 * 1024)  # incompressible: a gzip stream cut inside it ends mid-file


def busybox():
    with open("/bin/busybox", "rb") as f:
        return f.read()


def archive(entries):
    """(archive, {name: offset of its header}) for [(name, data, mode)...]."""
    cpio = NewcArchive()
    offsets = {}
    cpio.directory("bin")
    cpio.directory("dev")
    cpio.char_device("dev/console", 5, 1)
    for name, data, mode in entries:
        offsets[name] = cpio.offset()
        cpio.file(name, data, mode)
    return cpio.bytes(), offsets


def cases():
    good = [("bin/busybox", busybox(), 0o755), ("init", INIT, 0o755), ("filler1", FILLER, 0o644),
            ("filler2", FILLER, 0o644)]
    plain, offsets = archive(good)
    # A plain archive cut in the middle of the last file's data.
    yield "truncated", plain[:offsets["filler2"] + 1000], r'unpacking failed after \d+ entries \(at "filler2"\): ' \
        r"truncated archive", True
    # The header of filler2 has a bad magic: unpacking stops there.
    corrupt = bytearray(plain)
    corrupt[offsets["filler2"]:offsets["filler2"] + 6] = b"070799"
    yield "bad_magic", bytes(corrupt), r"unpacking failed after \d+ entries .*: not a newc cpio header \(bad magic\)", \
        True
    # A gzip stream cut short (inside the fillers).
    compressed = gzip.compress(plain, compresslevel=6, mtime=0)
    yield "gzip_cut", compressed[:len(compressed) - 300 * 1024], r"unpacking failed after \d+ entries .*: " \
        r"truncated gzip data", True
    # Cut before /init was reached: nothing to run.
    late_init, _ = archive([("bin/busybox", busybox(), 0o755), ("filler1", FILLER, 0o644), ("init", INIT, 0o755)])
    compressed = gzip.compress(late_init, compresslevel=6, mtime=0)
    yield "gzip_cut_no_init", compressed[:len(compressed) - 128 * 1024], r"unpacking failed after \d+ entries .*: " \
        r"truncated gzip data", False


def bss_range(kernel):
    """Physical [start, end) of the kernel's bss: its last PT_LOAD's memory past its file data."""
    with open(kernel, "rb") as f:
        elf = f.read()
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    entry_size, count = struct.unpack_from("<HH", elf, 0x36)
    loads = []
    for index in range(count):
        kind, _, _, _, physical, file_size, memory_size = struct.unpack_from("<IIQQQQQ", elf, phoff + index * entry_size)
        if kind == 1:
            loads.append((physical + file_size, physical + memory_size))
    return max(loads)


def overlapping_initrd(kernel):
    """(-m in MiB, initrd bytes) that QEMU's PVH loader places inside the kernel's bss: it puts
    the initrd just below the top of RAM, which is the -m size less 128 KiB of ACPI tables."""
    start, end = bss_range(kernel)
    memory_mib = end // (1 << 20) + 2
    top = memory_mib * (1 << 20) - 128 * 1024
    return memory_mib, b"\0" * (top - (start + end) // 2)


def overlap_case(kernel):
    memory_mib, image = overlapping_initrd(kernel)
    start, end = bss_range(kernel)
    with tempfile.NamedTemporaryFile(suffix=".img") as initrd:
        initrd.write(image)
        initrd.flush()
        with Qemu(kernel, initrd=initrd.name, memory=f"{memory_mib}M", timeout=120, name="initramfs_overlap") as vm:
            match = vm.expect(r"initrd 0x([0-9a-f]+)\+0x([0-9a-f]+)\r?\n", timeout=60)
            base = int(match.group(1), 16)
            check(start <= base < end, f"QEMU put the initrd at {base:#x}, not in the bss {start:#x}-{end:#x}: "
                                       f"this test's premise about QEMU's placement no longer holds")
            vm.expect(r"initramfs: the initrd at 0x[0-9a-f]+\+0x[0-9a-f]+ overlaps the kernel image .*: not unpacked")
            vm.expect(r"Kernel panic - not syncing: No working init found", timeout=60)
            check("UBSAN:" not in vm.text(), "overlap: the kernel reported undefined behaviour")
            print(f"initramfs: overlap: -m {memory_mib}M, initrd at {base:#x} in the bss: logged, not unpacked")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        for name, image, pattern, has_init in cases():
            path = os.path.join(work, name + ".img")
            with open(path, "wb") as f:
                f.write(image)
            with Qemu(args.kernel, initrd=path, timeout=120, name=f"initramfs_{name}") as vm:
                vm.expect(r"initramfs: " + pattern, timeout=60)
                if has_init:
                    vm.expect(INIT_MARKER, timeout=60)
                    check(vm.wait_exit(timeout=60) == 0, f"{name}: QEMU's exit status after poweroff")
                else:
                    vm.expect(r"Kernel panic - not syncing: No working init found", timeout=60)
                text = vm.text()
                check("UBSAN:" not in text, f"{name}: the kernel reported undefined behaviour")
                check(has_init == ("Kernel panic" not in text), f"{name}: a panic other than the missing init")
                print(f"initramfs: {name}: {len(image)} bytes: logged, "
                      f"{'ran /init' if has_init else 'no init: the panic'}")
        overlap_case(args.kernel)


run(main)
