#!/usr/bin/env python3
"""A person's session at the rescue shell, typed over the serial console, on Strix and on the
Linux reference kernel with the same initramfs (the one `make run` boots) and QEMU flags:
files and text tools, a tar round trip, permissions, processes, jobs and signals, ^C and
^Z at the terminal, vi, top, the system's reports, subshells, a here-document, poweroff.

    test_session.py KERNEL             # Strix (CTest: qemu.session, the UBSan kernel)
    test_session.py --linux CACHE_DIR  # Linux (qemu.session.linux): Debian's cloud kernel,
                                       # fetched once into CACHE_DIR (tools/benchlib)

Deterministic output is checked exactly (the same expectations for both kernels: where
Strix differs from Linux, Strix is wrong); timing-dependent reports (top, free, df...) by
their shape."""
import argparse
import hashlib
import os
import re
import sys
import tempfile
import time

from harness import check, run
from rescue_shell import boot_rescue, build_initramfs, check_kernel_clean

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from benchlib import reference_kernel  # noqa: E402
import make_rescue_initramfs  # noqa: E402

ANSI_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[^\[()])")
ESCAPE = "\x1b"
# Seconds between a job saying it runs and a key that signals it (the job's exec of sleep).
SETTLE = 1.0


def without_reports(lines):
    """Lines without ash's reports of how a waited-for job died."""
    return [line for line in lines if line not in ("Terminated", "Killed")]


def numbers_md5():
    return hashlib.md5("".join(f"{n}\n" for n in range(1, 1001)).encode()).hexdigest()


def files(shell):
    shell.expect_output("stty rows 24 cols 80; stty size", ["24 80"])
    listing = shell.ok("ls -la /")
    check(listing[0].startswith("total "), f"ls -la /: {listing[:2]}")
    entries = {line.split()[-1] if " -> " not in line else line.split()[-3]: line.split() for line in listing[1:]}
    for name in ["bin", "etc", "usr", "sbin", "root", "mnt"]:
        check(entries.get(name, [""])[0] == "drwxr-xr-x" and entries[name][2:4] == ["root", "root"] and
              entries[name][5:8] == ["Jan", "1", "1970"], f"ls -la / shows {name} as {entries.get(name)}")
    # tmpfs's directory sizes: 20 bytes an entry, "." and ".." included (Linux's shmem).
    sizes = {name: str(20 * (2 + count)) for name, count in archive_entry_counts().items()}
    for name in ["bin", "etc", "sbin", "usr", "mnt", "var"]:
        check(entries[name][4] == sizes[name], f"ls -la / shows {name} of size {entries[name][4]}, not {sizes[name]}")
    check(entries["tmp"][4] == "40", f"ls -la / shows an empty /tmp of size {entries['tmp'][4]}")
    check(entries["init"][:5] == ["-rwxr-xr-x", "1", "root", "root", str(len(init_script()))],
          f"ls -la / shows init as {entries['init']}")
    check(entries["tmp"][0] == "drwxrwxrwt" and entries["proc"][0] == "dr-xr-xr-x" and
          entries["sys"][0] == "dr-xr-xr-x", f"ls -la /: tmp {entries['tmp']}, proc {entries['proc']}")
    check(any(line.startswith("lrwxrwxrwx ") and line.endswith(" linuxrc -> bin/busybox") for line in listing),
          "ls -la / shows linuxrc's target")
    # A directory's links: its entry in its parent, its ".", each subdirectory's "..".
    subdirectories = sum(1 for name, e in entries.items() if e[0].startswith("d") and name not in (".", ".."))
    check(entries["."][1] == str(2 + subdirectories), f"ls -la /: link count of / {entries['.']}")

    status = shell.ok("cat /proc/self/status")
    fields = dict(line.split(":", 1) for line in status if ":" in line)
    for key in ["Name", "Umask", "State", "Tgid", "Pid", "PPid", "Uid", "Gid", "FDSize", "VmPeak", "VmSize",
                "VmRSS", "VmData", "VmStk", "VmExe", "Threads", "SigQ", "SigPnd", "SigBlk", "SigIgn", "SigCgt",
                "CapEff", "Cpus_allowed_list", "voluntary_ctxt_switches"]:
        check(key in fields, f"/proc/self/status lacks {key}: {status}")
    check([fields[k].strip() for k in ["Name", "Umask", "State", "Uid", "Threads"]] ==
          ["cat", "0022", "R (running)", "0\t0\t0\t0", "1"], f"/proc/self/status {fields}")
    check(fields["Pid"] == fields["Tgid"] and int(fields["PPid"]) > 1, f"/proc/self/status {fields}")

    shell.expect_output("mkdir -p /tmp/w && cd /tmp/w && pwd", ["/tmp/w"])
    shell.expect_output("seq 1 1000 > numbers && wc -l numbers && md5sum numbers",
                        ["1000 numbers", f"{numbers_md5()}  numbers"])
    # Pipelines.
    shell.expect_output("grep -c 7 numbers; grep '^99' numbers | sort -r | head -n 3", ["271", "999", "998", "997"])
    shell.expect_output("seq 1 100 | awk '{ sum += $1 } END { print sum }'", ["5050"])
    shell.expect_output(r"printf 'pear\napple\npear\nfig\napple\npear\n' | sort | uniq -c | sort -rn",
                        ["      3 pear", "      2 apple", "      1 fig"])
    shell.expect_output("echo hello world | sed 's/world/strix/; s/^h/H/'", ["Hello strix"])
    shell.expect_output("seq 20 | tail -n 3 | head -n 1; awk -F: '{ print $1 \"=\" $3 }' /etc/passwd",
                        ["18", "root=0"])
    shell.expect_output("cut -c1 numbers | sort | uniq -c | head -n 2", ["    112 1", "    111 2"])
    shell.expect_output("find /etc -type f | sort",
                        ["/etc/group", "/etc/hostname", "/etc/inittab", "/etc/passwd", "/etc/profile"])
    shell.expect_output("find / -xdev -name 'host*' -type f; find /etc -type l", ["/etc/hostname", "/etc/mtab"])

    # A tar czf + tar xzf round trip, checked with md5sum.
    shell.ok("mkdir -p src/sub && cp numbers src/ && echo alpha > src/sub/a.txt && "
             "printf 'x%.0s' $(seq 300) > src/sub/b.txt && ln -s sub/a.txt src/link && "
             "dd if=/dev/urandom of=src/random bs=1k count=64 2>/dev/null")
    shell.ok("tar czf src.tgz src && mkdir out && tar xzf src.tgz -C out")
    shell.expect_output("tar tzf src.tgz | sort", ["src/", "src/link", "src/numbers", "src/random", "src/sub/",
                                                   "src/sub/a.txt", "src/sub/b.txt"])
    shell.expect_output("(cd src && find . -type f | sort | xargs md5sum) > sums.src; "
                        "(cd out/src && find . -type f | sort | xargs md5sum) > sums.out; "
                        "cmp sums.src sums.out && grep -v random sums.out",
                        [f"{numbers_md5()}  ./numbers", f"{hashlib.md5(b'alpha' + bytes([10])).hexdigest()}  ./sub/a.txt",
                         f"{hashlib.md5(b'x' * 300).hexdigest()}  ./sub/b.txt"])
    shell.expect_output("readlink out/src/link; cat out/src/link", ["sub/a.txt", "alpha"])

    # cp, mv, rm, mkdir, ln -s, readlink.
    shell.expect_output("cp src/sub/a.txt copy.txt && mv copy.txt moved.txt && ls", [
        "moved.txt  numbers    out        src        src.tgz    sums.out   sums.src"])
    shell.expect_output("rm moved.txt; ls moved.txt", ["ls: moved.txt: No such file or directory"], status=1)
    shell.expect_output("ln -s /tmp/w/numbers numlink; readlink numlink; readlink -f out/src/link; wc -l < numlink",
                        ["/tmp/w/numbers", "/tmp/w/out/src/sub/a.txt", "1000"])
    shell.expect_output("mkdir -p d1/d2/d3 && rmdir d1/d2/d3 && ls -R d1 && rm -r d1 && ls -d d1",
                        ["d1:", "d2", "d1/d2:", "ls: d1: No such file or directory"], status=1)
    shell.expect_output("mkdir d1 d1; echo $?; rmdir /tmp; echo $?", [
        "mkdir: can't create directory 'd1': File exists", "1", "rmdir: '/tmp': Device or resource busy", "1"])

    # chmod and stat.
    shell.expect_output("echo data > perm.txt && chmod 640 perm.txt && stat -c '%A %a %s %F %U:%G %h %n' perm.txt",
                        ["-rw-r----- 640 5 regular file root:root 1 perm.txt"])
    shell.expect_output("chmod u+x,g-r,o+w perm.txt; stat -c '%A %a' perm.txt; chmod 4755 perm.txt; "
                        "stat -c '%A %a' perm.txt", ["-rwx----w- 702", "-rwsr-xr-x 4755"])
    shell.expect_output("stat -c '%A %F %N' numlink src/sub /dev/null /dev/pts/ptmx", [
        "lrwxrwxrwx symbolic link 'numlink' -> '/tmp/w/numbers'", "drwxr-xr-x directory src/sub",
        "crw-rw-rw- character special file /dev/null", "c--------- character special file /dev/pts/ptmx"])
    shell.expect_output("ln perm.txt hard; stat -c '%h %i' perm.txt | cut -d' ' -f1; "
                        "[ $(stat -c %i hard) = $(stat -c %i perm.txt) ] && echo same inode", ["2", "same inode"])
    details = shell.ok("stat perm.txt")
    check(details[0] == "  File: perm.txt" and
          re.match(r"  Size: 5\s+Blocks: \d+\s+IO Block: 4096\s+regular file$", details[1]) and
          re.match(r"Device: [0-9a-f]+h/\d+d\s+Inode: \d+\s+Links: 2$", details[2]) and
          details[3] == "Access: (4755/-rwsr-xr-x)  Uid: (    0/    root)   Gid: (    0/    root)" and
          all(re.match(r"(Access|Modify|Change): 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} \+0000$", line)
              for line in details[4:7]), f"stat perm.txt: {details}")
    shell.expect_output("touch -d '2001-02-03 04:05:06' perm.txt; stat -c '%y %Y' perm.txt",
                        ["2001-02-03 04:05:06.000000000 +0000 981173106"])


def processes(shell):
    ps = shell.ok("ps")
    check(ps[0].split()[:2] == ["PID", "USER"] and ps[0].split()[-1] == "COMMAND", f"ps header {ps[0]!r}")
    check(re.match(r"\s*1 root\s+init$", ps[1]), f"ps: pid 1 {ps[1]!r}")
    check(any(re.search(r"\{ps\} /bin/sh -l$", line) for line in ps), f"ps lacks itself: {ps}")

    # A background job: jobs, kill, wait.
    shell.expect_output("sleep 100 &", [])
    shell.expect_output("jobs", ["[1]+  Running                    sleep 100"])
    check(len(shell.ok("ps | grep 'sleep 100$'")) == 1, "ps shows the background sleep")
    # `wait` says how a job died ("Terminated") when it reaps it itself rather than ash's
    # SIGCHLD handler: a matter of timing, on Linux too.
    lines, status = shell.run("kill %1; wait %1; echo $?")
    check(status == 0 and without_reports(lines) == ["143"], f"kill %1; wait %1: {lines} {status}")
    check(shell.notices == ["[1]+  Terminated                 sleep 100"], f"after kill %1: {shell.notices}")
    shell.expect_output("jobs", [])
    lines, status = shell.run("sleep 100 & pid=$!; kill -0 $pid; echo alive=$?; kill -KILL $pid; wait $pid; "
                              "echo $?; kill $pid")
    lines = without_reports(lines)
    check(status == 1 and lines[:2] == ["alive=0", "137"] and len(lines) == 3 and
          re.fullmatch(r"sh: can't kill pid \d+: No such process", lines[2]), f"kill -KILL: {lines} {status}")

    # A trap on SIGUSR1, in the shell and in a child shell.
    shell.expect_output("trap 'echo caught USR1' USR1; kill -USR1 $$; echo after; trap - USR1",
                        ["caught USR1", "after"])
    shell.expect_output("sh -c 'trap \"echo child caught USR1; exit 7\" USR1; kill -USR1 $$; sleep 5'; echo $?",
                        ["child caught USR1", "7"])
    shell.expect_output("sh -c 'kill -USR1 $$'; echo $?; sh -c 'kill -SEGV $$'; echo $?", ["User defined signal 1", "138", "Segmentation fault", "139"])
    shell.expect_output("trap 'echo exiting' EXIT; (trap 'echo sub exit' EXIT; exit 4); echo $?; trap - EXIT",
                        ["sub exit", "4"])

    # Subshells two levels deep, command substitution, exit statuses.
    shell.expect_output("( echo level1; ( echo level2; exit 3 ); echo inner=$? ); echo outer=$?",
                        ["level1", "level2", "inner=3", "outer=0"])
    shell.expect_output("echo $(echo $(echo nested substitution)); (exit 5) | (exit 6); echo $?",
                        ["nested substitution", "6"])
    shell.expect_output("false; echo $?; true; echo $?; sh -c 'exit 42'; echo $?; nonexistent-command; echo $?",
                        ["1", "0", "42", "/bin/sh: nonexistent-command: not found", "127"])


def here_document(shell):
    """A here-document typed line by line (the shell prompts with PS2 for each)."""
    shell.ok("PS2=; x=expanded")
    shell.expect_output("cat <<EOF\nfirst line\n$x and $((6 * 7))\n\ttabbed\nEOF",
                        ["first line", "expanded and 42", "\ttabbed"])
    shell.expect_output("cat <<'EOF'\nliteral $x\nEOF", ["literal $x"])
    shell.expect_output("tr a-z A-Z <<-EOF\n\t\tstripped tabs\n\tEOF", ["STRIPPED TABS"])


def terminal(shell):
    """Keys at the terminal: ^C, ^Z and fg. Each job first says it runs: by then ash has made
    it the terminal's foreground process group, so the key's signal reaches it, not the shell."""
    vm = shell.vm
    start = shell.mark()
    vm.send("sh -c 'echo running; exec sleep 100'\n")
    vm.expect(r"\brunning$", timeout=20, start=start)
    time.sleep(SETTLE)
    vm.send(b"\x03")  # ^C: SIGINT to the foreground process group
    shell.wait_prompt(start, timeout=10)
    shell.expect_output("echo $?", ["130"])

    start = shell.mark()
    job = 'sh -c "echo running; sleep 6; echo resumed"'
    vm.send("sh -c 'echo running; sleep 6; echo resumed'\n")
    vm.expect(r"\brunning$", timeout=20, start=start)
    time.sleep(SETTLE)
    vm.send(b"\x1a")  # ^Z: SIGTSTP; the shell reports the job stopped
    vm.expect(re.escape(f"[1]+  Stopped                    {job}"), timeout=10, start=start)
    shell.wait_prompt(start, timeout=10)
    shell.expect_output("echo $?", ["148"])
    shell.expect_output("jobs", [f"[1]+  Stopped                    {job}"])
    shell.expect_output("fg", [job, "resumed"], timeout=30)
    shell.expect_output("jobs", [])


def vi(shell):
    """vi: opens a file, edits it with insert/append/open-line commands and escapes, saves."""
    vm = shell.vm
    shell.ok(r"cd /tmp/w && printf 'line one\nline two\n' > notes.txt")
    start = shell.mark()
    vm.send("vi notes.txt\n")
    vm.expect(r"notes\.txt 1/2 50%", timeout=20, start=start)
    # Typed key by key: an escape followed at once by other keys would read as one sequence.
    for keys in ["G", "A", " (edited)", ESCAPE, "o", "line three", ESCAPE, "1G", "i", "first: ", ESCAPE,
                 "/thr", "\r", "x", ":wq\r"]:
        vm.send(keys)
        time.sleep(0.3)
    vm.expect(r"'notes\.txt' 3L, 44C", timeout=20, start=start)
    shell.wait_prompt(start)
    shell.expect_output("cat notes.txt", ["first: line one", "line two (edited)", "line hree"])
    # vi gave the terminal its settings back.
    check(" -echo " in " ".join(shell.ok("stty -a")) + " ", "echo is still off after vi")


def system_reports(shell):
    top = [ANSI_ESCAPE.sub("", line) for line in shell.ok("top -b -n1")]
    check(re.match(r"Mem: \d+K used, \d+K free, \d+K shrd, \d+K buff, \d+K cached$", top[0]) and
          re.match(r"CPU:\s+\d+% usr\s+\d+% sys\s+\d+% nic\s+\d+% idle\s+\d+% io\s+\d+% irq\s+\d+% sirq$", top[1]) and
          re.match(r"Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+$", top[2]) and
          top[3].split() == ["PID", "PPID", "USER", "STAT", "VSZ", "%VSZ", "%CPU", "COMMAND"] and
          any(re.match(r"\s*\d+\s+\d+ root\s+R\s+\d+\s+\d+%\s+\d+% top -b -n1$", line) for line in top[4:]) and
          any(re.match(r"\s*1\s+0 root\s+S\s+\d+\s+\d+%\s+\d+% init$", line) for line in top[4:]),
          f"top -b -n1: {top[:6]}")
    # CPU shares add up to the whole (give or take rounding); an idle shell is no load.
    shares = [int(share) for share in re.findall(r"(\d+)%", top[1])]
    check(all(share <= 100 for share in shares) and 95 <= sum(shares) <= 105, f"top's CPU line: {top[1]}")
    check(float(top[2].split()[2]) < 1.0, f"top's load average: {top[2]}")
    # The screen version: clears the screen, header in reverse video, at most 24 lines.
    raw = shell.ok("top -n1")
    check(raw[0].startswith("\x1b[H\x1b[JMem: ") and "\x1b[7m  PID  PPID USER" in raw[3] and len(raw) <= 24,
          f"top -n1: {raw[:5]}")

    df = shell.ok("df")
    check(df[0].split() == ["Filesystem", "1K-blocks", "Used", "Available", "Use%", "Mounted", "on"], f"df {df}")
    rows = {line.split()[-1]: line.split() for line in df[1:]}
    check(rows.get("/dev", [""])[0] == "devtmpfs" and rows.get("/tmp", [""])[0] == "tmpfs" and
          all(re.fullmatch(r"\d+", f) for row in rows.values() for f in row[1:4]) and
          all(int(row[1]) >= int(row[2]) for row in rows.values()), f"df {df}")
    check(int(shell.ok("df /tmp | tail -n 1 | awk '{ print $3 }'")[0]) > 0, "df: the files of /tmp use space")

    mounts = [line.split() for line in shell.ok("mount")]
    check(all(len(m) == 6 and m[1] == "on" and m[3] == "type" for m in mounts), f"mount {mounts}")
    check([(m[2], m[4]) for m in mounts] == [("/", "rootfs"), ("/proc", "proc"), ("/sys", "sysfs"),
                                              ("/dev", "devtmpfs"), ("/dev/pts", "devpts"), ("/tmp", "tmpfs")],
          f"mount {mounts}")
    # Linux also shows rootfs's and devtmpfs's size= and nr_inodes=: they were sized before
    # the memory of its boot was freed, so they differ from today's defaults.
    options = [m[5] for m in mounts]
    check(options[1:3] == ["(rw,relatime)"] * 2 and options[4] == "(rw,relatime,gid=5,mode=620,ptmxmode=000)" and
          options[5] == "(rw,nosuid,nodev,relatime,inode64)" and options[0].startswith("(rw,") and
          options[0].endswith(",inode64)") and options[3].startswith("(rw,relatime,") and
          options[3].endswith(",mode=755,inode64)"), f"mount options {options}")
    shell.expect_output("umount /", ["umount: can't unmount /: Invalid argument"], status=1)

    dmesg = shell.ok("dmesg", keep_kernel_lines=True)
    check(all(re.match(r"\[\s*\d+\.\d{6}\] ", line) for line in dmesg[:20]) and
          re.search(r"Command line: console=ttyS0$", "\n".join(dmesg[:10]), re.MULTILINE), f"dmesg {dmesg[:10]}")
    shell.ok("echo '<4>session-test: written to kmsg' > /dev/kmsg")
    check(shell.ok("dmesg | grep -c 'session-test: written'", keep_kernel_lines=True) == ["1"], "dmesg after /dev/kmsg")

    date = shell.ok("date")
    check(re.fullmatch(r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC 20\d\d", date[0]), f"date {date}")
    seconds = int(shell.ok("date +%s")[0])
    check(abs(seconds - time.time()) < 600, f"date +%s: {seconds}, the host says {time.time():.0f}")
    shell.expect_output("date -d @0 -u '+%Y-%m-%d %H:%M:%S'", ["1970-01-01 00:00:00"])
    uptime = shell.ok("uptime")
    check(re.fullmatch(r" \d\d:\d\d:\d\d up \d+ min,  0 users,  load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d",
                       uptime[0]), f"uptime {uptime}")
    free = shell.ok("free")
    check(free[0].split() == ["total", "used", "free", "shared", "buff/cache", "available"] and
          re.fullmatch(r"Mem:(\s+\d+){6}", free[1]) and re.fullmatch(r"Swap:\s+0\s+0\s+0", free[2]), f"free {free}")
    total, used, free_kib, shared, cache = (int(x) for x in free[1].split()[1:6])
    check(total > 100 * 1024 and 0 < used < total and 0 < free_kib < total, f"free {free}")
    # The initramfs's files live in tmpfs: shared memory, and page cache.
    check(shared > 1024 and cache >= shared, f"free: tmpfs's pages are not counted: {free}")
    shell.expect_output("hostname; uname -s; uname -m", ["strix", "Linux", "x86_64"])


def archive_entry_counts():
    """How many entries each top-level directory of the rescue initramfs has."""
    counts = {}
    paths = make_rescue_initramfs.applets("/bin/busybox") + ["bin/busybox", "etc/mtab"] + [
        name for name in make_rescue_initramfs.FILES]
    directories = {"bin", "sbin", "usr", "etc", "mnt", "var", "usr/bin", "usr/sbin"}
    for path in set(paths) | directories:
        top = path.split("/")[0]
        if path != top:
            counts[top] = counts.get(top, 0) + (1 if path.count("/") == 1 else 0)
        counts.setdefault(top, 0)
    return counts


def init_script():
    return make_rescue_initramfs.INIT.replace("__BANNER__", make_rescue_initramfs.BANNER_MARKER)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kernel", nargs="?", help="the Strix kernel")
    parser.add_argument("--linux", metavar="CACHE_DIR", help="run on Debian's cloud kernel, fetched into CACHE_DIR")
    args = parser.parse_args()
    check(bool(args.kernel) != bool(args.linux), "give a Strix kernel or --linux CACHE_DIR")
    kernel, name = args.kernel, "session"
    if args.linux:
        try:
            kernel = reference_kernel.fetch(args.linux)
        except (reference_kernel.ReferenceKernelError, OSError) as error:
            check(False, f"cannot fetch the Linux reference kernel ({reference_kernel.META_PACKAGE}, "
                         f"needs apt and Debian's archive): {error}")
        name = "session_linux"
        print(f"session: Linux reference kernel {reference_kernel.describe(kernel)}")
    with tempfile.TemporaryDirectory() as work:
        started = time.monotonic()
        with boot_rescue(kernel, build_initramfs(work), memory="256M", timeout=300, name=name) as (vm, shell):
            print(f"session: at the prompt after {time.monotonic() - started:.1f}s")
            files(shell)
            processes(shell)
            here_document(shell)
            terminal(shell)
            vi(shell)
            system_reports(shell)
            print(f"session: {shell.count} commands typed, {time.monotonic() - started:.1f}s")
            shell.poweroff()
            check_kernel_clean(vm, strix=not args.linux)


run(main)
