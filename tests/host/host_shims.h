// Host tests: hooks into the host's stand-ins for kernel services (host_shims.cpp).
#pragma once

#include <string>

// Everything logged through klog since the last host_klog_clear().
std::string host_klog_text();
void host_klog_clear();
// Whether klog lines are echoed on stderr (on by default).
void host_klog_set_echo(bool echo);
