"""Tools, benchmarks: the facts of the boot-time comparison (tools/bench.py boot).

Beside the boot times (results.BOOT_ROWS, summarised like any benchmark) it reports:
  - image sizes: the files QEMU loads, and what each kernel says its image takes in memory
    (Strix: "NK kernel image"; Linux: code + rwdata + rodata + init + bss of its Memory: line);
  - memory in use as each kernel reports it on its memory line at boot, and, once init runs,
    MemTotal - MemFree from /proc/meminfo (the same measure for both kernels);
  - whether each kernel boots in -m 32M (Strix: reaches its ready line; Linux: reaches init).
"""
import os
import statistics
import struct

PT_LOAD = 1
LINUX_IMAGE_PARTS = ["kernel code", "rwdata", "rodata", "init", "bss"]


def elf_load_bytes(path):
    """Sum of the PT_LOAD segments' memory sizes of an ELF64 file, or None if not ELF."""
    with open(path, "rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2:
            return None
        phoff, = struct.unpack_from("<Q", header, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", header, 0x36)
        total = 0
        for index in range(phnum):
            f.seek(phoff + index * phentsize)
            p_type, _, _, _, _, _, p_memsz = struct.unpack("<IIQQQQQ", f.read(48))
            if p_type == PT_LOAD:
                total += p_memsz
        return total


def _image_in_memory_kib(kernel, memory):
    details = memory.get("details_kib", {})
    if kernel == "strix":
        return details.get("kernel image")
    if all(part in details for part in LINUX_IMAGE_PARTS):
        return sum(details[part] for part in LINUX_IMAGE_PARTS)
    return None


def _in_use_at_boot_line_kib(kernel, memory):
    details = memory.get("details_kib", {})
    if kernel == "strix":
        return details.get("in use")
    if "total_kib" in memory:
        return memory["total_kib"] - memory["available_kib"]
    return None


def small_memory_check(args, setup, boot):
    """{kernel: verdict} for one boot of each kernel in -m 32M; boot(kernel) returns a KernelRun."""
    verdicts = {}
    for kernel in setup.kernels:
        run = boot(kernel)
        booted = run.boot_to_kernel_ready is not None if kernel == "strix" else run.reached_init
        detail = run.detail
        if run.outcome == "exited" and not run.kernel_messages:
            detail += "; the guest reset (-no-reboot) before the kernel's first message"
        verdicts[kernel] = {"boots": booted, "ready": run.boot_to_kernel_ready is not None,
                            "init": run.reached_init, "outcome": run.outcome, "detail": detail,
                            "memory": run.memory, "log": run.log_path}
    return verdicts


def facts(setup, runs, small):
    out = {"kernels": {}, "memory_32m": small}
    for kernel, path in setup.kernels.items():
        mine = [run for run in runs if run.kernel == kernel and run.memory]
        memory = mine[0].memory if mine else {}
        used_at_init = [r.memory["meminfo_total_kib"] - r.memory["meminfo_free_kib"]
                        for r in mine if "meminfo_total_kib" in r.memory]
        out["kernels"][kernel] = {
            "file": path,
            "file_bytes": os.path.getsize(path),
            "elf_load_bytes": elf_load_bytes(path),
            "image_in_memory_kib": _image_in_memory_kib(kernel, memory),
            "memory_line": memory,
            "in_use_at_memory_line_kib": _in_use_at_boot_line_kib(kernel, memory),
            "used_at_init_kib": statistics.median(used_at_init) if used_at_init else None,
        }
    return out


def _kib(value):
    return "n/a" if value is None else f"{value:,.0f} KiB"


def format_facts(data):
    lines = ["Kernel images and memory:"]
    for kernel, k in data["kernels"].items():
        elf = f", ELF PT_LOAD {_kib(k['elf_load_bytes'] / 1024)}" if k["elf_load_bytes"] else ""
        lines.append(f"  {kernel}: file {k['file_bytes']:,} bytes{elf}; image in memory (its boot line) "
                     f"{_kib(k['image_in_memory_kib'])}; in use at its memory line "
                     f"{_kib(k['in_use_at_memory_line_kib'])}; used at init (MemTotal-MemFree) "
                     f"{_kib(k['used_at_init_kib'])}")
    lines.append("Boots in -m 32M (Strix: ready line; Linux: init):")
    for kernel, verdict in data["memory_32m"].items():
        lines.append(f"  {kernel}: {'yes' if verdict['boots'] else 'no'} "
                     f"({verdict['outcome']}: {verdict['detail']})")
    return "\n".join(lines)
