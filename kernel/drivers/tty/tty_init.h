// TTY layer: start-up — registers the terminal devices and publishes their /dev nodes:
// the serial console (/dev/console 5:1, /dev/ttyS0 4:64), the controlling terminal
// (/dev/tty 5:0), pseudo-terminals (/dev/ptmx 5:2, /dev/pts/N 136:N) and devpts.
#pragma once

class Uart16550;

namespace tty {

// Called once at boot, after the filesystems and before init starts. `port` is the
// serial console's port, or null when there is none.
void init(Uart16550* port);

// The parts init() calls.
void register_serial(Uart16550* port);
void register_controlling_tty();
void register_ptys();

}  // namespace tty
