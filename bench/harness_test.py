#!/usr/bin/env python3
"""Tests, benchmarks: the harness's own logic (tools/benchlib), without booting a kernel.

A fake "QEMU" (a Python one-liner printing a scripted console) drives qemu.boot through each
way a boot can end; hand-written console logs drive the parser, the summary and the table;
the cpio writer is read back by a small newc reader. Run: python3 bench/harness_test.py
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

from benchlib import cpio, initramfs, qemu, results  # noqa: E402


def fake_qemu(script):
    """A command that plays `script`: a list of (delay seconds, text) written to stdout."""
    program = ("import sys, time\n"
               f"for delay, text in {script!r}:\n"
               "    time.sleep(delay); sys.stdout.write(text); sys.stdout.flush()\n"
               "time.sleep(0 if 'EXIT' in sys.argv else 3600)\n")
    return [sys.executable, "-c", program]


def watch(**overrides):
    values = dict(ready_patterns=results.READY_PATTERNS, init_pattern=initramfs.INIT_START_MARKER,
                  give_up_patterns=results.GIVE_UP_PATTERNS, init_wait=0.5, hard_timeout=5.0,
                  give_up_grace=0.2, idle_timeout=0.5)
    values.update(overrides)
    return qemu.BootWatch(**values)


LINUX_LOG = [
    (0.0, "\x1bc\x1b[?7lSeaBIOS (version 1.16.2)\r\n"),
    (0.05, "[    0.000000] Memory: 212756K/261624K available (14343K kernel code, 2327K rwdata, "
           "8348K rodata, 2612K init, 5436K bss, 48668K reserved, 0K cma-reserved)\r\n"),
    (0.05, "[    1.971282] Run /init as init process\r\n"),
    (0.05, "strixbench-init: start\r\n"),
    (0.0, "strixbench-init: kernel Linux 6.1.0-56-cloud-amd64\r\n"),
    (0.0, "strixbench-init: meminfo MemTotal: 222620 kB MemFree: 195132 kB \r\n"),
    (0.0, "BENCH-BEGIN strixbench reps=5 target_ms=50\r\n"),
    (0.0, "BENCH getppid 535.0 5 iters=90000\r\n"),
    (0.0, "BENCH pipe_bandwidth_64k 800000.0 5 iters=60 MB/s=81.9\r\n"),
    (0.0, "BENCH fork_exit_wait FAIL ENOSYS\r\n"),
    (0.0, "BENCH broken line\r\n"),
    (0.0, "BENCH-END\r\nstrixbench-init: done\r\n"),
]


class BootOutcomes(unittest.TestCase):
    def test_poweroff_exit_keeps_every_line_in_order(self):
        boot = qemu.boot(fake_qemu(LINUX_LOG) + ["EXIT"], watch())
        self.assertEqual(boot.outcome, "exited")
        self.assertEqual(boot.returncode, 0)
        times = [line.time for line in boot.lines]
        self.assertEqual(times, sorted(times))
        self.assertEqual(boot.lines[0].text, "SeaBIOS (version 1.16.2)")  # escapes and \r gone
        self.assertIsNotNone(boot.first("strixbench-init: done"))

    def test_kernel_ready_without_init_ends_after_init_wait(self):
        boot = qemu.boot(fake_qemu([(0.0, "[    0.05] strix: ready in 50 ms\n")]), watch())
        self.assertEqual(boot.outcome, "no-init")
        self.assertLess(boot.duration, 3)

    def test_give_up_line_keeps_the_lines_after_it(self):
        script = [(0.0, "[    0.05] strix: ready in 50 ms\n"), (0.0, "Kernel panic - not syncing: test\n"),
                  (0.05, "Call Trace:\n")]
        boot = qemu.boot(fake_qemu(script), watch())
        self.assertEqual(boot.outcome, "gave-up")
        self.assertIn("Kernel panic", boot.detail)
        self.assertIsNotNone(boot.first("Call Trace"))

    def test_silence_after_init_ends_the_boot(self):
        script = [(0.0, "Run /init as init process\n"), (0.0, "strixbench-init: start\n")]
        boot = qemu.boot(fake_qemu(script), watch())
        self.assertEqual(boot.outcome, "silent")

    def test_no_output_at_all_reaches_the_hard_timeout(self):
        boot = qemu.boot(fake_qemu([(0.0, "partial line without end")]), watch(hard_timeout=0.5))
        self.assertEqual(boot.outcome, "timeout")
        self.assertEqual(boot.lines[-1].text, "partial line without end")

    def test_stop_pattern_ends_the_boot_early(self):
        boot = qemu.boot(fake_qemu(LINUX_LOG), watch(stop_patterns=[initramfs.INIT_MOUNTED_MARKER,
                                                                    "strixbench-init: kernel"]))
        self.assertEqual(boot.outcome, "stopped")
        self.assertIsNone(boot.first("BENCH-END"))


def boot_of(script, outcome="exited"):
    lines, now = [], 0.0
    for delay, text in script:
        now += delay
        for piece in text.replace("\r", "").split("\n"):
            if piece:
                lines.append(qemu.SerialLine(now, qemu.ANSI_ESCAPE.sub(b"", piece.encode()).decode()))
    return qemu.Boot([], lines, outcome, "", now)


class Parsing(unittest.TestCase):
    def test_linux_log(self):
        run = results.parse_boot("linux", "wall", 1, boot_of(LINUX_LOG))
        self.assertTrue(run.reached_init)
        self.assertTrue(run.complete)
        self.assertAlmostEqual(run.boot_to_init, 0.15)
        self.assertAlmostEqual(run.kernel_ready_guest, 1.971282)
        self.assertEqual(run.kernel_release, "Linux 6.1.0-56-cloud-amd64")
        self.assertEqual(run.results["getppid"].value, 535.0)
        self.assertEqual(run.results["pipe_bandwidth_64k"].extras["MB/s"], "81.9")
        self.assertEqual(run.results["fork_exit_wait"].failure, "ENOSYS")
        self.assertEqual(run.parse_errors, ["BENCH broken line"])
        self.assertEqual(run.memory["total_kib"], 261624)
        self.assertEqual(run.memory["details_kib"]["kernel code"], 14343)
        self.assertEqual(run.memory["meminfo_free_kib"], 195132)

    def test_strix_that_waits(self):
        log = [(0.1, "[    0.060035] mm: 127980K/128384K available (356K kernel image, 1536K page array, "
                     "0K heap, 404K in use)\n"),
               (0.0, "[    0.060217] strix: ready in 60 ms\n")]
        run = results.parse_boot("strix", "wall", 1, boot_of(log, "no-init"))
        self.assertFalse(run.reached_init)
        self.assertAlmostEqual(run.kernel_ready_guest, 0.060217)
        self.assertEqual(run.memory["details_kib"]["in use"], 404)

    def test_summary_table_and_ratio(self):
        linux = [results.parse_boot("linux", "wall", r, boot_of(LINUX_LOG)) for r in (1, 2, 3)]
        linux[1].results["getppid"].value = 600.0
        strix_log = LINUX_LOG[:3] + [(0.0, "strixbench-init: start\n"), (0.0, "BENCH getppid 107.0 5 iters=1\n"),
                                     (0.0, "BENCH pipe_bandwidth_64k FAIL ENOSYS\n")]
        strix = results.parse_boot("strix", "wall", 1, boot_of(strix_log))
        summary = results.summarise([strix] + linux, ["strix", "linux"], ["wall"])
        rows = {row["name"]: row for row in summary["wall"]}
        self.assertEqual(rows["getppid"]["kernels"]["linux"]["median"], 535.0)
        self.assertEqual(rows["getppid"]["kernels"]["linux"]["max"], 600.0)
        self.assertAlmostEqual(rows["getppid"]["ratio"], 107.0 / 535.0)
        self.assertEqual(rows["pipe_bandwidth_64k MB/s"]["kernels"]["strix"]["failures"], ["ENOSYS"])
        table = results.format_table(summary["wall"], ["strix", "linux"])
        self.assertIn("FAIL ENOSYS", table)
        self.assertIn("| getppid", table)
        self.assertIn("0.20", table)  # the ratio
        self.assertEqual(len({len(line) for line in table.splitlines()}), 1)  # aligned


def read_newc(data):
    """{name: (mode, rdev, bytes)} from a newc archive."""
    entries, offset = {}, 0
    while True:
        assert data[offset:offset + 6] == b"070701"
        fields = [int(data[offset + 6 + 8 * i: offset + 14 + 8 * i], 16) for i in range(13)]
        mode, size, rdev, namesize = fields[1], fields[6], (fields[9], fields[10]), fields[11]
        name_start = offset + 110
        name = data[name_start:name_start + namesize - 1].decode()
        data_start = (name_start + namesize + 3) & ~3
        if name == "TRAILER!!!":
            return entries
        entries[name] = (mode, rdev, data[data_start:data_start + size])
        offset = (data_start + size + 3) & ~3


class Archive(unittest.TestCase):
    def test_newc_round_trip(self):
        archive = cpio.NewcArchive()
        archive.directory("dev")
        archive.char_device("dev/console", 5, 1)
        archive.file("init", b"#!/bin/sh\necho hi\n", 0o755)
        archive.symlink("bin/sh", "busybox")
        entries = read_newc(archive.bytes())
        self.assertEqual(entries["dev/console"][1], (5, 1))
        self.assertEqual(entries["dev/console"][0] & 0o170000, 0o020000)
        self.assertEqual(entries["init"], (0o100755, (0, 0), b"#!/bin/sh\necho hi\n"))
        self.assertEqual(entries["bin/sh"][2], b"busybox")


if __name__ == "__main__":
    unittest.main()
