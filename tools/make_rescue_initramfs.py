#!/usr/bin/env python3
"""Tools: builds the rescue initramfs `make run` boots — Debian's static busybox with every
applet it lists (`busybox --list-full`), and an /init of ours.

The kernel mounts nothing but the root; as on Linux, /init mounts the rest: /proc, /sys,
/dev (devtmpfs), /dev/pts (devpts, when the kernel has it), /tmp. It names the host, prints
a banner, and hands over to busybox init, which runs a shell on the console through
cttyhack (a controlling terminal, hence job control, where the kernel's tty layer provides
one) and respawns it when it exits. `poweroff`, `reboot` and `halt` signal busybox init,
which stops everything and calls reboot(2). Without busybox init the script runs the shell
itself.

    tools/make_rescue_initramfs.py build/rescue-initramfs.cpio.gz [--busybox /bin/busybox]

The archive is newc, gzip'd, byte-for-byte reproducible (tools/benchlib/cpio.py).
"""
import argparse
import gzip
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib.cpio import NewcArchive  # noqa: E402

BANNER_MARKER = "Strix rescue shell"

INIT = r"""#!/bin/sh
# Strix rescue system: the first process. The kernel mounted only the root filesystem.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=000 devpts /dev/pts 2>/dev/null ||
    echo "init: no devpts in this kernel: no pseudo-terminals"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
# The console node, if the kernel's devtmpfs does not publish one yet.
[ -e /dev/console ] || mknod -m 600 /dev/console c 5 1
hostname -F /etc/hostname
echo
echo "__BANNER__: $(uname -sr) on $(uname -m), busybox $(busybox | head -n 1 | cut -d' ' -f2)."
echo "Type 'poweroff' to leave; /proc, /sys, /dev, /dev/pts and /tmp are mounted."
echo
# busybox init runs the shell in a session of its own and handles poweroff/reboot/halt.
[ -x /sbin/init ] && exec /sbin/init
exec setsid cttyhack sh -l
exec sh -l
"""

INITTAB = """# busybox init: the rescue shell on the console, again when it exits.
::respawn:/bin/cttyhack /bin/sh -l
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sync
::shutdown:/bin/umount -a -r
"""

PROFILE = r"""export PATH=/sbin:/bin:/usr/sbin:/usr/bin
export HOME=/root
PS1='\h:\w\$ '
"""

FILES = {
    "etc/hostname": "strix\n",
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
    "etc/group": "root:x:0:\ntty:x:5:\n",
    "etc/inittab": INITTAB,
    "etc/profile": PROFILE,
}


def applets(busybox):
    """The applets' install paths, as busybox lists them ("usr/bin/awk", "bin/sh"...)."""
    listing = subprocess.run([busybox, "--list-full"], check=True, capture_output=True, text=True).stdout
    return sorted(line.strip().lstrip("/") for line in listing.splitlines() if line.strip())


def build(output, busybox, extra_files=()):
    """Writes the archive; extra_files: (path in the archive, host file) pairs added as
    executables (the tests add their programs)."""
    archive = NewcArchive()
    directories = {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "etc", "proc", "sys", "tmp", "root", "mnt",
                   "run", "var"}
    paths = applets(busybox)
    for path in paths:
        directories.add(os.path.dirname(path))
    for directory in sorted(d for d in directories if d):
        archive.directory(directory, 0o1777 if directory == "tmp" else 0o755)
    # A console for the kernel to open as init's stdin, stdout and stderr before /dev is
    # mounted (devtmpfs then covers it).
    archive.char_device("dev/console", 5, 1)
    with open(busybox, "rb") as f:
        archive.file("bin/busybox", f.read(), 0o755)
    for path in paths:
        if path == "bin/busybox":
            continue
        archive.symlink(path, os.path.relpath("bin/busybox", os.path.dirname(path) or "."))
    archive.symlink("etc/mtab", "/proc/self/mounts")
    for name, text in sorted(FILES.items()):
        archive.file(name, text.encode())
    archive.file("init", INIT.replace("__BANNER__", BANNER_MARKER).encode(), 0o755)
    for name, host_path in extra_files:
        with open(host_path, "rb") as f:
            archive.file(name, f.read(), 0o755)
    data = gzip.compress(archive.bytes(), compresslevel=9, mtime=0)
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    temporary = output + ".tmp"
    with open(temporary, "wb") as f:
        f.write(data)
    os.replace(temporary, output)
    return len(paths), len(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--busybox", default="/bin/busybox", help="a static busybox (Debian's busybox-static)")
    args = parser.parse_args()
    count, size = build(args.output, args.busybox)
    print(f"make_rescue_initramfs: {args.output}: busybox with {count} applets, {size // 1024} KiB")


if __name__ == "__main__":
    main()
