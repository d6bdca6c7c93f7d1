"""Tools, benchmarks: from serial logs to numbers, a table and a JSON record.

One boot becomes a KernelRun: did init start, when (host wall seconds since QEMU started),
what the kernel said about memory, and each `BENCH` line strixbench printed. Runs of the same
kernel under the same clock are then summarised per benchmark (median, min, max) and the two
kernels put side by side.
"""
import dataclasses
import re
import statistics

from . import initramfs

# strixbench's lines (see bench/strixbench.c). Kernel messages may interleave on the console,
# so the line is searched for, not required to start the text.
BENCH_OK = re.compile(r"BENCH (\S+) (\d+(?:\.\d+)?) (\d+)((?: [^\s=]+=\S+)*)\s*$")
BENCH_FAIL = re.compile(r"BENCH (\S+) FAIL (\S+)\s*$")
BENCH_ANY = re.compile(r"BENCH \S")
PRINTK_TIME = re.compile(r"^\s*\[\s*(\d+\.\d+)\]")
# Strix: "mm: 127980K/128384K available (356K kernel image, ..., 404K in use)"
# Linux: "Memory: 212756K/261624K available (14343K kernel code, ..., 0K cma-reserved)"
MEMORY_LINE = re.compile(r"(?:\bmm|Memory): (\d+)K/(\d+)K available \(([^)]*)\)")
MEMINFO_LINE = re.compile(r"strixbench-init: meminfo MemTotal: (\d+) kB MemFree: (\d+) kB")

# What "the kernel is up" looks like on each kernel's console.
READY_PATTERNS = [r"strix: ready in \d+ ms", r"Run \S+ as init process"]
# A kernel that says it cannot go on: no point waiting for the timeout.
GIVE_UP_PATTERNS = [r"strix: no init to run", r"Kernel panic"]

BOOT_ROWS = [
    ("boot_to_init", "s", "QEMU start to init's first line (host wall)"),
    ("boot_to_kernel_ready", "s", "QEMU start to the kernel's ready line (host wall)"),
    ("kernel_ready_guest", "s", "the ready line's own timestamp (guest clock)"),
]


@dataclasses.dataclass
class BenchResult:
    value: float = None      # ns per operation
    failure: str = None      # errno or signal name
    reps: int = 0
    extras: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class KernelRun:
    kernel: str
    clock: str
    round: int
    outcome: str
    detail: str
    duration: float
    reached_init: bool = False
    boot_to_init: float = None
    boot_to_kernel_ready: float = None
    kernel_ready_guest: float = None
    complete: bool = False                              # BENCH-END seen
    kernel_messages: int = 0                            # lines with a printk timestamp
    results: dict = dataclasses.field(default_factory=dict)
    parse_errors: list = dataclasses.field(default_factory=list)
    memory: dict = dataclasses.field(default_factory=dict)
    kernel_release: str = None
    log_path: str = None


def _memory_items(text):
    """'356K kernel image, 0K heap' -> {'kernel image': 356, 'heap': 0} (KiB)."""
    items = {}
    for part in text.split(","):
        match = re.match(r"\s*(\d+)K (.+?)\s*$", part)
        if match:
            items[match.group(2)] = int(match.group(1))
    return items


def parse_boot(kernel, clock, round_number, boot):
    run = KernelRun(kernel, clock, round_number, boot.outcome, boot.detail, round(boot.duration, 3))
    ready = next((line for line in boot.lines if any(re.search(p, line.text) for p in READY_PATTERNS)), None)
    if ready:
        run.boot_to_kernel_ready = round(ready.time, 3)
        stamp = PRINTK_TIME.search(ready.text)
        if stamp:
            run.kernel_ready_guest = float(stamp.group(1))
    init = boot.first(re.escape(initramfs.INIT_START_MARKER))
    if init:
        run.reached_init = True
        run.boot_to_init = round(init.time, 3)
    for line in boot.lines:
        text = line.text
        if PRINTK_TIME.search(text):
            run.kernel_messages += 1
        memory = MEMORY_LINE.search(text)
        if memory and "available_kib" not in run.memory:
            run.memory.update({"available_kib": int(memory.group(1)), "total_kib": int(memory.group(2)),
                               "details_kib": _memory_items(memory.group(3))})
        meminfo = MEMINFO_LINE.search(text)
        if meminfo:
            run.memory.update({"meminfo_total_kib": int(meminfo.group(1)), "meminfo_free_kib": int(meminfo.group(2))})
        if "strixbench-init: kernel " in text:
            run.kernel_release = text.split("strixbench-init: kernel ", 1)[1].strip()
        if "BENCH-END" in text:
            run.complete = True
            continue
        if "BENCH-BEGIN" in text or not BENCH_ANY.search(text):
            continue
        ok, fail = BENCH_OK.search(text), BENCH_FAIL.search(text)
        if ok:
            extras = dict(item.split("=", 1) for item in ok.group(4).split())
            run.results[ok.group(1)] = BenchResult(float(ok.group(2)), None, int(ok.group(3)), extras)
        elif fail:
            run.results[fail.group(1)] = BenchResult(None, fail.group(2))
        else:
            run.parse_errors.append(text)
    return run


# ---------------------------------------------------------------------------------------------
# Summaries: rows are (name, unit); cells are per kernel.

def _rows_of(run):
    """(row name, unit, value or None, failure or None) for each figure of a run."""
    rows = []
    for name, unit, _ in BOOT_ROWS:
        rows.append((name, unit, getattr(run, name), None))
    for name, result in run.results.items():
        rows.append((name, "ns", result.value, result.failure))
        if "MB/s" in result.extras:
            rows.append((f"{name} MB/s", "MB/s", float(result.extras["MB/s"]), None))
        elif result.failure and name.startswith(("pipe_bandwidth", "disk_seq")):
            rows.append((f"{name} MB/s", "MB/s", None, result.failure))
    return rows


def summarise(runs, kernels, clocks):
    """{clock: [row dict]} with per-kernel median/min/max/values/failures and the ratio."""
    summary = {}
    for clock in clocks:
        order, cells = [], {}
        for run in runs:
            if run.clock != clock:
                continue
            for name, unit, value, failure in _rows_of(run):
                if (name, unit) not in cells:
                    order.append((name, unit))
                    cells[(name, unit)] = {k: {"values": [], "failures": []} for k in kernels}
                cell = cells[(name, unit)].get(run.kernel)
                if cell is None:
                    continue
                if value is not None:
                    cell["values"].append(value)
                elif failure:
                    cell["failures"].append(failure)
        rows = []
        for name, unit in order:
            row = {"name": name, "unit": unit, "kernels": {}}
            for kernel in kernels:
                cell = cells[(name, unit)][kernel]
                values = cell["values"]
                if values:
                    cell.update(median=statistics.median(values), min=min(values), max=max(values))
                row["kernels"][kernel] = cell
            strix, linux = row["kernels"].get("strix", {}), row["kernels"].get("linux", {})
            if strix.get("median") is not None and linux.get("median"):
                row["ratio"] = strix["median"] / linux["median"]
            rows.append(row)
        summary[clock] = rows
    return summary


def _number(value, unit):
    if unit == "s":
        return f"{value:.3f}"
    if unit == "MB/s" or value < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def _cell(cell, unit):
    if cell.get("median") is not None:
        text = _number(cell["median"], unit)
        if cell["failures"]:
            text += f" ({len(cell['failures'])} FAIL)"
        return text
    if cell.get("failures"):
        return "FAIL " + cell["failures"][0]
    return "n/a"


def _spread(cell, unit):
    if cell.get("median") is None:
        return "n/a"
    return f"{_number(cell['min'], unit)}-{_number(cell['max'], unit)}"


def format_table(rows, kernels):
    """A plain-text table (also valid Markdown)."""
    titles = {"strix": "Strix", "linux": "Linux"}
    header = ["benchmark", "unit"] + [f"{titles.get(k, k)} median" for k in kernels]
    if "strix" in kernels and "linux" in kernels:
        header.append("Strix/Linux")
    header += [f"{titles.get(k, k)} min-max" for k in kernels]
    lines = [header]
    for row in rows:
        line = [row["name"], row["unit"]] + [_cell(row["kernels"][k], row["unit"]) for k in kernels]
        if "strix" in kernels and "linux" in kernels:
            line.append(f"{row['ratio']:.2f}" if "ratio" in row else "n/a")
        line += [_spread(row["kernels"][k], row["unit"]) for k in kernels]
        lines.append(line)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for index, line in enumerate(lines):
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))]
        out.append("| " + " | ".join(cells) + " |")
        if index == 0:
            out.append("|" + "|".join("-" * (w + 2) if i < 2 else "-" * (w + 1) + ":"
                                      for i, w in enumerate(widths)) + "|")
    return "\n".join(out)
