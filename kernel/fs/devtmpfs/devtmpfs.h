// devtmpfs: /dev as the kernel sees it — one tmpfs instance, shared by every mount of
// type "devtmpfs", holding a node for every device a driver published
// (vfs::publish_device_node), made when the filesystem is first mounted and, for devices
// published later, at once. Beside the nodes: the directories /dev/pts and /dev/shm and the
// links /dev/fd, stdin, stdout and stderr into /proc/self/fd, which Linux leaves to udev or
// mdev and Strix provides so that a bare busybox system works.
#pragma once

void devtmpfs_register();
