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


class _Console:
    """The serial console of one boot: lines with arrival times, and what they have shown."""

    def __init__(self, watch, start):
        self.watch, self.start = watch, start
        self.lines, self.partial, self.partial_time = [], b"", None
        self.ready_time = self.give_up_time = None
        self.init_seen = False
        self.last_output = 0.0
        self.outcome, self.detail = None, ""

    def deadline(self):
        watch, deadline = self.watch, self.watch.hard_timeout
        if self.ready_time is not None and not self.init_seen:
            deadline = min(deadline, self.ready_time + watch.init_wait)
        if self.init_seen:
            deadline = min(deadline, self.last_output + watch.idle_timeout)
        if self.give_up_time is not None:
            deadline = min(deadline, self.give_up_time + watch.give_up_grace)
        return deadline

    def expire(self, deadline):
        watch = self.watch
        if self.give_up_time is not None:
            self.outcome = "gave-up"
        elif self.init_seen and deadline < watch.hard_timeout:
            self.outcome, self.detail = "silent", f"no output for {watch.idle_timeout:.0f}s after init started"
        elif deadline < watch.hard_timeout:
            self.outcome = "no-init"
            self.detail = f"no init line {watch.init_wait:.0f}s after the kernel was ready"
        else:
            self.outcome, self.detail = "timeout", f"hard timeout of {watch.hard_timeout:.0f}s"

    def end_of_output(self):
        self.flush()
        self.outcome = "gave-up" if self.give_up_time is not None else "exited"

    def flush(self):
        if self.partial:
            self._line(self.partial, self.partial_time)
            self.partial, self.partial_time = b"", None

    def feed(self, data, arrived):
        self.last_output = arrived
        pieces = data.split(b"\n")
        for index, piece in enumerate(pieces):
            if self.partial_time is None and (piece or index < len(pieces) - 1):
                self.partial_time = arrived
            if index == len(pieces) - 1:
                self.partial += piece
                return
            text = self._line(self.partial + piece, self.partial_time)
            self.partial, self.partial_time = b"", None
            self._judge(text, arrived)
            if self.outcome:
                return

    def _line(self, raw, stamp):
        text = ANSI_ESCAPE.sub(b"", raw).replace(b"\r", b"").decode("utf-8", "replace")
        self.lines.append(SerialLine(stamp, text))
        return text

    def _judge(self, text, arrived):
        watch = self.watch
        if self.ready_time is None and _matches(watch.ready_patterns, text):
            self.ready_time = self.lines[-1].time
        if not self.init_seen and re.search(watch.init_pattern, text):
            self.init_seen = True
        if _matches(watch.stop_patterns, text):
            self.outcome, self.detail = "stopped", text.strip()
        elif self.give_up_time is None and _matches(watch.give_up_patterns, text):
            self.give_up_time, self.detail = arrived, text.strip()


def boot(command, watch):
    """Runs QEMU until one of the ends above; returns the Boot."""
    start = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    fd = process.stdout.fileno()
    console = _Console(watch, start)
    try:
        while console.outcome is None:
            now = time.monotonic() - start
            deadline = console.deadline()
            if now >= deadline:
                console.expire(deadline)
                break
            readable, _, _ = select.select([fd], [], [], deadline - now)
            if readable:
                data = os.read(fd, 65536)
                if data:
                    console.feed(data, time.monotonic() - start)
                else:
                    console.end_of_output()
    finally:  # also on KeyboardInterrupt: QEMU runs in a session of its own and would linger
        duration = time.monotonic() - start
        if process.poll() is None:
            _end(process)
        returncode = process.wait()
        process.stdout.close()
    console.flush()
    if console.outcome == "exited":
        console.detail = f"QEMU exited with status {returncode}"
    return Boot(command, console.lines, console.outcome, console.detail, duration, returncode)


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
