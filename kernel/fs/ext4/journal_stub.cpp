// ext4: temporary journal stubs.
#include "fs/ext4/filesystem.h"
#include "log/klog.h"

namespace ext4 {

struct Ext4Filesystem::Journal {};

void journal_destroy(Ext4Filesystem::Journal*) {}
usize journal_commit_threshold(Ext4Filesystem::Journal*) { return 1024; }

ErrorOr Ext4Filesystem::journal_load() { return {}; }
ErrorOr Ext4Filesystem::journal_replay() {
    pr_err("ext4 (%s): journal replay not implemented", m_device.name());
    return err(EINVAL);
}
ErrorOr Ext4Filesystem::commit() { return write_back_without_journal(); }

}  // namespace ext4
