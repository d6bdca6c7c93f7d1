// Kernel init: starting the first user process (pid 1), the way Linux does: rdinit=
// (default /init) when the initramfs has it, else (after mounting root= if given, see
// root_mount.h) init=, else /sbin/init, /etc/init, /bin/init, /bin/sh; stdin, stdout and
// stderr on /dev/console.
#pragma once

namespace init {
void start_init_process();
}  // namespace init
