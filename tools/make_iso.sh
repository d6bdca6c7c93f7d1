#!/bin/sh
# Builds a GRUB rescue ISO (BIOS and UEFI, Multiboot2) that boots a Strix kernel.
#   tools/make_iso.sh OUTPUT.iso KERNEL "COMMAND LINE" [INITRD]
# grub-mkrescue (grub-common) needs grub-pc-bin and grub-efi-amd64-bin for the two
# firmware kinds, xorriso to write the ISO and mtools for the EFI system partition image.
set -eu
output=$1
kernel=$2
cmdline=$3
initrd=${4:-}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/boot/grub"
cp "$kernel" "$root/boot/strix"
module=""
if [ -n "$initrd" ]; then
    cp "$initrd" "$root/boot/initrd.img"
    module="module2 /boot/initrd.img"
fi
cat > "$root/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry "Strix OS" {
    multiboot2 /boot/strix $cmdline
    $module
    boot
}
CFG
grub-mkrescue -o "$output" "$root" >/dev/null 2>&1 || {
    echo "grub-mkrescue failed (are grub-pc-bin, grub-efi-amd64-bin, xorriso and mtools installed?)" >&2
    grub-mkrescue -o "$output" "$root"
    exit 1
}
