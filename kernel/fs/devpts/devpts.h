// devpts: the filesystem of pseudo-terminal slaves, mounted on /dev/pts. It shows one
// character device per pty whose master is open, named by the pty's index (136:index),
// and "ptmx" (5:2). The pty layer adds and removes the nodes; devpts only shows them.
//
// One instance is shared by every mount (as Linux's devpts before "newinstance"): the
// options of the latest mount (mode=, gid=, uid=, ptmxmode=) apply to nodes made after it.
#pragma once

#include "fs/mount.h"

namespace devpts {

void register_filesystem();

// A node for pty `index`, owned by (uid, gid) unless the mount options say otherwise,
// with the mount's mode (Linux's default 0600); shown until remove_node(index).
ErrorOr add_node(u32 index, u32 uid, u32 gid);
void remove_node(u32 index);

// The path of pty `index`'s node (TIOCGPTPEER's file): through a mount of devpts, or the
// kernel's own when nothing mounted it (Linux's kern_mount). ENOENT when it is gone.
Result<Path> node_path(u32 index);

}  // namespace devpts
