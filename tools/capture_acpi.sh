#!/bin/sh
# Captures QEMU's ACPI tables for the host tests: boots Strix with `acpi.dump ktest=none`
# on each machine type and keeps the ACPIDUMP lines it prints.
#   tools/capture_acpi.sh [KERNEL]   (default build/strix)
set -eu
kernel=${1:-build/strix}
out=tests/host/data/acpi
mkdir -p "$out"
for machine in pc q35; do
    timeout 60 qemu-system-x86_64 -machine "$machine" -cpu max -m 128M -nographic -no-reboot \
        -kernel "$kernel" -append "console=ttyS0 acpi.dump ktest=none quiet" |
        tr -d '\r' | grep -o 'ACPIDUMP .*' > "$out/qemu-$machine.txt"
    echo "$out/qemu-$machine.txt: $(cut -d' ' -f2 "$out/qemu-$machine.txt" | sort -u | tr '\n' ' ')"
done
