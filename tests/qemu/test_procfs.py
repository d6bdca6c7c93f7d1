#!/usr/bin/env python3
"""Boots the rescue initramfs (tools/make_rescue_initramfs.py) and drives its busybox shell
over the serial console: the pseudo filesystems (/proc, /sys, /dev), the simple devices,
mounting, and the programs that parse them (mount, ps, top, free, uptime, df, dmesg...),
then powers off (QEMU must exit with status 0).

The shell is driven through rescue_shell.py: echo off, each command followed by a marker
carrying its exit status."""
import argparse
import re
import tempfile

from harness import check, run
from rescue_shell import boot_rescue, build_initramfs, check_kernel_clean


def check_mounts(shell):
    mount_lines = shell.ok("mount")
    proc_lines = shell.ok("cat /proc/mounts")
    check(len(proc_lines) >= 5, f"/proc/mounts has {len(proc_lines)} lines: {proc_lines}")
    expected = []
    for line in proc_lines:
        fields = line.split()
        check(len(fields) == 6 and fields[4:] == ["0", "0"], f"/proc/mounts line {line!r}")
        expected.append(f"{fields[0]} on {fields[1]} type {fields[2]} ({fields[3]})")
    check(mount_lines == expected, f"mount says {mount_lines}, /proc/mounts {expected}")
    for point, kind in [("/", "rootfs"), ("/proc", "proc"), ("/sys", "sysfs"), ("/dev", "devtmpfs"),
                        ("/tmp", "tmpfs")]:
        check(any(line.split()[1:3] == [point, kind] for line in proc_lines), f"no {kind} on {point}")
    info = shell.ok("cat /proc/self/mountinfo")
    check(len(info) == len(proc_lines) and all(" - " in line for line in info), f"mountinfo {info}")


def check_process_files(shell):
    status = shell.ok("cat /proc/self/status")
    fields = dict(line.split(":", 1) for line in status if ":" in line)
    for key in ["Name", "State", "Tgid", "Pid", "PPid", "Uid", "VmRSS", "Threads", "SigBlk"]:
        check(key in fields, f"/proc/self/status lacks {key}: {status}")
    check(fields["Name"].strip() == "cat" and fields["State"].strip() == "R (running)", f"status {fields}")
    check(fields["VmRSS"].strip().endswith(" kB"), f"VmRSS {fields['VmRSS']!r}")
    stat = shell.ok("cat /proc/self/stat")[0]
    after_comm = stat[stat.rindex(")") + 2:].split()
    check(stat.split()[1] == "(cat)" and len(after_comm) == 50, f"/proc/self/stat {stat!r}")
    fds = shell.ok("ls -l /proc/self/fd")
    for fd in ["0", "1", "2"]:
        check(any(re.search(rf" {fd} -> /dev/ttyS0$", line) for line in fds), f"fd {fd} in {fds}")
    check(shell.ok("readlink /proc/self/exe") == ["/bin/busybox"], "readlink /proc/self/exe")
    check(shell.ok("cat /proc/self/cmdline | tr '\\0' ' '") == ["cat /proc/self/cmdline "], "cmdline")
    maps = shell.ok("cat /proc/self/maps")
    check(any(line.endswith("/bin/busybox") and " r-xp " in line for line in maps) and
          any(line.endswith("[stack]") for line in maps), f"maps {maps}")
    ps = shell.ok("ps")
    check(ps[0].split() == ["PID", "USER", "TIME", "COMMAND"] or ps[0].split()[:2] == ["PID", "USER"],
          f"ps header {ps[0]!r}")
    check(any(re.match(r"\s*1 root .*init", line) for line in ps), f"ps lacks init: {ps}")
    # ps runs in the shell's child without exec (a busybox "noexec" applet): {ps} and the
    # shell's command line, as on Linux.
    check(any(re.search(r"\bps\b", line) for line in ps[1:]), f"ps lacks itself: {ps}")
    top = shell.ok("top -n1 -b")
    check(top[0].startswith("Mem:") and any(line.startswith("Load average:") for line in top) and
          any(re.search(r"\btop\b", line) for line in top[4:]), f"top {top}")


def check_system_files(shell):
    meminfo = shell.ok("cat /proc/meminfo")
    for line in meminfo:
        check(re.fullmatch(r"[A-Za-z0-9_()]+:\s+\d+( kB)?", line), f"meminfo line {line!r}")
    total = int(re.search(r"\d+", meminfo[0]).group())
    check(meminfo[0].startswith("MemTotal:") and total > 64 * 1024, f"meminfo {meminfo[:3]}")
    free = shell.ok("free")
    check(free[1].split()[:2] == ["Mem:", str(total)], f"free {free} vs MemTotal {total}")
    uptime = shell.ok("uptime")
    check(re.search(r"up .*load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d", uptime[0]), f"uptime {uptime}")
    df = shell.ok("df")
    check(df[0].split()[0] == "Filesystem" and any(line.endswith(" /tmp") for line in df) and
          any(line.endswith(" /dev") for line in df), f"df {df}")
    check(shell.ok("grep -c processor /proc/cpuinfo") == ["1"], "cpuinfo processors")
    check(shell.ok("hostname") == ["strix"], "hostname")
    uname = shell.ok("uname -a")[0]
    check(uname.startswith("Linux strix 6.1.0-") and uname.endswith("x86_64 GNU/Linux"), f"uname {uname!r}")
    check(shell.ok("cat /proc/sys/kernel/hostname /proc/sys/kernel/ostype") == ["strix", "Linux"], "sys/kernel")
    shell.ok("echo rescue > /proc/sys/kernel/hostname")
    check(shell.ok("hostname") == ["rescue"], "hostname written through /proc/sys/kernel/hostname")
    shell.ok("hostname strix")
    check(any(line == "nodev\tproc" for line in shell.ok("cat /proc/filesystems")), "filesystems")
    shell.ok("mdev -s")  # busybox's device manager reads /sys/dev and /sys/class
    sys_dev = shell.ok("ls /sys/dev/char")
    check({"1:3", "1:5", "1:7", "1:8", "1:9", "1:11"} <= set(" ".join(sys_dev).split()), f"/sys/dev/char {sys_dev}")
    check(shell.ok("cat /sys/class/mem/null/dev") == ["1:3"], "/sys/class/mem/null/dev")


def check_log(shell):
    dmesg = shell.ok("dmesg", keep_kernel_lines=True)
    check(any("Strix version" in line for line in dmesg), f"dmesg lacks the banner: {dmesg[:5]}")
    shell.ok("echo '<5>procfs-test: hello' > /dev/kmsg")
    check(any(line.endswith("procfs-test: hello") for line in shell.ok("dmesg", keep_kernel_lines=True)),
          "dmesg lacks the record written to /dev/kmsg")
    first = shell.ok("dd if=/dev/kmsg bs=8192 count=1 2>/dev/null", keep_kernel_lines=True)
    check(re.match(r"5,0,\d+,-;Strix version", first[0]), f"/dev/kmsg's first record {first[0]!r}")
    # A reader the ring overtakes gets EPIPE once, then reads on from the oldest record.
    # (Level 7 records stay off the console.)
    lines, status = shell.run("exec 3</dev/kmsg; i=0; while [ $i -lt 2500 ]; do "
                              "echo \"<7>filler record number $i\" > /dev/kmsg; i=$((i+1)); done; "
                              "dd bs=8192 count=1 <&3; echo status=$?; dd bs=8192 count=1 <&3 2>/dev/null; "
                              "echo; exec 3<&-", keep_kernel_lines=True)
    check(any("Broken pipe" in line for line in lines) and "status=1" in lines and
          any(re.match(r"15,\d+,\d+,-;filler record number \d+$", line) for line in lines), f"overtaken: {lines}")


def check_devices(shell):
    random = shell.ok("dd if=/dev/urandom bs=16 count=1 2>/dev/null | od -An -tx1")
    random_bytes = " ".join(random).split()
    check(len(random_bytes) == 16 and set(random_bytes) != {"00"}, f"urandom {random}")
    zeros = shell.ok("head -c 16 /dev/zero | od")
    check(zeros == ["0000000 000000 000000 000000 000000 000000 000000 000000 000000", "0000020"], f"zero {zeros}")
    check(shell.ok("cat /dev/null | wc -c") == ["0"], "/dev/null reads nothing")
    lines, status = shell.run("echo > /dev/full")
    check(status != 0 and any("No space left on device" in line for line in lines), f"/dev/full: {status} {lines}")
    shell.ok("ls -l /dev/stdin /dev/stdout /dev/stderr /dev/fd/")
    # /proc/self/fd/N of a pipe opens that pipe again.
    check(shell.ok("echo through-a-pipe | cat /dev/stdin") == ["through-a-pipe"], "cat /dev/stdin of a pipe")
    link = shell.ok("echo | readlink /proc/self/fd/0")
    check(len(link) == 1 and re.fullmatch(r"pipe:\[\d+\]", link[0]), f"pipe fd link {link}")


def check_mounting(shell):
    shell.ok("mkdir -p /mnt/t /mnt/b /tmp/source && echo bound > /tmp/source/f")
    shell.ok("mount -t tmpfs -o size=1m scratch /mnt/t && echo hello > /mnt/t/f")
    check(shell.ok("grep ' /mnt/t ' /proc/mounts") == ["scratch /mnt/t tmpfs rw,relatime,size=1024k,inode64 0 0"], "tmpfs mounted")
    check(shell.ok("cat /mnt/t/f") == ["hello"], "file on the new tmpfs")
    shell.ok("umount /mnt/t")
    check(shell.run("grep -c ' /mnt/t ' /proc/mounts")[0] == ["0"], "tmpfs unmounted")
    check(shell.run("cat /mnt/t/f")[1] != 0, "the file went with the mount")

    shell.ok("mount --bind /tmp/source /mnt/b")
    check(shell.ok("cat /mnt/b/f") == ["bound"], "bind mount shows the source")
    check(any(line.split()[1] == "/mnt/b" for line in shell.ok("cat /proc/mounts")), "bind mount listed")
    shell.ok("umount /mnt/b")

    shell.ok("mount -t tmpfs scratch /mnt/t && echo before > /mnt/t/f && mount -o remount,ro /mnt/t")
    check(shell.ok("grep ' /mnt/t ' /proc/mounts") == ["scratch /mnt/t tmpfs ro,relatime,inode64 0 0"], "remounted ro")
    lines, status = shell.run("echo after > /mnt/t/g")
    check(status != 0 and any("Read-only file system" in line for line in lines), f"write on ro: {lines}")
    lines, status = shell.run("echo after >> /mnt/t/f")
    check(status != 0 and any("Read-only file system" in line for line in lines), f"append on ro: {lines}")
    check(shell.ok("cat /mnt/t/f") == ["before"], "a read-only mount still reads")
    shell.ok("mount -o remount,rw /mnt/t && echo again > /mnt/t/g && umount /mnt/t")

    # /sys/fs/cgroup is a mount point; names inside /proc cannot be (they are never kept).
    shell.ok("mount -t tmpfs cgroup-stand-in /sys/fs/cgroup && grep -q ' /sys/fs/cgroup ' /proc/mounts && "
             "umount /sys/fs/cgroup")
    lines, status = shell.run("mount -t tmpfs none /proc/sys")
    check(status != 0 and any("Invalid argument" in line for line in lines), f"mount on /proc/sys: {lines}")

    # pivot_root: EINVAL from the initramfs's root (Linux's rule: rootfs stays), and a
    # real pivot inside a chroot whose root is a mount.
    lines, status = shell.run("mount -t tmpfs scratch /mnt/t && mkdir /mnt/t/old && pivot_root /mnt/t /mnt/t/old")
    check(status != 0 and any("Invalid argument" in line for line in lines), f"pivot_root from rootfs: {lines}")
    shell.ok("umount /mnt/t")
    shell.ok("mkdir -p /mnt/a && mount -t tmpfs outer /mnt/a && mkdir -p /mnt/a/bin /mnt/a/new && "
             "cp /bin/busybox /mnt/a/bin/ && mount -t tmpfs inner /mnt/a/new && "
             "mkdir -p /mnt/a/new/bin /mnt/a/new/old && cp /bin/busybox /mnt/a/new/bin/ && "
             "echo inner > /mnt/a/new/marker")
    pivoted = shell.ok("chroot /mnt/a /bin/busybox sh -c "
                       "'/bin/busybox pivot_root /new /new/old && /bin/busybox cat /marker && /bin/busybox ls /old'")
    check(pivoted == ["inner", "bin  new"] or pivoted[:1] == ["inner"] and "bin" in " ".join(pivoted[1:]),
          f"after pivot_root: {pivoted}")
    mounts = [line.split()[:2] for line in shell.ok("cat /proc/mounts")]
    check(["inner", "/mnt/a"] in mounts and ["outer", "/mnt/a/old"] in mounts, f"mounts after pivot_root: {mounts}")
    shell.ok("umount /mnt/a/old && umount /mnt/a")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        with boot_rescue(args.kernel, build_initramfs(work)) as (vm, shell):
            check_mounts(shell)
            check_process_files(shell)
            check_system_files(shell)
            check_log(shell)
            check_devices(shell)
            check_mounting(shell)
            shell.poweroff()
            check_kernel_clean(vm)


run(main)
