// ext4: the jbd2 journal as the rest of the file system sees it (journal_replay.cpp,
// journal_write.cpp).
#pragma once

#include "fs/ext4/filesystem.h"

namespace ext4 {

void journal_destroy(Ext4Filesystem::Journal* journal);
// Dirty metadata blocks after which an operation's end commits a transaction.
usize journal_commit_threshold(Ext4Filesystem::Journal* journal);

}  // namespace ext4
