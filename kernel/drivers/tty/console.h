// Drivers: the system console as a character device (/dev/console 5:1, /dev/ttyS0 4:64,
// /dev/tty 5:0), on the serial port the kernel log uses.
//
// A first, simple terminal: canonical input with echo and erase, output with ONLCR, and
// enough of the termios ioctls for programs to recognise a terminal.
#pragma once

class Uart16550;

namespace console {
// Registers the devices and takes the serial port's input.
void init(Uart16550* port);
}  // namespace console
