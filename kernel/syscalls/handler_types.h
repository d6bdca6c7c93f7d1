// Syscalls: the UAPI types named in table.inc's handler signatures.
#pragma once

#include <asm/stat.h>
#include <asm/statfs.h>
#include <linux/eventpoll.h>
#include <linux/openat2.h>
#include <linux/poll.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/sched/types.h>
#include "lib/uapi/stat.h"
#include <linux/sysinfo.h>
#include <linux/time_types.h>
#include <linux/timex.h>
#include <linux/times.h>
#include <linux/uio.h>
#include <linux/utime.h>
#include <linux/utsname.h>

#include "proc/signal.h"
