// TTY layer: start-up (see tty_init.h).
#include "drivers/tty/tty_init.h"

namespace tty {

void init(Uart16550* port) {
    register_serial(port);
    register_controlling_tty();
    register_ptys();
}

}  // namespace tty
