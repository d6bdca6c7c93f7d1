"""QEMU test harness: boot a Strix (or Linux) kernel under TCG, talk to its serial
console, and assert on what it prints.

Every run has a hard timeout. The whole console log is kept (build/test-logs/NAME.log)
and printed when an expectation fails, so a failing boot shows what it said.

    with Qemu(kernel, append="console=ttyS0 ktest") as vm:
        vm.expect(r"ktest: summary: (\\d+) passed, (\\d+) failed")
        assert vm.wait_exit() == 0
"""
import os
import re
import select
import subprocess
import sys
import time

OVMF = "/usr/share/ovmf/OVMF.fd"


class ExpectationFailed(AssertionError):
    pass


class Qemu:
    def __init__(self, kernel=None, append="console=ttyS0", initrd=None, machine="pc",
                 memory="128M", cpus=1, iso=None, uefi=False, drives=(), extra=(),
                 timeout=120, name=None, log_dir=None):
        self.name = name or os.path.splitext(os.path.basename(sys.argv[0]))[0]
        self.timeout = timeout
        self.started = time.monotonic()
        self.output = bytearray()
        self.lines = []  # (seconds since start, text) per completed line
        self._partial = b""
        args = ["qemu-system-x86_64", "-machine", machine, "-cpu", "max", "-m", str(memory),
                "-smp", str(cpus), "-display", "none", "-monitor", "none", "-serial", "stdio",
                "-no-reboot"]
        if uefi:
            args += ["-bios", OVMF]
        if iso:
            args += ["-cdrom", iso]
        else:
            args += ["-kernel", kernel, "-append", append]
            if initrd:
                args += ["-initrd", initrd]
        for drive in drives:
            args += ["-drive", drive]
        args += list(extra)
        self.args = args
        log_dir = log_dir or os.environ.get("STRIX_TEST_LOG_DIR", "test-logs")
        os.makedirs(log_dir, exist_ok=True)
        self.log_path = os.path.join(log_dir, self.name + ".log")
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, bufsize=0)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        self.kill()
        self._write_log()
        if kind is not None and issubclass(kind, AssertionError):
            self.dump()
        return False

    def elapsed(self):
        return time.monotonic() - self.started

    def _read_some(self, deadline):
        """Reads what QEMU has printed, waiting at most until `deadline`."""
        remaining = max(0.0, min(deadline, self.started + self.timeout) - time.monotonic())
        ready, _, _ = select.select([self.process.stdout], [], [], remaining)
        if not ready:
            return False
        chunk = os.read(self.process.stdout.fileno(), 65536)
        if not chunk:
            return False
        self.output += chunk
        now = self.elapsed()
        data = self._partial + chunk
        *complete, self._partial = data.split(b"\n")
        for line in complete:
            self.lines.append((now, line.decode("utf-8", "replace").rstrip("\r")))
        return True

    def text(self):
        return self.output.decode("utf-8", "replace").replace("\r", "")

    def expect(self, pattern, timeout=60, start=0):
        """Waits until `pattern` (a regex) appears in the output after offset `start`."""
        regex = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.text(), start)
            if match:
                return match
            if time.monotonic() >= deadline or self.elapsed() >= self.timeout:
                raise ExpectationFailed(f"{self.name}: timed out after {timeout}s waiting for /{pattern}/")
            if not self._read_some(deadline) and self.process.poll() is not None:
                # Drain whatever is left, then decide.
                while self._read_some(time.monotonic() + 0.1):
                    pass
                match = regex.search(self.text(), start)
                if match:
                    return match
                raise ExpectationFailed(f"{self.name}: QEMU exited ({self.process.returncode}) "
                                        f"before /{pattern}/ appeared")

    def expect_absent(self, pattern, within=1.0):
        """Fails if `pattern` shows up during the next `within` seconds."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and self.process.poll() is None:
            self._read_some(deadline)
        if re.search(pattern, self.text(), re.MULTILINE):
            raise ExpectationFailed(f"{self.name}: unexpected /{pattern}/")

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def wait_exit(self, timeout=60):
        """Waits for QEMU to exit (power-off or reset with -no-reboot); returns its status."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() >= deadline:
                raise ExpectationFailed(f"{self.name}: QEMU still running after {timeout}s")
            self._read_some(min(deadline, time.monotonic() + 0.5))
        while self._read_some(time.monotonic() + 0.1):
            pass
        return self.process.returncode

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _write_log(self):
        with open(self.log_path, "w") as log:
            log.write("# " + " ".join(self.args) + "\n")
            log.write(self.text())

    def dump(self, lines=200):
        text = self.text().splitlines()
        print(f"----- {self.name}: last {min(lines, len(text))} lines of the console "
              f"(full log: {self.log_path}) -----")
        for line in text[-lines:]:
            print(line)
        print("-----")


def check(condition, message):
    if not condition:
        raise ExpectationFailed(message)


def run(main):
    """Runs a test's main(), turning expectation failures into exit status 1."""
    try:
        main()
    except ExpectationFailed as failure:
        print("FAIL:", failure)
        sys.exit(1)
    print("PASS")
