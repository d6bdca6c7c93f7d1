#!/bin/sh
# Installs the Debian 12 packages Strix needs to build, boot and test, if any is missing.
# Run as root (or with sudo available). Safe to run again: it installs only what is absent.
set -eu
PACKAGES="
  build-essential cmake g++ python3 googletest libgtest-dev
  qemu-system-x86 ovmf
  grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
  busybox-static cpio e2fsprogs attr
  musl-tools
"
missing=""
for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
echo "setup: installing:$missing"
run_as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
export DEBIAN_FRONTEND=noninteractive
run_as_root apt-get update -q
run_as_root apt-get install -y -q --no-install-recommends $missing
