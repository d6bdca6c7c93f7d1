// Kernel init: the kernel's name and version, as uname(2) and the boot banner show them.
#pragma once

#define STRIX_NAME "Strix"
#define STRIX_RELEASE "0.1.0-strix"
#define STRIX_VERSION_STRING "#1 SMP PREEMPT_DYNAMIC"
