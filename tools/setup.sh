#!/bin/sh
# Installs the Debian 12 packages Strix needs to build, boot and test, if any is missing.
# Run as root (or with sudo available). Safe to run again: it installs only what is absent.
set -eu
PACKAGES="
  build-essential cmake g++ python3 googletest libgtest-dev
  qemu-system-x86 ovmf
  grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
  busybox-static cpio e2fsprogs attr fdisk
  musl-tools bzip2 xz-utils gdb
"
# Third-party code the kernel uses (zlib's inflate) comes from Debian source packages.
source_list=/etc/apt/sources.list.d/strix-deb-src.sources
need_sources=0
if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
    need_sources=1
fi
missing=""
for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
run_as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
export DEBIAN_FRONTEND=noninteractive
if [ "$need_sources" = 1 ]; then
    echo "setup: adding a deb-src line for bookworm ($source_list)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
        run_as_root tee "$source_list" >/dev/null
fi
[ -z "$missing" ] && [ "$need_sources" = 0 ] && exit 0
run_as_root apt-get update -q
[ -z "$missing" ] && exit 0
echo "setup: installing:$missing"
run_as_root apt-get install -y -q --no-install-recommends $missing
