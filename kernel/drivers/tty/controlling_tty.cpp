// TTY layer: /dev/tty (5:0) — opens the calling process's controlling terminal, whatever
// it is (ENXIO without one, as Linux's tty_open_current_tty).
#include "drivers/tty/job_control.h"
#include "drivers/tty/tty_file.h"
#include "drivers/tty/tty_init.h"
#include "fs/device.h"
#include "lib/errno.h"

namespace {

Result<RefPtr<File>> open_controlling_tty(const Path& path, u32 flags, u32, void*) {
    Tty* tty = job_control::current_controlling_tty();
    if (!tty) return err(ENXIO);
    return TtyFile::open(RefPtr<Tty>(tty), path, flags | O_NOCTTY, TtyFile::OpenedAs::Terminal);
}

CharDevice g_device{false, 5, 0, 1, "/dev/tty", open_controlling_tty, nullptr, {}};
vfs::DeviceNode g_node{"tty", S_IFCHR | 0666, make_dev(5, 0), {}};

}  // namespace

namespace tty {
void register_controlling_tty() {
    vfs::register_char_device(g_device);
    vfs::publish_device_node(g_node);
}
}  // namespace tty
