"""Tools, benchmarks: the reference Linux kernel, Debian's current bookworm cloud kernel.

`apt-cache depends linux-image-cloud-amd64` names the current ABI (e.g. 6.1.0-56); the
unsigned package of that ABI is fetched with `apt-get download` and its vmlinuz (and
config, for the record) extracted with dpkg-deb into build/bench/linux/<package>_<version>/.
The virtio modules the optional storage group needs are extracted beside it (VIRTIO_MODULES,
in load order). Nothing is installed on the host. The cloud flavour is small and has what the benchmarks
use built in (8250 console, devtmpfs, tmpfs, initramfs gzip, ext4); virtio is modular.
"""
import glob
import os
import re
import shutil
import subprocess
import tempfile

META_PACKAGE = "linux-image-cloud-amd64"
VIRTIO_MODULES = ["virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_pci",
                  "virtio_blk"]


class ReferenceKernelError(Exception):
    pass


def _run(command, cwd=None):
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise ReferenceKernelError(f"{' '.join(command)} failed: {result.stderr.strip()[-500:]}")
    return result.stdout


def current_package():
    """(package, version) of the current unsigned cloud kernel, from the apt lists."""
    depends = _run(["apt-cache", "depends", META_PACKAGE])
    match = re.search(r"Depends: (linux-image-[0-9][^\s]*-cloud-amd64)\b", depends)
    if not match:
        raise ReferenceKernelError(f"cannot find the kernel {META_PACKAGE} depends on (run apt-get update)")
    package = match.group(1) + "-unsigned"
    policy = _run(["apt-cache", "policy", package])
    version = re.search(r"Candidate: (\S+)", policy)
    if not version or version.group(1) == "(none)":
        raise ReferenceKernelError(f"{package} has no candidate version (run apt-get update)")
    return package, version.group(1)


def _cached(cache_dir):
    found = sorted(glob.glob(os.path.join(cache_dir, "linux", "*", "vmlinuz")), key=os.path.getmtime)
    return found[-1] if found else None


def fetch(cache_dir, log=print):
    """Path of the reference vmlinuz, downloading it once. Falls back to the newest cached
    kernel when the apt lists cannot be read (offline machine)."""
    try:
        package, version = current_package()
    except ReferenceKernelError as error:
        cached = _cached(cache_dir)
        if cached:
            log(f"bench: {error}; using cached {cached}")
            return cached
        raise
    target_dir = os.path.join(cache_dir, "linux", f"{package}_{version}")
    vmlinuz = os.path.join(target_dir, "vmlinuz")
    if os.path.exists(vmlinuz):
        return vmlinuz
    log(f"bench: fetching {package} {version} (apt-get download)")
    os.makedirs(os.path.dirname(target_dir), exist_ok=True)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(target_dir)) as work:
        os.chmod(work, 0o755)  # apt's sandbox user may write here
        _run(["apt-get", "download", "-q", f"{package}={version}"], cwd=work)
        debs = glob.glob(os.path.join(work, "*.deb"))
        if len(debs) != 1:
            raise ReferenceKernelError(f"apt-get download left {debs}")
        extract = os.path.join(work, "root")
        os.makedirs(extract)
        tarball = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", debs[0]], stdout=subprocess.PIPE)
        members = ["./boot/vmlinuz-*", "./boot/config-*"] + [f"*/{m}.ko" for m in VIRTIO_MODULES]
        subprocess.run(["tar", "-x", "-C", extract, "--wildcards"] + members, stdin=tarball.stdout, check=True)
        if tarball.wait() != 0:
            raise ReferenceKernelError(f"dpkg-deb --fsys-tarfile {debs[0]} failed")
        staged = os.path.join(work, "staged")
        os.makedirs(staged)
        shutil.move(glob.glob(os.path.join(extract, "boot", "vmlinuz-*"))[0], os.path.join(staged, "vmlinuz"))
        shutil.move(glob.glob(os.path.join(extract, "boot", "config-*"))[0], os.path.join(staged, "config"))
        os.makedirs(os.path.join(staged, "modules"))
        for module in VIRTIO_MODULES:
            found = glob.glob(os.path.join(extract, "lib", "modules", "*", "kernel", "**", f"{module}.ko"),
                              recursive=True)
            if found:
                shutil.move(found[0], os.path.join(staged, "modules", f"{module}.ko"))
        with open(os.path.join(staged, "package"), "w") as f:
            f.write(f"{package} {version}\n")
        os.replace(staged, target_dir)
    return vmlinuz


def modules(vmlinuz):
    """(name, path) of the virtio modules fetched with this kernel, in load order."""
    directory = os.path.join(os.path.dirname(vmlinuz), "modules")
    return [(m, os.path.join(directory, f"{m}.ko")) for m in VIRTIO_MODULES
            if os.path.exists(os.path.join(directory, f"{m}.ko"))]


def describe(vmlinuz):
    """'package version' recorded next to a fetched kernel, or the path for a given one."""
    record = os.path.join(os.path.dirname(vmlinuz), "package")
    if os.path.exists(record):
        with open(record) as f:
            return f.read().strip()
    return vmlinuz
