// Debugging: the kernel's UndefinedBehaviorSanitizer runtime (test builds).
#pragma once

#include "lib/types.h"

// How many undefined-behaviour reports this boot has printed (ktest fails on any).
u64 ubsan_report_count();
