"""Tools, benchmarks: one QEMU boot, with the serial output timestamped as it arrives.

The harness starts QEMU, reads the serial console line by line (each line stamped with the
host's monotonic time of its first byte, relative to QEMU's start), and ends the boot on:
  - QEMU exiting (the init ran `poweroff -f`; -no-reboot turns a reboot or panic into an exit),
  - a stop pattern (the caller has what it needs, e.g. the boot-time mode),
  - a give-up pattern (the kernel says it has no init, or panics), after a short grace so the
    lines that follow (a panic's backtrace) are kept,
  - the kernel being ready but no init line within `init_wait` seconds (a kernel that cannot
    run user programs yet simply waits, so it is not left to reach the hard timeout),
  - no output for `idle_timeout` seconds once init has started (a hung benchmark),
  - the hard timeout.
"""
import dataclasses
import os
import re
import select
import signal
import subprocess
import time

# CSI sequences (colours, cursor), charset selection, and two-byte escapes such as ESC c (reset).
ANSI_ESCAPE = re.compile(rb"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[^\[()])")


@dataclasses.dataclass
class SerialLine:
    time: float  # seconds since QEMU was started
    text: str


@dataclasses.dataclass
class BootWatch:
    ready_patterns: list          # the kernel is up (Strix's "strix: ready", Linux's "Run /init")
    init_pattern: str             # init's first line
    give_up_patterns: list = dataclasses.field(default_factory=list)
    stop_patterns: list = dataclasses.field(default_factory=list)
    init_wait: float = 20.0       # seconds from kernel-ready to init's first line
    give_up_grace: float = 1.0    # seconds of output kept after a give-up line
    idle_timeout: float = 120.0   # seconds of silence allowed once init has started
    hard_timeout: float = 300.0


@dataclasses.dataclass
class Boot:
    command: list
    lines: list
    outcome: str       # exited | stopped | gave-up | no-init | silent | timeout
    detail: str
    duration: float
    returncode: int = None

    def first(self, pattern):
        """The first line matching the regex, or None."""
        regex = re.compile(pattern)
        return next((line for line in self.lines if regex.search(line.text)), None)

    def log_text(self):
        return "".join(f"[{line.time:9.3f}] {line.text}\n" for line in self.lines)


def _matches(patterns, text):
    return next((p for p in patterns if re.search(p, text)), None)


def boot(command, watch):
    """Runs QEMU until one of the ends above; returns the Boot."""
    start = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    fd = process.stdout.fileno()
    lines, partial, partial_time = [], b"", None
    ready_time = init_seen = give_up_time = None
    last_output = 0.0
    outcome, detail = None, ""

    def finish_line(raw, stamp):
        text = ANSI_ESCAPE.sub(b"", raw).replace(b"\r", b"").decode("utf-8", "replace")
        lines.append(SerialLine(stamp, text))
        return text

    while outcome is None:
        now = time.monotonic() - start
        deadline = watch.hard_timeout
        if ready_time is not None and not init_seen:
            deadline = min(deadline, ready_time + watch.init_wait)
        if init_seen:
            deadline = min(deadline, last_output + watch.idle_timeout)
        if give_up_time is not None:
            deadline = min(deadline, give_up_time + watch.give_up_grace)
        if now >= deadline:
            if give_up_time is not None:
                outcome = "gave-up"
            elif init_seen and deadline < watch.hard_timeout:
                outcome, detail = "silent", f"no output for {watch.idle_timeout:.0f}s after init started"
            elif deadline < watch.hard_timeout:
                outcome, detail = "no-init", f"no init line {watch.init_wait:.0f}s after the kernel was ready"
            else:
                outcome, detail = "timeout", f"hard timeout of {watch.hard_timeout:.0f}s"
            break
        readable, _, _ = select.select([fd], [], [], deadline - now)
        if not readable:
            continue
        data = os.read(fd, 65536)
        arrived = last_output = time.monotonic() - start
        if not data:
            if partial:
                finish_line(partial, partial_time)
                partial = b""
            outcome = "gave-up" if give_up_time is not None else "exited"
            break
        pieces = data.split(b"\n")
        for index, piece in enumerate(pieces):
            if partial_time is None and (piece or index < len(pieces) - 1):
                partial_time = arrived
            if index == len(pieces) - 1:
                partial += piece
                break
            text = finish_line(partial + piece, partial_time)
            partial, partial_time = b"", None
            if ready_time is None and _matches(watch.ready_patterns, text):
                ready_time = lines[-1].time
            if not init_seen and re.search(watch.init_pattern, text):
                init_seen = True
            if _matches(watch.stop_patterns, text):
                outcome, detail = "stopped", text.strip()
                break
            if give_up_time is None and _matches(watch.give_up_patterns, text):
                give_up_time, detail = arrived, text.strip()

    duration = time.monotonic() - start
    if process.poll() is None:
        _end(process)
    returncode = process.wait()
    process.stdout.close()
    if partial:
        finish_line(partial, partial_time)
    if outcome == "exited":
        detail = f"QEMU exited with status {returncode}"
    return Boot(command, lines, outcome, detail, duration, returncode)


def _end(process):
    """Ends QEMU (a session of its own, so its whole group) politely, then firmly."""
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            pass


def command(qemu, kernel, initrd, append, memory, cpus, icount, extra=()):
    """The QEMU command line; identical for both kernels but for -kernel."""
    line = [qemu, "-accel", "tcg", "-cpu", "max", "-m", memory, "-smp", str(cpus),
            "-nographic", "-no-reboot", "-nic", "none",
            "-kernel", kernel, "-initrd", initrd, "-append", append]
    if icount:
        line += ["-icount", "shift=0,align=off,sleep=off"]
    return line + list(extra)
