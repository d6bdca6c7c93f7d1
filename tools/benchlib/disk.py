"""Tools, benchmarks: the storage group's disk — a fresh ext4 image for every boot, so each
kernel starts from the same file system. It also holds the benchmark userland (busybox,
strixbench, /strixbench-init), so that a kernel without mount(2) in its initramfs path can
boot from it instead (root=/dev/vda) and run the storage group on its root directory: the
same file system, the same files, only reached differently.
"""
import os
import shlex
import shutil
import subprocess

from . import initramfs

ROOT_INIT = "strixbench-init"
ROOT_APPEND = f"root=/dev/vda rw rdinit=/none init=/{ROOT_INIT}"


def build_tree(directory, strixbench_path, strixbench_arguments):
    """The userland copied into every disk image (mke2fs -d)."""
    if os.path.exists(directory):
        shutil.rmtree(directory)
    for sub in ["bin", "dev", "proc", "sys", "tmp", "mnt"]:
        os.makedirs(os.path.join(directory, sub))
    shutil.copy(initramfs.BUSYBOX, os.path.join(directory, "bin/busybox"))
    for applet in initramfs.APPLETS:
        os.symlink("busybox", os.path.join(directory, "bin", applet))
    shutil.copy(strixbench_path, os.path.join(directory, "bin/strixbench"))
    init = initramfs.INIT_TEMPLATE.format(
        start=initramfs.INIT_START_MARKER, mounted=initramfs.INIT_MOUNTED_MARKER, done=initramfs.INIT_DONE_MARKER,
        disk='DISK="--disk /"', arguments=" ".join(shlex.quote(a) for a in strixbench_arguments))
    path = os.path.join(directory, ROOT_INIT)
    with open(path, "w") as f:
        f.write(init)
    os.chmod(path, 0o755)


def fresh(path, size_mib, tree):
    """A new ext4 image holding `tree`, with /dev/console (made by debugfs: no root needed)."""
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate(size_mib * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "strixbench", "-d", tree, path], check=True)
    subprocess.run(["debugfs", "-w", "-R", "mknod /dev/console c 5 1", path], check=True, capture_output=True)
