#!/usr/bin/env python3
"""Storage, end to end: Strix boots from an ext4 disk the host made with mke2fs -d, checks
every file of it against a manifest (sha256sum -c, symlink targets, hard links, a sparse
file), writes a new tree (files of many sizes, deep and big directories, renames,
deletes, links, truncation), syncs and powers off. The host then needs e2fsck -fn to find
the file system clean and reads the new tree back with debugfs, byte for byte. Corrupt
copies of the image must give a clear error and a clean panic, never a crash.

    test_storage.py KERNEL [--machine pc|q35] [--modern] [--name NAME]

Needs e2fsprogs (mke2fs, e2fsck, debugfs) and busybox-static on the host.
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

from harness import Qemu, check, run

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from benchlib.cpio import NewcArchive  # noqa: E402

BUSYBOX = "/bin/busybox"
APPLETS = ["sed", "sh", "echo", "cat", "sha256sum", "readlink", "stat", "mkdir", "rm", "mv", "ln", "cp", "dd", "seq",
           "head", "awk", "grep", "truncate", "sync", "poweroff", "ls", "test", "[", "wc", "sleep", "yes", "blockdev",
           "od"]
# More data than the guest has memory for: written back under the dirty limit, read back
# after clean pages were evicted.
BIG_BYTES = 40 * 1024 * 1024
BIG_LINE = b"0123456789abcdef\n"
LONG_TARGET = "a-symlink-target-long-enough-to-need-its-own-block/" * 3 + "end"
MARK = "storage-test:"


def deterministic(seed, size):
    generator = random.Random(seed)
    return bytes(generator.getrandbits(8) for _ in range(size)) if size < 65536 else \
        generator.randbytes(size)


# A shared writable mapping of a new file: pages written through memory only, seen by
# read(2) at once and on disk after sync (the page cache is what both use).
MMAP_WRITER = r"""
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char** argv) {
    size_t size = strtoul(argv[2], 0, 10);
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, size) != 0) return perror("open/ftruncate"), 1;
    unsigned char* map = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) return perror("mmap"), 1;
    volatile unsigned char first = map[0];  /* a read fault first: later writes take none */
    (void)first;
    for (size_t i = 0; i < size; i++) map[i] = (unsigned char)(i * 7 + (i >> 12));
    unsigned char* copy = malloc(size);
    if (pread(fd, copy, size, 0) != (ssize_t)size || memcmp(copy, map, size) != 0) return puts("mmap: read differs"), 1;
    munmap(map, size);
    close(fd);
    puts("mmap: ok");
    return 0;
}
"""
MMAP_SIZE = 3 * 4096 * 5 + 123


def mmap_expected():
    return bytes((i * 7 + (i >> 12)) & 0xff for i in range(MMAP_SIZE))


def build_tree(root):
    """The disk's contents; returns the manifest facts the guest and host check."""
    for directory in ["bin", "sbin", "dev", "tmp", "data/dir/deep/er", "data/many", "out"]:
        os.makedirs(os.path.join(root, directory), exist_ok=True)
    shutil.copy(BUSYBOX, os.path.join(root, "bin/busybox"))
    for applet in APPLETS:
        os.symlink("busybox", os.path.join(root, "bin", applet))
    os.mknod(os.path.join(root, "dev/console"), 0o600 | 0o020000, os.makedev(5, 1))
    os.mknod(os.path.join(root, "dev/vda"), 0o600 | 0o060000, os.makedev(254, 0))  # the disk itself
    source = os.path.join(root, "tmp/mmap_writer.c")
    with open(source, "w") as f:
        f.write(MMAP_WRITER)
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", os.path.join(root, "bin/mmap_writer"), source], check=True)
    os.unlink(source)
    files = {}
    sizes = {"empty": 0, "one": 1, "sector": 511, "page_less": 4095, "page": 4096, "page_more": 4097,
             "odd": 65537, "random_1m": 1 << 20, "random_3m": 3 * (1 << 20) + 777, "dir/deep/er/nested": 12345}
    for index, (name, size) in enumerate(sizes.items()):
        files["data/" + name] = deterministic(index, size)
    files["data/hello.txt"] = b"hello from the host\n"
    files["data/to_delete"] = b"delete me\n"
    for i in range(300):  # a directory big enough for an htree index
        files[f"data/many/file{i:04d}"] = f"small file {i}\n".encode()
    for path, data in files.items():
        with open(os.path.join(root, path), "wb") as f:
            f.write(data)
    # A sparse file: 20 MiB with data at three places.
    sparse = os.path.join(root, "data/sparse")
    with open(sparse, "wb") as f:
        for offset in (0, 7 * (1 << 20) + 5, 20 * (1 << 20) - 100):
            f.seek(offset)
            f.write(b"islands of data " * 6)
    with open(sparse, "rb") as f:
        files["data/sparse"] = f.read()
    os.link(os.path.join(root, "data/random_1m"), os.path.join(root, "data/hardlink_1m"))
    files["data/hardlink_1m"] = files["data/random_1m"]
    symlinks = {"data/fast_link": "random_1m", "data/slow_link": LONG_TARGET, "data/dir_link": "dir/deep"}
    for path, target in symlinks.items():
        os.symlink(target, os.path.join(root, path))
    xattrs = {"data/hello.txt": {"user.comment": b"an extended attribute", "user.empty": b""},
              "data/page": {"user.big": bytes(range(256)) * 2}}
    for path, values in xattrs.items():
        for name, value in values.items():
            os.setxattr(os.path.join(root, path), name, value)
    with open(os.path.join(root, "manifest.sha256"), "w") as f:
        for path in sorted(files):
            f.write(f"{hashlib.sha256(files[path]).hexdigest()}  /{path}\n")
    return files, symlinks, xattrs


def guest_script(symlinks):
    lines = ["#!/bin/sh",
             f'echo "{MARK} start"',
             "cd /",
             "if sha256sum -c /manifest.sha256 > /tmp/verify.log 2>&1; then",
             f'  echo "{MARK} verify ok $(wc -l < /manifest.sha256) files"',
             "else",
             f'  echo "{MARK} verify FAILED"; grep -v ": OK$" /tmp/verify.log',
             "fi"]
    for path, target in symlinks.items():
        lines.append(f'[ "$(readlink /{path})" = "{target}" ] || echo "{MARK} symlink FAILED /{path}"')
    lines += [
        f'[ "$(stat -c %i /data/random_1m)" = "$(stat -c %i /data/hardlink_1m)" ] || echo "{MARK} hardlink FAILED"',
        f'[ "$(stat -c %h /data/random_1m)" = 2 ] || echo "{MARK} link count FAILED"',
        f'[ "$(cat /data/fast_link | sha256sum)" = "$(cat /data/random_1m | sha256sum)" ] || echo "{MARK} follow FAILED"',
        f'echo "{MARK} sparse blocks $(stat -c %b /data/sparse) size $(stat -c %s /data/sparse)"',
        # The disk itself, under the mounted file system: size, sector size, the superblock's magic.
        f'echo "{MARK} disk $(blockdev --getsize64 /dev/vda) $(blockdev --getss /dev/vda) '
        f'$(dd if=/dev/vda bs=1024 skip=1 count=1 2> /tmp/dd0.log | od -An -tx1 -j56 -N2)"',
        f'blockdev --flushbufs /dev/vda && echo "{MARK} flushbufs ok"',
        # The new tree.
        "mkdir -p /out/a/b/c /out/keep /out/gone",
        "seq 1 200000 > /out/numbers",
        "head -c 3000000 /data/random_3m > /out/copy3m",
        "dd if=/data/random_3m of=/out/slice bs=4096 skip=7 count=100 2> /tmp/dd.log",
        "cp /data/random_1m /out/a/b/c/deep",
        "i=0; while [ $i -lt 400 ]; do echo \"kept $i\" > /out/keep/f$i; i=$((i+1)); done",
        "i=0; while [ $i -lt 50 ]; do echo \"gone $i\" > /out/gone/g$i; i=$((i+1)); done",
        "rm -r /out/gone",
        "mv /out/numbers /out/a/numbers_moved",
        "mv /out/keep/f7 /out/keep/renamed7",
        "ln /out/copy3m /out/hardlink",
        "ln -s a/b/c/deep /out/symlink",
        f"ln -s {LONG_TARGET} /out/slow_symlink",
        "echo appended >> /data/hello.txt",
        "rm /data/to_delete",
        "head -c 1000000 /data/random_1m > /out/truncated; truncate -s 10000 /out/truncated",
        "echo start > /out/grown; truncate -s 2097152 /out/grown",
        "awk 'BEGIN { for (i = 0; i < 700000; i++) printf \"%08d\\n\", i }' > /out/awk",
        "rm /out/keep/f100 /out/keep/f200",
        f'/bin/mmap_writer /out/mapped {MMAP_SIZE} | sed "s/^/{MARK} /"',
        f"yes 0123456789abcdef | head -c {BIG_BYTES} > /out/big",
        f'echo "{MARK} big $(sha256sum < /out/big)"',
        "sync",
        f'echo "{MARK} written"',
        "poweroff -f"]
    return "\n".join(lines) + "\n"


def big_file():
    return (BIG_LINE * (BIG_BYTES // len(BIG_LINE) + 1))[:BIG_BYTES]


def debugfs(image, command):
    result = subprocess.run(["debugfs", "-R", command, image], capture_output=True)
    return result.stdout


def debugfs_file(image, path):
    with tempfile.NamedTemporaryFile() as out:
        subprocess.run(["debugfs", "-R", f"dump {path} {out.name}", image], capture_output=True, check=True)
        return open(out.name, "rb").read()


def make_image(directory, tree):
    image = os.path.join(directory, "disk.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-L", "strixroot", "-d", tree, image, "128M"],
                   check=True)
    return image


def check_written_tree(image, files, xattrs):
    fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
    check(fsck.returncode == 0, f"e2fsck -fn is not clean:\n{fsck.stdout}{fsck.stderr}")
    expected = {
        "/out/a/numbers_moved": "".join(f"{i}\n" for i in range(1, 200001)).encode(),
        "/out/copy3m": files["data/random_3m"][:3000000],
        "/out/hardlink": files["data/random_3m"][:3000000],
        "/out/slice": files["data/random_3m"][7 * 4096:107 * 4096],
        "/out/a/b/c/deep": files["data/random_1m"],
        "/out/keep/renamed7": b"kept 7\n",
        "/out/keep/f399": b"kept 399\n",
        "/out/truncated": files["data/random_1m"][:10000],
        "/out/grown": b"start\n" + bytes(2097152 - 6),
        "/out/awk": "".join(f"{i:08d}\n" for i in range(700000)).encode(),
        "/data/hello.txt": files["data/hello.txt"] + b"appended\n",
        "/out/big": big_file(),
        "/out/mapped": mmap_expected(),
    }
    for path, data in expected.items():
        got = debugfs_file(image, path)
        check(got == data, f"{path}: {len(got)} bytes on disk, expected {len(data)} (sha256 "
                           f"{hashlib.sha256(got).hexdigest()[:12]} vs {hashlib.sha256(data).hexdigest()[:12]})")
    keep = debugfs(image, "ls /out/keep").decode()
    for name in ["f7", "f100", "f200"]:
        check(not re.search(rf"\b{name}\b", keep), f"/out/keep/{name} should be gone")
    names = set(re.findall(r"\b(f\d+|renamed7)\b", keep))
    check(len(names) == 398, f"/out/keep holds {len(names)} entries, expected 398")
    check(b"File not found" in debugfs(image, "stat /out/gone") or not debugfs(image, "stat /out/gone"),
          "/out/gone should be gone")
    check(not debugfs(image, "stat /data/to_delete").strip().startswith(b"Inode:"), "/data/to_delete survived")
    stat = debugfs(image, "stat /out/copy3m").decode()
    check(re.search(r"Links: 2", stat) is not None, "/out/copy3m should have 2 links")
    check("a/b/c/deep" in debugfs(image, "stat /out/symlink").decode(), "/out/symlink target")
    check(debugfs_file(image, "/out/slow_symlink") == LONG_TARGET.encode(), "/out/slow_symlink target")
    for path, values in xattrs.items():
        for name, value in values.items():
            with tempfile.NamedTemporaryFile() as out:
                subprocess.run(["debugfs", "-R", f"ea_get -f {out.name} /{path} {name}", image], capture_output=True)
                got = open(out.name, "rb").read()
            check(got == value, f"/{path} xattr {name}: {got[:20]!r} expected {value[:20]!r}")


def boot_and_check(kernel, machine, modern, name, directory, files, symlinks, xattrs, image):
    device = "virtio-blk-pci" + (",disable-legacy=on" if modern else "")
    extra = ["-drive", f"file={image},if=none,id=root,format=raw", "-device", f"{device},drive=root"]
    append = "console=ttyS0 root=/dev/vda rw init=/sbin/init"
    with Qemu(kernel, append=append, machine=machine, memory="64M", extra=extra, timeout=400, name=name) as vm:
        vm.expect(r"VFS: Mounted root \(ext4 filesystem\) on device 254:0", timeout=60)
        vm.expect(rf"{MARK} start", timeout=60)
        verified = vm.expect(rf"{MARK} verify (ok|FAILED)", timeout=200)
        check(verified.group(1) == "ok", "files differ from the manifest:\n" + vm.text()[-3000:])
        sparse = vm.expect(rf"{MARK} sparse blocks (\d+) size (\d+)\r?\n", timeout=60)
        check(int(sparse.group(2)) == len(files["data/sparse"]), "sparse file size")
        check(int(sparse.group(1)) < 1024, f"sparse file allocated {sparse.group(1)} sectors")
        raw = vm.expect(rf"{MARK} disk (\d+) (\d+) +([0-9a-f]+) ([0-9a-f]+)\r?\n", timeout=60)
        check(raw.groups() == (str(os.path.getsize(image)), "512", "53", "ef"), f"/dev/vda: {raw.groups()}")
        vm.expect(rf"{MARK} flushbufs ok", timeout=60)
        vm.expect(rf"{MARK} mmap: ok", timeout=300)
        big = vm.expect(rf"{MARK} big ([0-9a-f]{{64}})", timeout=300)
        check(big.group(1) == hashlib.sha256(big_file()).hexdigest(), "/out/big read back wrong in the guest")
        vm.expect(rf"{MARK} written", timeout=300)
        status = vm.wait_exit(timeout=60)
        check(status == 0, f"QEMU exit status {status}")
        text = vm.text()
        check(f"{MARK} symlink FAILED" not in text and "FAILED" not in text, "a check failed in the guest")
        check("UBSAN" not in text, "undefined behaviour reported")
    check_written_tree(image, files, xattrs)


CORRUPTIONS = [
    # (what, how to damage the image, what the console must say)
    ("superblock magic", lambda image: patch(image, 1024 + 0x38, b"\x00\x00"),
     r"no ext2/3/4 superblock"),
    ("superblock checksum", lambda image: patch(image, 1024 + 0x78, b"XXXX"),
     r"superblock checksum mismatch"),
    ("group descriptors", lambda image: patch(image, 4096 + 8, b"\xff\xff\xff\x7f"),
     r"EXT4|ext4 \(vda\)"),
    ("root inode", lambda image: corrupt_inode(image, 2), r"ext4 \(vda\)"),
]


def patch(image, offset, data):
    with open(image, "r+b") as f:
        f.seek(offset)
        f.write(data)


def corrupt_inode(image, ino):
    """Flips bits in the inode's table entry (its checksum then fails)."""
    out = debugfs(image, f"imap <{ino}>").decode()
    match = re.search(r"located at block (\d+), offset (0x[0-9a-f]+)", out)
    block, offset = int(match.group(1)), int(match.group(2), 16)
    with open(image, "r+b") as f:
        f.seek(block * 4096 + offset + 0x28)  # i_block: the extent header
        byte = f.read(1)
        f.seek(block * 4096 + offset + 0x28)
        f.write(bytes([byte[0] ^ 0x5a]))


def corrupt_images(kernel, machine, directory, pristine, name):
    for what, damage, message in CORRUPTIONS:
        image = os.path.join(directory, "corrupt.img")
        shutil.copy(pristine, image)
        damage(image)
        extra = ["-drive", f"file={image},if=none,id=root,format=raw", "-device", "virtio-blk-pci,drive=root"]
        with Qemu(kernel, append="console=ttyS0 root=/dev/vda rw panic=-1", machine=machine, extra=extra,
                  timeout=120, name=f"{name}_corrupt_{what.replace(' ', '_')}") as vm:
            vm.expect(message, timeout=60)
            end = vm.expect(r"Kernel panic - not syncing: (VFS: Unable to mount root fs|No working init found|"
                            r"Requested init .* failed)", timeout=60)
            text = vm.text()
            for crash in ["BUG: unable to handle", "general protection", "UBSAN", "assertion failed",
                          "double fault", "invalid opcode"]:
                check(crash not in text, f"{what}: the kernel crashed ({crash})")
            print(f"corrupt {what}: {end.group(0)}")


def corrupt_file_at_runtime(kernel, machine, directory, pristine, name):
    """A damaged inode deep in the tree: the root mounts and init runs; reading that file
    fails with an error the guest sees, and everything else carries on."""
    image = os.path.join(directory, "corrupt.img")
    shutil.copy(pristine, image)
    ino = int(re.search(rb"Inode: (\d+)", debugfs(image, "stat /data/random_3m")).group(1))
    corrupt_inode(image, ino)
    extra = ["-drive", f"file={image},if=none,id=root,format=raw", "-device", "virtio-blk-pci,drive=root"]
    with Qemu(kernel, append="console=ttyS0 root=/dev/vda rw init=/sbin/init", machine=machine, extra=extra,
              timeout=400, name=f"{name}_corrupt_file") as vm:
        vm.expect(rf"{MARK} verify FAILED", timeout=200)
        vm.expect(r"/data/random_3m: FAILED", timeout=60)
        vm.expect(rf"{MARK} written", timeout=300)
        status = vm.wait_exit(timeout=60)
        text = vm.text()
        check(status == 0, f"QEMU exit status {status}")
        check("inode %d checksum mismatch" % ino in text, "the damaged inode was not reported")
        for crash in ["BUG: unable to handle", "general protection", "UBSAN", "assertion failed", "Kernel panic"]:
            check(crash not in text, f"damaged file: the kernel crashed ({crash})")
        check("/data/random_1m: FAILED" not in text, "an undamaged file failed to verify")
    print("corrupt file: reading it failed cleanly, the rest of the run went on")


READ_ONLY_INIT = f"""#!/bin/sh
echo "{MARK} root is $(cat /data/hello.txt)"
if touch /newfile 2> /tmp/touch.log; then echo "{MARK} write allowed"; else echo "{MARK} write refused"; fi
poweroff -f
"""


def alternative_roots(kernel, machine, directory, tree, pristine, name):
    """root=UUID= on the whole disk, an ext2 disk by name and type, root=PARTUUID= on a GPT
    partition: all read-only (Linux's default without rw), writes refused."""
    uuid = re.search(r"Filesystem UUID:\s+(\S+)",
                     subprocess.run(["dumpe2fs", "-h", pristine], capture_output=True, text=True).stdout).group(1)
    with open(os.path.join(tree, "sbin/init-ro"), "w") as f:
        f.write(READ_ONLY_INIT)
    os.chmod(os.path.join(tree, "sbin/init-ro"), 0o755)
    # A GPT disk: an 8 MiB partition, then the file system in partition 2.
    disk = os.path.join(directory, "partitioned.img")
    with open(disk, "wb") as f:
        f.truncate(160 * 1024 * 1024)
    subprocess.run(["sfdisk", "-q", disk], input="label: gpt\n,8M\n,\n", text=True, check=True)
    dump = subprocess.run(["sfdisk", "-d", disk], capture_output=True, text=True, check=True).stdout
    line = next(l for l in dump.splitlines() if l.startswith(disk + "2"))
    start = int(re.search(r"start=\s*(\d+)", line).group(1))
    sectors = int(re.search(r"size=\s*(\d+)", line).group(1))
    partuuid = re.search(r"uuid=([0-9A-Fa-f-]+)", line).group(1).lower()
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", tree, "-E", f"offset={start * 512}", disk,
                    f"{sectors // 2}k"], check=True)
    whole = os.path.join(directory, "whole.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, whole, "128M"], check=True)
    uuid = re.search(r"Filesystem UUID:\s+(\S+)",
                     subprocess.run(["dumpe2fs", "-h", whole], capture_output=True, text=True).stdout).group(1)
    ext2 = os.path.join(directory, "ext2.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-d", tree, ext2, "128M"], check=True)
    cases = [
        ("uuid", whole, f"root=UUID={uuid.upper()} init=/sbin/init-ro", r"on device 254:0"),
        ("ext2", ext2, "root=/dev/vda rootfstype=ext2 ro init=/sbin/init-ro", r"on device 254:0"),
        ("partuuid", disk, f"root=PARTUUID={partuuid} rootfstype=ext4 rootflags=commit=10 rootwait=5 "
                           f"init=/sbin/init-ro", r"on device 254:2"),
    ]
    # No such disk: rootwait=N waits N seconds, then Linux's advice and panic.
    extra = ["-drive", f"file={whole},if=none,id=root,format=raw", "-device", "virtio-blk-pci,drive=root"]
    with Qemu(kernel, append="console=ttyS0 root=/dev/vdz rootwait=1 panic=-1", machine=machine, extra=extra,
              timeout=120, name=f"{name}_root_missing") as vm:
        vm.expect(r"Waiting for root device /dev/vdz", timeout=60)
        vm.expect(r"here are the available partitions", timeout=60)
        vm.expect(r"fe00 +131072 vda", timeout=60)
        vm.expect(r"Kernel panic - not syncing: VFS: Unable to mount root fs", timeout=60)
    print("missing root: waited, listed the disks, panicked as Linux")
    for case, image, append, device in cases:
        extra = ["-drive", f"file={image},if=none,id=root,format=raw", "-device", "virtio-blk-pci,drive=root"]
        with Qemu(kernel, append=f"console=ttyS0 {append}", machine=machine, extra=extra, timeout=120,
                  name=f"{name}_root_{case}") as vm:
            kind = "ext2" if case == "ext2" else "ext4"
            vm.expect(rf"VFS: Mounted root \({kind} filesystem\) readonly {device}", timeout=60)
            vm.expect(rf"{MARK} root is hello from the host", timeout=60)
            vm.expect(rf"{MARK} write refused", timeout=60)
            check(vm.wait_exit(timeout=60) == 0, f"{case}: QEMU exit status")
        if image != disk:
            fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
            check(fsck.returncode == 0, f"{case}: e2fsck -fn is not clean:\n{fsck.stdout}")
        print(f"root from {case}: mounted read-only, writes refused")


SWITCH_ROOT_APPLETS = ["sh", "mount", "umount", "mkdir", "cat", "sed", "switch_root", "poweroff"]
SWITCH_ROOT_INIT = f"""#!/bin/sh
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mkdir -p /mnt /newroot
mount -t ext4 /dev/vdb /mnt && echo "{MARK} vdb mounted"
sed "s/^/{MARK} vdb says /" /mnt/data/hello.txt
echo written-by-strix > /mnt/from-strix
mkdir /mnt/made-by-strix
umount /mnt && echo "{MARK} vdb unmounted"
mount -t ext4 -o ro /dev/vda /newroot && echo "{MARK} new root mounted"
umount /proc
exec switch_root /newroot /sbin/init-ro
echo "{MARK} switch_root failed"
poweroff -f
"""


def initramfs_then_switch_root(kernel, machine, directory, tree, name):
    """The other way to a disk root: an initramfs whose /init mounts a second disk from the
    shell (mount -t ext4 /dev/vdb /mnt), writes to it and unmounts it, then mounts the
    root disk and hands over with busybox's switch_root (MS_MOVE and chroot)."""
    root = os.path.join(directory, "switch_root.img")
    second = os.path.join(directory, "second.img")
    for image in (root, second):
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, image, "128M"], check=True)
    archive = NewcArchive()
    for path in ["bin", "dev", "proc", "mnt", "newroot"]:
        archive.directory(path)
    with open(BUSYBOX, "rb") as f:
        archive.file("bin/busybox", f.read(), 0o755)
    for applet in SWITCH_ROOT_APPLETS:
        archive.symlink(f"bin/{applet}", "busybox")
    archive.file("init", SWITCH_ROOT_INIT.encode(), 0o755)
    initrd = os.path.join(directory, "switch_root.cpio")
    with open(initrd, "wb") as f:
        f.write(archive.bytes())
    extra = ["-drive", f"file={root},if=none,id=root,format=raw", "-device", "virtio-blk-pci,drive=root",
             "-drive", f"file={second},if=none,id=second,format=raw", "-device", "virtio-blk-pci,drive=second"]
    with Qemu(kernel, append="console=ttyS0", initrd=initrd, machine=machine, extra=extra, timeout=120,
              name=f"{name}_switch_root") as vm:
        vm.expect(rf"{MARK} vdb mounted", timeout=60)
        vm.expect(rf"{MARK} vdb says hello from the host", timeout=30)
        vm.expect(rf"{MARK} vdb unmounted", timeout=30)
        vm.expect(rf"{MARK} new root mounted", timeout=30)
        vm.expect(rf"{MARK} root is hello from the host", timeout=30)
        vm.expect(rf"{MARK} write refused", timeout=30)
        check(vm.wait_exit(timeout=60) == 0, "switch_root: QEMU exit status")
        check("switch_root failed" not in vm.text() and "UBSAN" not in vm.text(), "switch_root run:\n" + vm.text())
    fsck = subprocess.run(["e2fsck", "-fn", second], capture_output=True, text=True)
    check(fsck.returncode == 0, f"the disk mounted from the shell is not clean:\n{fsck.stdout}")
    check(debugfs_file(second, "/from-strix") == b"written-by-strix\n", "/from-strix on the second disk")
    check(b"made-by-strix" in debugfs(second, "ls -l /"), "the directory made on the second disk")
    print("initramfs: mount -t ext4 from the shell, written and clean; switch_root to the disk root")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    parser.add_argument("--machine", default="pc")
    parser.add_argument("--modern", action="store_true", help="a virtio 1.0-only disk (disable-legacy=on)")
    parser.add_argument("--name", default="storage")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("STRIX_TEST_LOG_DIR")) as directory:
        tree = os.path.join(directory, "tree")
        os.makedirs(tree)
        files, symlinks, xattrs = build_tree(tree)
        script = os.path.join(tree, "sbin/init")
        with open(script, "w") as f:
            f.write(guest_script(symlinks))
        os.chmod(script, 0o755)
        image = make_image(directory, tree)
        pristine = os.path.join(directory, "pristine.img")
        shutil.copy(image, pristine)
        boot_and_check(args.kernel, args.machine, args.modern, args.name, directory, files, symlinks, xattrs, image)
        print(f"{args.machine}: {len(files)} files verified, new tree written and checked by e2fsck and debugfs")
        corrupt_images(args.kernel, args.machine, directory, pristine, args.name)
        corrupt_file_at_runtime(args.kernel, args.machine, directory, pristine, args.name)
        alternative_roots(args.kernel, args.machine, directory, tree, pristine, args.name)
        initramfs_then_switch_root(args.kernel, args.machine, directory, tree, args.name)


if __name__ == "__main__":
    run(main)
