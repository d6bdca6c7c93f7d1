#!/bin/sh
# Fetches and unpacks a Debian source package for the kernel build (third-party code is
# never copied into this repository: it comes from Debian's archive at build time).
#   tools/fetch_debian_source.sh PACKAGE DESTINATION_DIRECTORY
# Needs a deb-src line for bookworm (tools/setup.sh adds one). Prints the unpacked tree.
set -eu
package=$1
destination=$2
mkdir -p "$destination"
existing=$(find "$destination" -mindepth 1 -maxdepth 1 -type d -name "${package}-*" | head -n 1)
if [ -n "$existing" ]; then
    echo "$existing"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source -qq --download-only "$package" >/dev/null 2>&1) || {
    echo "fetch_debian_source: 'apt-get source $package' failed: is a deb-src line configured? (run tools/setup.sh)" >&2
    exit 1
}
orig=$(ls "$work"/*.orig.tar.* | head -n 1)
tar -xf "$orig" -C "$destination"
find "$destination" -mindepth 1 -maxdepth 1 -type d -name "${package}-*" | head -n 1
