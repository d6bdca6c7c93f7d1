// procfs: /proc — the kernel's view of processes and of itself, as text files in Linux's
// formats (fs/proc in Linux). Every mount is a fresh superblock over the same tables;
// names are never cached, so processes come and go in the tree as they live and die.
#pragma once

void procfs_register();
