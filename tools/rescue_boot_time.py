#!/usr/bin/env python3
"""Tools: how long the rescue system (`make run`) takes to reach its shell prompt, and the
least memory that gets there — on Strix and on the Linux reference kernel with the same
initramfs and the same QEMU command line as `make run` (only -kernel and -m differ).

    tools/rescue_boot_time.py build/strix [--linux build/bench] [--runs 5] [--smallest-memory]

Times are wall seconds from starting QEMU (TCG) to the prompt's first byte; the median of
--runs boots is reported with the spread. --smallest-memory bisects -m (whole MiB) for the
smallest size that still reaches the prompt. The Linux kernel is Debian's cloud kernel,
fetched once into the given cache directory (tools/benchlib/reference_kernel.py)."""
import argparse
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_rescue_initramfs  # noqa: E402
from benchlib import reference_kernel  # noqa: E402

PROMPT = re.compile(rb"\w+:/# ")
GIVE_UP = re.compile(rb"Kernel panic|Out of memory|No working init")


def command(kernel, initrd, memory_mib):
    # The Makefile's `run` target, with -m varied.
    return ["qemu-system-x86_64", "-cpu", "max", "-m", f"{memory_mib}M", "-nographic", "-no-reboot",
            "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0"]


def seconds_to_prompt(kernel, initrd, memory_mib, timeout=120):
    """Seconds from QEMU's start to the shell prompt, or None if it never came."""
    started = time.monotonic()
    process = subprocess.Popen(command(kernel, initrd, memory_mib), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    output = b""
    try:
        while time.monotonic() - started < timeout:
            ready, _, _ = select.select([process.stdout], [], [], 1.0)
            if not ready:
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                return None
            output += chunk
            if PROMPT.search(output):
                return time.monotonic() - started
            if GIVE_UP.search(output):
                return None
        return None
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def smallest_memory(kernel, initrd, low=8, high=512):
    """The least -m (MiB) that reaches the prompt, by bisection (high must)."""
    if seconds_to_prompt(kernel, initrd, high) is None:
        return None
    while high - low > 1:
        middle = (low + high) // 2
        if seconds_to_prompt(kernel, initrd, middle) is not None:
            high = middle
        else:
            low = middle
    return high


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kernel", help="the Strix kernel (build/strix)")
    parser.add_argument("--linux", metavar="CACHE_DIR", help="also Debian's cloud kernel, fetched into CACHE_DIR")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory", type=int, default=512, help="-m in MiB for the timed boots (make run: 512)")
    parser.add_argument("--smallest-memory", action="store_true")
    args = parser.parse_args()
    kernels = {"strix": args.kernel}
    if args.linux:
        kernels["linux"] = reference_kernel.fetch(args.linux)
    with tempfile.TemporaryDirectory() as work:
        initrd = os.path.join(work, "rescue.cpio.gz")
        make_rescue_initramfs.build(initrd, "/bin/busybox")
        print(f"rescue initramfs: {os.path.getsize(initrd) // 1024} KiB; host load {os.getloadavg()[0]:.2f}")
        for name, kernel in kernels.items():
            print(f"{name}: {' '.join(command(kernel, initrd, args.memory))}")
            times = []
            for _ in range(args.runs):
                seconds = seconds_to_prompt(kernel, initrd, args.memory)
                if seconds is None:
                    sys.exit(f"{name}: no prompt")
                times.append(seconds)
            print(f"{name}: boot to the prompt: median {statistics.median(times):.2f} s "
                  f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs)")
            if args.smallest_memory:
                least = smallest_memory(kernel, initrd)
                print(f"{name}: smallest -m reaching the prompt: {least} MiB")


if __name__ == "__main__":
    main()
