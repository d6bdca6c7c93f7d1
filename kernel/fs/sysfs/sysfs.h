// sysfs: /sys, the kernel's devices as directories (see sysfs.cpp).
#pragma once

void sysfs_register();
