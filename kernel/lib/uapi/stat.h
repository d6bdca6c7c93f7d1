// Kernel library: <linux/stat.h> with its S_IF* file-type macros.
//
// The UAPI header hides them when __GLIBC__ is defined (they clash with glibc's), and
// libstdc++'s headers define it even in the kernel. The kernel includes no glibc header
// that defines them, so it takes Linux's own definitions.
#pragma once

#pragma push_macro("__GLIBC__")
#undef __GLIBC__
#include <linux/stat.h>
#pragma pop_macro("__GLIBC__")
