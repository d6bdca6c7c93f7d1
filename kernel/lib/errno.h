// Kernel library: Linux errno values, taken from the UAPI headers (never hand-typed).
#pragma once

#include <linux/errno.h>
