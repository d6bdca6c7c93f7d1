// Drivers, character devices: the simple devices of Linux's drivers/char/mem.c —
// /dev/null, zero, full, random, urandom (major 1) and /dev/kmsg — registered and
// published for devtmpfs at boot.
#pragma once

void char_devices_init();
