// In-kernel tests: the tty layer end to end without user space — pty pairs opened through
// the device registry, data through the slave's line discipline both ways, VMIN/VTIME
// timing, hang-ups from either end, and devpts following the pairs.
#include "drivers/tty/pty.h"
#include "fs/device.h"
#include "fs/super_block.h"
#include "ktest/ktest.h"
#include "lib/format.h"
#include "lib/string.h"
#include "time/clock.h"

namespace {

struct Pair {
    RefPtr<File> master;
    RefPtr<File> slave;
    RefPtr<Pty> pty;
};

// A fresh pair: the master from /dev/ptmx's device number, the slave unlocked and open.
bool open_pair(Pair& pair, u32 slave_flags = O_RDWR | O_NOCTTY) {
    auto master = vfs::open_device(false, make_dev(5, 2), Path{}, O_RDWR | O_NOCTTY);
    if (master.is_error()) return false;
    pair.master = master.release_value();
    // Before init runs, the newest pair is the one with the highest index.
    for (u32 index = Pty::MAX_PTYS; index-- > 0;) {
        if ((pair.pty = Pty::find(index))) break;
    }
    if (!pair.pty) return false;
    pair.pty->set_locked(false);
    auto slave = vfs::open_device(false, make_dev(Pty::SLAVE_MAJOR, pair.pty->index()), Path{}, slave_flags);
    if (slave.is_error()) return false;
    pair.slave = slave.release_value();
    return true;
}

usize write_text(File& file, const char* text) {
    auto written = file.write(0, IoBuffer::kernel(text), strlen(text));
    return written.is_error() ? 0 : written.value();
}

// Reads what is there (the file must not block: raw VMIN=0, or data known to be queued).
Result<usize> read_text(File& file, char* buffer, usize size) {
    auto got = file.read(0, IoBuffer::kernel(buffer), size - 1);
    buffer[got.is_error() ? 0 : got.value()] = 0;
    return got;
}

}  // namespace

KTEST(tty, pty_slave_is_locked_until_unlocked) {
    auto master = vfs::open_device(false, make_dev(5, 2), Path{}, O_RDWR);
    KASSERT_TRUE(!master.is_error());
    RefPtr<Pty> pty;
    for (u32 index = Pty::MAX_PTYS; index-- > 0 && !pty;) pty = Pty::find(index);
    KASSERT_TRUE(pty);
    u64 slave_device = make_dev(Pty::SLAVE_MAJOR, pty->index());
    auto locked = vfs::open_device(false, slave_device, Path{}, O_RDWR);
    KASSERT_TRUE(locked.is_error());
    KEXPECT_EQ(locked.error().code(), EIO);
    pty->set_locked(false);
    KEXPECT(!vfs::open_device(false, slave_device, Path{}, O_RDWR).is_error());
}

KTEST(tty, pty_data_goes_through_the_line_discipline) {
    Pair pair;
    KASSERT_TRUE(open_pair(pair));
    char buffer[64];
    KEXPECT_EQ(write_text(*pair.master, "hi\n"), 3u);
    auto line = read_text(*pair.slave, buffer, sizeof(buffer));
    KEXPECT(!line.is_error() && line.value() == 3 && klib::strcmp(buffer, "hi\n") == 0);
    auto echo = read_text(*pair.master, buffer, sizeof(buffer));
    KEXPECT(!echo.is_error() && klib::strcmp(buffer, "hi\r\n") == 0);  // ECHO with ONLCR
    KEXPECT_EQ(write_text(*pair.slave, "out\n"), 4u);
    auto output = read_text(*pair.master, buffer, sizeof(buffer));
    KEXPECT(!output.is_error() && klib::strcmp(buffer, "out\r\n") == 0);
}

KTEST(tty, nonblocking_reads_without_input_are_eagain) {
    Pair pair;
    KASSERT_TRUE(open_pair(pair, O_RDWR | O_NOCTTY | O_NONBLOCK));
    char buffer[8];
    auto empty = pair.slave->read(0, IoBuffer::kernel(buffer), sizeof(buffer));
    KASSERT_TRUE(empty.is_error());
    KEXPECT_EQ(empty.error().code(), EAGAIN);
    KEXPECT_EQ(pair.slave->poll(nullptr) & (POLLIN | POLLOUT), u32(POLLOUT));
    write_text(*pair.master, "partial");
    KEXPECT(!(pair.slave->poll(nullptr) & POLLIN));  // no complete line yet
    write_text(*pair.master, "\n");
    KEXPECT(pair.slave->poll(nullptr) & POLLIN);
}

KTEST(tty, vtime_bounds_a_raw_read) {
    Pair pair;
    KASSERT_TRUE(open_pair(pair));
    termios2 settings = pair.pty->settings();
    settings.c_lflag &= ~(ICANON | ECHO);
    settings.c_cc[VMIN] = 0;
    settings.c_cc[VTIME] = 1;  // 0.1 s
    pair.pty->set_settings(settings, false);
    char buffer[8];
    u64 start = ktime::monotonic_ns();
    auto nothing = read_text(*pair.slave, buffer, sizeof(buffer));
    u64 waited = ktime::monotonic_ns() - start;
    KEXPECT(!nothing.is_error() && nothing.value() == 0);
    KEXPECT(waited >= 90 * ktime::NSEC_PER_MSEC && waited < 2 * ktime::NSEC_PER_SEC);
    write_text(*pair.master, "ab");
    auto bytes = read_text(*pair.slave, buffer, sizeof(buffer));
    KEXPECT(!bytes.is_error() && bytes.value() == 2);
}

KTEST(tty, closing_the_master_hangs_up_the_slave) {
    Pair pair;
    KASSERT_TRUE(open_pair(pair));
    u32 index = pair.pty->index();
    pair.master.clear();
    char buffer[8];
    auto end = pair.slave->read(0, IoBuffer::kernel(buffer), sizeof(buffer));
    KEXPECT(!end.is_error() && end.value() == 0);
    auto written = pair.slave->write(0, IoBuffer::kernel("x"), 1);
    KEXPECT(written.is_error() && written.error().code() == EIO);
    KEXPECT(pair.slave->poll(nullptr) & POLLHUP);
    KEXPECT(!Pty::find(index));
    KEXPECT(vfs::open_device(false, make_dev(Pty::SLAVE_MAJOR, index), Path{}, O_RDWR).is_error());
}

KTEST(tty, closing_the_slave_gives_the_master_eio_after_its_data) {
    Pair pair;
    KASSERT_TRUE(open_pair(pair));
    write_text(*pair.slave, "bye\n");
    pair.slave.clear();
    KEXPECT(pair.master->poll(nullptr) & POLLHUP);
    char buffer[16];
    auto data = read_text(*pair.master, buffer, sizeof(buffer));
    KEXPECT(!data.is_error() && klib::strcmp(buffer, "bye\r\n") == 0);
    auto after = pair.master->read(0, IoBuffer::kernel(buffer), sizeof(buffer));
    KEXPECT(after.is_error() && after.error().code() == EIO);
}

KTEST(devpts, shows_a_node_per_open_master) {
    FileSystemType* type = vfs::find_filesystem("devpts");
    KASSERT_TRUE(type);
    auto super_block = type->mount(nullptr, 0, "mode=620,gid=5");
    KASSERT_TRUE(!super_block.is_error());
    RefPtr<Inode> root = super_block.value()->root();
    Pair pair;
    KASSERT_TRUE(open_pair(pair));
    char name[16];
    klib::snprintf(name, sizeof(name), "%u", pair.pty->index());
    auto node = root->lookup(name);
    KASSERT_TRUE(!node.is_error());
    KEXPECT_EQ(node.value()->attributes().rdev, make_dev(Pty::SLAVE_MAJOR, pair.pty->index()));
    KEXPECT_EQ(node.value()->mode(), u32(S_IFCHR | 0620));
    KEXPECT_EQ(node.value()->attributes().gid, 5u);
    KEXPECT(!root->lookup("ptmx").is_error());
    KEXPECT(root->lookup("007").is_error());
    pair.master.clear();
    KEXPECT(root->lookup(name).is_error());
    KEXPECT(!type->mount(nullptr, 0, "").is_error());  // back to Linux's defaults
    KEXPECT(type->mount(nullptr, 0, "bogus=1").is_error());
}
