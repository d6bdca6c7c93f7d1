"""Tools, benchmarks: the one initramfs both kernels boot (busybox, strixbench, /init).

The /init script is the same for Strix and Linux. Its first line is the boot-time marker
(printed before anything else, so "QEMU start to init's first line" measures the kernel);
then it mounts /proc, /sys, /dev (devtmpfs) and a tmpfs on /tmp, prints the memory in use,
runs strixbench with the harness's arguments, and powers off. With a disk (the optional
storage group) it loads the virtio modules Linux needs (a kernel without modules ignores the
failed insmod) and, if /dev/vda mounts as ext4, hands /mnt to strixbench's --disk.
A mount a young kernel does not support yet fails with a message and the script carries on:
/dev also has static nodes.
"""
import gzip
import os
import shlex

from .cpio import NewcArchive

INIT_START_MARKER = "strixbench-init: start"
INIT_MOUNTED_MARKER = "strixbench-init: mounted"
INIT_DONE_MARKER = "strixbench-init: done"

BUSYBOX = "/bin/busybox"  # Debian busybox-static: a static binary, no loader needed
APPLETS = ["sh", "echo", "mount", "mkdir", "cat", "grep", "uname", "poweroff", "sleep", "insmod", "sync", "tr"]

INIT_TEMPLATE = """#!/bin/sh
echo "{start}"
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o size=64m tmpfs /tmp
echo "strixbench-init: kernel $(uname -sr)"
echo "strixbench-init: meminfo $(grep -E '^(MemTotal|MemFree):' /proc/meminfo | tr -s ' ' | tr '\\n' ' ')"
echo "{mounted}"
DISK=
{disk}
/bin/strixbench {arguments} $DISK
echo "{done}"
poweroff -f
"""


DISK_LINES = """for module in {modules}; do insmod /lib/modules/$module.ko 2>/dev/null; done
if mount -t ext4 /dev/vda /mnt; then DISK="--disk /mnt"; else echo "strixbench-init: no disk"; fi"""


def build(output_path, strixbench_path, strixbench_arguments, disk_modules=None):
    """Writes a gzip'd newc initramfs to output_path. disk_modules: None for no disk, else a
    list of (name, path of the .ko) to load, in order, before mounting /dev/vda."""
    archive = NewcArchive()
    for directory in ["bin", "dev", "etc", "proc", "sys", "tmp", "mnt", "root", "lib", "lib/modules"]:
        archive.directory(directory)
    # Static nodes for a kernel without devtmpfs (Linux devices.txt numbers).
    archive.char_device("dev/console", 5, 1)
    archive.char_device("dev/null", 1, 3, 0o666)
    archive.char_device("dev/zero", 1, 5, 0o666)
    archive.char_device("dev/ttyS0", 4, 64)
    with open(BUSYBOX, "rb") as f:
        archive.file("bin/busybox", f.read(), 0o755)
    for applet in APPLETS:
        archive.symlink(f"bin/{applet}", "busybox")
    with open(strixbench_path, "rb") as f:
        archive.file("bin/strixbench", f.read(), 0o755)
    disk = ""
    if disk_modules is not None:
        for name, path in disk_modules:
            with open(path, "rb") as f:
                archive.file(f"lib/modules/{name}.ko", f.read())
        disk = DISK_LINES.format(modules=" ".join(name for name, _ in disk_modules))
    init = INIT_TEMPLATE.format(
        start=INIT_START_MARKER, mounted=INIT_MOUNTED_MARKER, done=INIT_DONE_MARKER,
        disk=disk,
        arguments=" ".join(shlex.quote(a) for a in strixbench_arguments))
    archive.file("init", init.encode(), 0o755)
    data = gzip.compress(archive.bytes(), compresslevel=6, mtime=0)
    temporary = output_path + ".tmp"
    with open(temporary, "wb") as f:
        f.write(data)
    os.replace(temporary, output_path)
    return len(data)
