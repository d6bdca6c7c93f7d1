#!/usr/bin/env python3
"""Tools, benchmarks: Strix and Linux side by side, booted by identical QEMU command lines.

  tools/bench.py [run] [options]   the benchmarks of bench/strixbench.c, kernels alternating
                                   A B A B over --rounds, a table of medians and a JSON record
  tools/bench.py boot [options]    boot time (QEMU start to Strix's ready line / Linux's /init),
                                   image sizes, memory in use, and whether each boots in -m 32M
  tools/bench.py --short --check   the CTest smoke run: one round, three benchmarks, and a
                                   check that every line parsed (no timing assertions)

The reference is Debian's current bookworm cloud kernel (fetched once with apt-get download,
cached in build/bench/). Both kernels boot the same initramfs (busybox-static, strixbench, an
/init script). A kernel that does not reach init (Strix, until it runs user programs) is
reported as n/a, and is not booted again in later rounds. Details: docs/benchmarks.md.
"""
import argparse
import dataclasses
import datetime
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import boot_mode, disk, initramfs, qemu, reference_kernel, results  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHORT_BENCHMARKS = "getppid,pipe_round_trip,fork_exit_wait"
KERNEL_APPEND = "console=ttyS0 panic=-1"


def log(message):
    print(message, flush=True)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", choices=["run", "boot"], default="run")
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    parser.add_argument("--strix-kernel", help="default: BUILD_DIR/strix")
    parser.add_argument("--linux-kernel", help="a bzImage to use instead of fetching Debian's")
    parser.add_argument("--kernels", default="strix,linux", help="comma-separated, in boot order")
    parser.add_argument("--rounds", type=int, help="default 5 (1 with --short)")
    parser.add_argument("--memory", default="256M", help="QEMU -m (default 256M)")
    parser.add_argument("--cpus", type=int, default=1, help="QEMU -smp (default 1)")
    parser.add_argument("--clock", choices=["wall", "icount", "both"], default="wall",
                        help="icount: deterministic guest clock (-icount shift=0,align=off,sleep=off)")
    parser.add_argument("--append-extra", default="", help="added to both kernels' command line")
    parser.add_argument("--qemu", default="qemu-system-x86_64")
    parser.add_argument("--hard-timeout", type=float, help="seconds per boot (default 300; --short 150)")
    parser.add_argument("--init-wait", type=float, default=30.0,
                        help="seconds from the kernel's ready line to init's first line (default 30)")
    parser.add_argument("--retry-no-init", action="store_true",
                        help="boot a kernel again in later rounds even if it did not reach init")
    parser.add_argument("--only", help="comma-separated strixbench benchmarks (default all)")
    parser.add_argument("--reps", type=int, help="strixbench repetitions (default 5)")
    parser.add_argument("--target-ms", type=int, help="strixbench length of one repetition (default 50)")
    parser.add_argument("--bench-timeout", type=int, default=60, help="seconds per benchmark in the guest")
    parser.add_argument("--disk", action="store_true",
                        help="attach an ext4 virtio disk and run the storage group on it")
    parser.add_argument("--disk-mib", type=int, default=256, help="sequential file size (default 256)")
    parser.add_argument("--disk-root", default="strix",
                        help="kernels that boot from the disk (root=/dev/vda) and run the storage group on "
                             "its root, instead of mounting it from the initramfs (default: strix)")
    parser.add_argument("--small-files", type=int, default=10000)
    parser.add_argument("--short", action="store_true", help="one round, three benchmarks, quick reps")
    parser.add_argument("--check", action="store_true", help="exit 1 unless every boot's output parsed")
    parser.add_argument("--json", help="where to write the record (default build/bench/results/...)")
    args = parser.parse_args(argv)
    args.kernels = [k for k in args.kernels.split(",") if k]
    args.disk_root = [k for k in args.disk_root.split(",") if k]
    if args.short:
        args.rounds = args.rounds or 1
        args.only = args.only or SHORT_BENCHMARKS
        args.hard_timeout = args.hard_timeout or 150
    args.rounds = args.rounds or 5
    args.hard_timeout = args.hard_timeout or 300
    args.clocks = ["wall", "icount"] if args.clock == "both" else [args.clock]
    return args


# ---------------------------------------------------------------------------------------------
# Artifacts: strixbench, the kernels, the initramfs.

def build_strixbench(cache):
    source = os.path.join(REPO, "bench", "strixbench.c")
    output = os.path.join(cache, "strixbench")
    if not shutil.which("musl-gcc"):
        sys.exit("bench: musl-gcc not found (apt-get install musl-tools)")
    # musl's headers plus the kernel's UAPI ones (linux/futex.h), as the musl-gcc wrapper
    # does not search /usr/include.
    uapi = os.path.join(cache, "uapi")
    os.makedirs(uapi, exist_ok=True)
    for name, target in [("linux", "/usr/include/linux"), ("asm", "/usr/include/x86_64-linux-gnu/asm"),
                         ("asm-generic", "/usr/include/asm-generic")]:
        link = os.path.join(uapi, name)
        if not os.path.islink(link):
            os.symlink(target, link)
    if os.path.exists(output) and os.path.getmtime(output) >= os.path.getmtime(source):
        return output
    log("bench: building strixbench (musl-gcc -static -O2)")
    temporary = f"{output}.{os.getpid()}"
    subprocess.run(["musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-isystem", uapi, "-o", temporary, source],
                   check=True)
    os.replace(temporary, output)
    return output


def strixbench_arguments(args):
    arguments = []
    if args.short:
        arguments.append("--quick")
    if args.only:
        arguments += ["--only", args.only]
    if args.reps:
        arguments += ["--reps", str(args.reps)]
    if args.target_ms:
        arguments += ["--target-ms", str(args.target_ms)]
    arguments += ["--timeout", str(args.bench_timeout)]
    if args.disk:
        arguments += ["--disk-mib", str(args.disk_mib), "--small-files", str(args.small_files)]
    return arguments


@dataclasses.dataclass
class Setup:
    cache: str
    kernels: dict      # name -> path
    initrd: str
    strixbench: str
    linux_description: str = None
    disk_image: str = None
    disk_tree: str = None


def prepare(args):
    cache = os.path.join(args.build_dir, "bench")
    os.makedirs(cache, exist_ok=True)
    for tool in (args.qemu, "dpkg-deb", "apt-get"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} not found (see docs/benchmarks.md for the Debian packages)")
    strixbench = build_strixbench(cache)
    kernels = {}
    linux = None
    for name in args.kernels:
        if name == "strix":
            path = args.strix_kernel or os.path.join(args.build_dir, "strix")
            if not os.path.exists(path):
                log(f"bench: no Strix kernel at {path} (build it first); its column will be n/a")
                continue
            kernels["strix"] = path
        elif name == "linux":
            linux = args.linux_kernel or reference_kernel.fetch(cache, log)
            kernels["linux"] = linux
        else:
            sys.exit(f"bench: unknown kernel {name!r} (strix, linux)")
    modules = None
    disk_image = None
    disk_tree = None
    if args.disk:
        modules = reference_kernel.modules(linux) if linux else []
        disk_image = os.path.join(cache, f"disk-{os.getpid()}.img")
        disk_tree = os.path.join(cache, f"disk-tree-{os.getpid()}")
        disk.build_tree(disk_tree, strixbench, strixbench_arguments(args))
    # Per process, so a `make bench` and a ctest run side by side do not swap initramfs.
    initrd = os.path.join(cache, f"initramfs-{args.mode}-{os.getpid()}.cpio.gz")
    initramfs.build(initrd, strixbench, strixbench_arguments(args), modules)
    setup = Setup(cache, kernels, initrd, strixbench, disk_image=disk_image, disk_tree=disk_tree)
    if linux:
        setup.linux_description = reference_kernel.describe(linux)
    return setup


def fresh_disk(args, setup):
    """A new ext4 image for each boot, so every kernel starts from the same disk."""
    disk.fresh(setup.disk_image, 2 * args.disk_mib + 128, setup.disk_tree)


# ---------------------------------------------------------------------------------------------
# Boots.

def qemu_command(args, setup, kernel, clock, memory=None):
    extra = []
    if setup.disk_image:
        extra = ["-drive", f"file={setup.disk_image},format=raw,if=virtio"]
    append = KERNEL_APPEND + (" " + args.append_extra if args.append_extra else "")
    if setup.disk_image and kernel in args.disk_root:
        append += " " + disk.ROOT_APPEND
    return qemu.command(args.qemu, setup.kernels[kernel], setup.initrd, append, memory or args.memory,
                        args.cpus, clock == "icount", extra)


def watch_for(args, stop_patterns=()):
    return qemu.BootWatch(ready_patterns=results.READY_PATTERNS,
                          init_pattern=initramfs.INIT_START_MARKER,
                          give_up_patterns=results.GIVE_UP_PATTERNS,
                          stop_patterns=list(stop_patterns),
                          init_wait=args.init_wait, hard_timeout=args.hard_timeout)


def boot_once(args, setup, kernel, clock, round_number, log_dir, stop_patterns=(), memory=None, tag=""):
    if setup.disk_image:
        fresh_disk(args, setup)
    command = qemu_command(args, setup, kernel, clock, memory)
    boot = qemu.boot(command, watch_for(args, stop_patterns))
    run = results.parse_boot(kernel, clock, round_number, boot)
    run.log_path = os.path.join(log_dir, f"{kernel}-{clock}{tag}-r{round_number}.log")
    with open(run.log_path, "w") as f:
        f.write("# " + " ".join(command) + "\n" + boot.log_text())
    where = f"init at {run.boot_to_init:.2f}s" if run.reached_init else "did not reach init"
    benchmarks = f", {len(run.results)} benchmark lines" if run.results else ""
    log(f"bench: round {round_number} {clock:6} {kernel:5}{tag}: {where}{benchmarks}; "
        f"{run.outcome} ({run.detail}) after {run.duration:.1f}s")
    return run, command


def run_rounds(args, setup, log_dir, stop_patterns=(), skip_no_init=True):
    runs, commands = [], {}
    skip = set()
    for round_number in range(1, args.rounds + 1):
        for clock in args.clocks:
            for kernel in setup.kernels:
                if (kernel, clock) in skip:
                    continue
                run, command = boot_once(args, setup, kernel, clock, round_number, log_dir, stop_patterns)
                runs.append(run)
                commands[f"{kernel} {clock}"] = command
                stuck = not run.reached_init or run.outcome in ("silent", "timeout")
                if skip_no_init and stuck and not args.retry_no_init:
                    skip.add((kernel, clock))
    return runs, commands


# ---------------------------------------------------------------------------------------------
# Reports.

def expected_benchmarks(args, setup):
    listed = subprocess.run([setup.strixbench, "--list"], capture_output=True, text=True, check=True).stdout.split()
    names = [n for n in listed if not args.only or n in args.only.split(",")]
    if args.disk:
        names += ["disk_seq_write", "disk_seq_read", "disk_small_file_create", "disk_small_file_delete"]
    return names


def check(args, setup, runs, record_path, expected):
    """The smoke test's verdict: output parsed, the reference kernel produced every number."""
    problems = []
    for run in runs:
        where = f"{run.kernel} round {run.round} ({run.clock}, log {run.log_path})"
        if run.parse_errors:
            problems.append(f"{where}: unparsed lines {run.parse_errors[:3]}")
        if run.kernel == "linux":
            if not run.reached_init or not run.complete:
                problems.append(f"{where}: no complete run ({run.outcome}: {run.detail})")
            for name in expected:
                result = run.results.get(name)
                if result is None or result.value is None:
                    problems.append(f"{where}: {name} has no figure ({result.failure if result else 'missing'})")
        elif run.reached_init and not run.complete:
            # A kernel under development may crash mid-run: worth a note, not a failed harness.
            log(f"bench check: note: {where} reached init but strixbench did not finish ({run.outcome})")
    if "linux" in args.kernels and not any(run.kernel == "linux" for run in runs):
        problems.append("linux was not booted")
    try:
        with open(record_path) as f:
            json.load(f)["summary"]
    except (OSError, ValueError, KeyError) as error:
        problems.append(f"record {record_path} unreadable: {error}")
    for problem in problems:
        log(f"bench check: {problem}")
    log(f"bench check: {'passed' if not problems else 'FAILED'} ({len(runs)} boots)")
    return not problems


def write_record(args, setup, runs, commands, summary, extra=None):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = args.json or os.path.join(setup.cache, "results", f"{args.mode}-{stamp}.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    qemu_version = subprocess.run([args.qemu, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    record = {
        "mode": args.mode, "time": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join(["tools/bench.py"] + sys.argv[1:]),
        "host": {"machine": platform.node(), "cpus": os.cpu_count(), "qemu": qemu_version},
        "config": {"rounds": args.rounds, "memory": args.memory, "cpus": args.cpus, "clocks": args.clocks,
                   "kernels": list(setup.kernels), "strixbench": strixbench_arguments(args),
                   "disk": args.disk},
        "kernels": {k: {"path": p, "bytes": os.path.getsize(p)} for k, p in setup.kernels.items()},
        "qemu_commands": {k: shlex.join(c) for k, c in commands.items()},
        "runs": [dataclasses.asdict(run) for run in runs],
        "summary": summary,
    }
    if setup.linux_description and "linux" in record["kernels"]:
        record["kernels"]["linux"]["package"] = setup.linux_description
    record.update(extra or {})
    with open(path, "w") as f:
        json.dump(record, f, indent=1)
    shutil.copyfile(path, os.path.join(setup.cache, f"latest-{args.mode}.json"))
    return path


def print_tables(args, setup, summary):
    kernels = [k for k in args.kernels if k in setup.kernels] or args.kernels
    for clock in args.clocks:
        meaning = ("host wall clock" if clock == "wall" else
                   "deterministic guest clock, -icount shift=0 (boot rows in host seconds)")
        log(f"\n{clock}: {meaning}; QEMU TCG -cpu max -m {args.memory} -smp {args.cpus}; "
            f"median of {args.rounds} round(s); ns per operation unless noted")
        log(results.format_table(summary[clock], kernels))


def print_commands(commands, record_path):
    log("\nQEMU command lines:")
    for key, command in commands.items():
        log(f"  {key}: {shlex.join(command)}")
    log(f"produced by: {shlex.join(['tools/bench.py'] + sys.argv[1:])}")
    log(f"record: {record_path}")


def main(argv):
    args = parse_arguments(argv)
    setup = prepare(args)
    try:
        return run_mode(args, setup)
    finally:
        # The last initramfs of each mode stays, for replaying a printed QEMU command by hand.
        if os.path.exists(setup.initrd):
            os.replace(setup.initrd, os.path.join(setup.cache, f"initramfs-{args.mode}.cpio.gz"))
        if setup.disk_image and os.path.exists(setup.disk_image):
            os.unlink(setup.disk_image)
        if setup.disk_tree and os.path.exists(setup.disk_tree):
            shutil.rmtree(setup.disk_tree)


def run_mode(args, setup):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_dir = os.path.join(setup.cache, "logs", f"{args.mode}-{stamp}")
    os.makedirs(log_dir, exist_ok=True)
    log(f"bench: kernels {', '.join(f'{k}={p}' for k, p in setup.kernels.items())}; logs in {log_dir}")
    if setup.linux_description:
        log(f"bench: reference {setup.linux_description}")

    if args.mode == "boot":
        # Every round boots every kernel: Strix's ready line counts here even without init.
        runs, commands = run_rounds(args, setup, log_dir, [initramfs.INIT_MOUNTED_MARKER], skip_no_init=False)
        small = boot_mode.small_memory_check(args, setup, lambda k: boot_once(
            args, setup, k, "wall", 1, log_dir, [initramfs.INIT_MOUNTED_MARKER], "32M", "-32M")[0])
        summary = results.summarise(runs, list(setup.kernels), args.clocks)
        facts = boot_mode.facts(setup, runs, small)
        path = write_record(args, setup, runs, commands, summary, {"boot": facts})
        print_tables(args, setup, summary)
        log("\n" + boot_mode.format_facts(facts))
        print_commands(commands, path)
        return 0

    runs, commands = run_rounds(args, setup, log_dir)
    summary = results.summarise(runs, list(setup.kernels), args.clocks)
    path = write_record(args, setup, runs, commands, summary)
    print_tables(args, setup, summary)
    print_commands(commands, path)
    if args.check and not check(args, setup, runs, path, expected_benchmarks(args, setup)):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
