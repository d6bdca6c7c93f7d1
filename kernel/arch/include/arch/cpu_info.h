// Architecture interface: the processors as /proc/cpuinfo describes them. The format is
// each architecture's own (Linux prints it from arch/<arch>/kernel/cpu/proc.c), so the
// architecture writes it.
#pragma once

#include "lib/format.h"

namespace arch {
// How many processors the kernel runs on.
usize online_cpu_count();
// Writes the /proc/cpuinfo stanza of processor `cpu`, ending with the blank line that
// separates processors.
void describe_cpu(usize cpu, klib::FormatSink& out);
}  // namespace arch
